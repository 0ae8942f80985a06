// The WebGPU path (src/lab/runtime/webgpu.ts): adapter naming and software detection as pure
// logic, then the real thing on this machine's adapter (Mesa's llvmpipe through Dawn's GL
// backend where there is no GPU): forcing webgpu runs and says it is a software renderer, auto
// passes it over, and a synchronous read gets an error that says what to call instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initRuntime } from '../../../src/lab/runtime';
import { adapterDevice, gpuDevicePresent, isSoftware, prepareEnv, WebGpuSyncReadError } from '../../../src/lab/runtime/webgpu';
import { addNChunks, modBroadcastable } from '../../../src/lab/runtime/webgpu-fixes';
import { tempDir } from './fake-packages';
import { webgpuOrSkip } from './webgpu-compare';

test('software renderers are told apart from GPUs by the driver name or the fallback flag', () => {
  assert.equal(isSoftware({ device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL ES 3.2 Mesa 22.3.6' }), true);
  assert.equal(isSoftware({ device: 'SwiftShader Device (Subzero)' }), true);
  assert.equal(isSoftware({ description: 'Microsoft Basic Render Driver' }), true);
  assert.equal(isSoftware({ vendor: 'nvidia', device: 'NVIDIA GeForce RTX 4090' }), false);
  assert.equal(isSoftware({ vendor: 'apple', device: 'Apple M2' }, false), false);
  assert.equal(isSoftware({ vendor: 'intel', device: 'Intel Arc', isFallbackAdapter: true }), true);
});

test('the device string names vendor, architecture, device and API, and flags a software renderer', () => {
  const gpu = { vendor: 'nvidia', architecture: 'ampere', device: 'NVIDIA RTX A6000', description: '', api: 'Vulkan' as const, software: false };
  assert.equal(adapterDevice(gpu), 'GPU (WebGPU: nvidia ampere, NVIDIA RTX A6000, Vulkan)');
  assert.equal(
    adapterDevice({ ...gpu, vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2', api: 'Metal' }),
    'GPU (WebGPU: apple metal-3, Apple M2, Metal)',
  );
  const soft = { vendor: '', architecture: '', device: 'llvmpipe', description: 'OpenGL ES 3.2 Mesa', api: 'GL' as const, software: true };
  assert.match(adapterDevice(soft), /^CPU \(WebGPU software renderer: llvmpipe, GL; slower than wasm/);
});

test('the EGL settings Mesa needs are set only where unset, on Linux only', () => {
  const env: NodeJS.ProcessEnv = {};
  prepareEnv(env, 'linux');
  assert.equal(env.EGL_PLATFORM, 'surfaceless');
  assert.ok(env.XDG_RUNTIME_DIR);
  const mine: NodeJS.ProcessEnv = { EGL_PLATFORM: 'x11', XDG_RUNTIME_DIR: '/run/user/1000' };
  prepareEnv(mine, 'linux');
  assert.deepEqual(mine, { EGL_PLATFORM: 'x11', XDG_RUNTIME_DIR: '/run/user/1000' });
  const mac: NodeJS.ProcessEnv = {};
  prepareEnv(mac, 'darwin');
  assert.deepEqual(mac, {});
});

test('forcing webgpu runs on the adapter there is, names it, and says when it is a software renderer', async (t) => {
  const info = await webgpuOrSkip(t);
  if (!info) return;
  assert.equal(tf.getBackend(), 'webgpu');
  assert.ok(info.adapter, 'RuntimeInfo.adapter is set');
  assert.ok(['Vulkan', 'Metal', 'D3D12', 'GL'].includes(info.adapter.api));
  if (info.adapter.software) {
    assert.match(info.device, /software renderer/);
    assert.deepEqual(
      info.skipped?.map((s) => s.backend),
      ['webgpu'],
      'the hardware candidate says why it was passed over',
    );
  } else {
    assert.match(info.device, /^GPU \(WebGPU: /);
  }
  const y = tf.matMul(
    tf.tensor2d([
      [1, 2],
      [3, 4],
    ]),
    tf.tensor2d([[5], [6]]),
  );
  assert.throws(() => y.dataSync(), WebGpuSyncReadError);
  assert.throws(() => y.arraySync(), /await t\.data\(\)/);
  assert.deepEqual(Array.from(await y.data()), [17, 39]);
  // values on the CPU (uploaded and not computed on, or read once with data()) read synchronously
  assert.deepEqual(Array.from(y.dataSync()), [17, 39]);
  const z = tf.tensor1d([1, 2, 3]);
  assert.deepEqual(Array.from(z.dataSync()), [1, 2, 3]);
  tf.dispose([y, z]);
});

test('a tensor disposed while its read is in flight still reads (a tfjs-backend-webgpu bug, patched)', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const x = tf.tensor1d([1, 2, 3]);
  const y = tf.mul(x, 2);
  const values = y.data();
  y.dispose();
  assert.deepEqual(Array.from(await values), [2, 4, 6]);
  x.dispose();
});

test('auto passes a software adapter over (wasm is faster) and records why', async (t) => {
  const info = await webgpuOrSkip(t);
  if (!info?.adapter?.software) return t.skip('this machine has a hardware adapter: auto takes it');
  const auto = await initRuntime('auto', { moduleDirs: [tempDir()] });
  assert.equal(auto.backend, 'wasm');
  const why = auto.skipped?.find((s) => s.backend === 'webgpu');
  // Without a GPU device node auto does not even load Dawn (quiet.test.ts); with one whose only
  // adapter is a software renderer, it probes and passes it over.
  assert.match(why?.reason ?? '', gpuDevicePresent() ? /only a software renderer/ : /no GPU device on this machine/);
});

test('which batch shapes the stock webgpu BatchMatMul broadcasts correctly (by batch % count)', () => {
  assert.equal(modBroadcastable([], [2, 3]), true);
  assert.equal(modBroadcastable([1, 1], [2, 3]), true);
  assert.equal(modBroadcastable([3], [2, 3]), true);
  assert.equal(modBroadcastable([2, 3], [2, 3]), true);
  assert.equal(modBroadcastable([2, 1], [2, 3]), false);
  assert.equal(modBroadcastable([1, 3, 1], [2, 3, 4]), false);
});

test('addN is split into calls of at most the limit, each after the first carrying the sum so far', () => {
  assert.deepEqual(addNChunks(5, 7), [[0, 1, 2, 3, 4]]);
  assert.deepEqual(addNChunks(7, 7), [[0, 1, 2, 3, 4, 5, 6]]);
  assert.deepEqual(addNChunks(8, 7), [
    [0, 1, 2, 3, 4, 5, 6],
    [-1, 7],
  ]);
  assert.deepEqual(addNChunks(15, 7), [
    [0, 1, 2, 3, 4, 5, 6],
    [-1, 7, 8, 9, 10, 11, 12],
    [-1, 13, 14],
  ]);
  for (const [n, per] of [
    [40, 3],
    [9, 2],
  ]) {
    const chunks = addNChunks(n, per);
    assert.ok(chunks.every((c) => c.length <= per));
    assert.deepEqual(
      chunks.flat().filter((i) => i >= 0),
      [...Array(n).keys()],
      'every input once, in order',
    );
  }
  assert.throws(() => addNChunks(3, 1), /at least 2/);
});
