// "Install GPU Runtime"'s look at the machine (src/extension/cudaProbe.ts) on fake nvidia-smi
// output and library listings: which CUDA stacks tfjs-node-gpu 4.22 can load on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gpuPlan, libraryMajors, parseNvidiaSmi, probeCuda } from '../../../src/extension/cudaProbe';

const smi = (cuda: string, driver = '535.104.05') => `Sun Dec  6 12:00:00 2026
+---------------------------------------------------------------------------------------+
| NVIDIA-SMI ${driver}             Driver Version: ${driver}   CUDA Version: ${cuda}     |
|-----------------------------------------+----------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |
|=========================================+======================+======================|
|   0  NVIDIA H100 80GB HBM3          On  | 00000000:00:05.0 Off |                    0 |
+-----------------------------------------+----------------------+----------------------+`;

test('nvidia-smi: the driver, the newest CUDA it runs and the GPUs', () => {
  const p = parseNvidiaSmi(smi('12.2'));
  assert.equal(p.driver, '535.104.05');
  assert.equal(p.cuda, '12.2');
  assert.deepEqual(p.gpus, ['NVIDIA H100 80GB HBM3']);
});

test('library majors from Linux sonames and Windows DLL names', () => {
  const libs = ['libcudart.so.11.0', 'libcudart.so.12', 'libcudnn.so.8', 'cudart64_110.dll', 'cudart64_12.dll', 'cudnn64_9.dll'];
  assert.deepEqual(libraryMajors(libs, 'cudart'), [11, 12]);
  assert.deepEqual(libraryMajors(libs, 'cudnn'), [8, 9]);
});

test('CUDA 11 runtime and cuDNN 8 under a driver that runs CUDA 12: it loads', () => {
  const plan = gpuPlan({ platform: 'linux', nvidiaSmi: smi('12.2'), libraries: ['libcudart.so.11.0', 'libcudnn.so.8'] });
  assert.equal(plan.ok, true, plan.problems.join('; '));
  assert.deepEqual(plan.problems, []);
  assert.match(plan.found.join('\n'), /CUDA runtime 11\.x/);
});

test('CUDA 13 with cuDNN 9 only (the lent H100s): it says why not', () => {
  const plan = gpuPlan({ platform: 'linux', nvidiaSmi: smi('13.0', '580.65.06'), libraries: ['libcudart.so.13', 'libcudnn.so.9'] });
  assert.equal(plan.ok, false);
  assert.match(plan.problems.join('\n'), /CUDA 13 is installed but .* CUDA 11 runtime/);
  assert.match(plan.problems.join('\n'), /cuDNN 9 is installed but .* cuDNN 8/);
});

test('no driver, no libraries: no NVIDIA GPU to use', () => {
  const plan = gpuPlan({ platform: 'linux', libraries: [] });
  assert.equal(plan.ok, false);
  assert.match(plan.problems[0], /No NVIDIA driver/);
  assert.equal(plan.problems.length, 3);
});

test('a driver too old for CUDA 11.2 is named even with the right libraries', () => {
  const plan = gpuPlan({ platform: 'win32', nvidiaSmi: smi('11.0', '451.48'), libraries: ['cudart64_110.dll', 'cudnn64_8.dll'] });
  assert.equal(plan.ok, false);
  assert.match(plan.problems.join('\n'), /up to 11\.0; .* 11\.2 or newer/);
});

test('the probe runs on this machine and returns well-formed facts', () => {
  const facts = probeCuda();
  assert.equal(facts.platform, process.platform);
  assert.ok(Array.isArray(facts.libraries));
  for (const n of facts.libraries) assert.match(n, /cudart|cudnn/i);
  // Whatever it found, the plan is a verdict with a reason when negative.
  const plan = gpuPlan(facts);
  assert.equal(plan.ok, plan.problems.length === 0);
});
