// The webgpu counterpart of compare.ts: the same computation on the cpu backend (the reference)
// and on webgpu, compared with compare.ts's relative error. WebGPU tensors are read back with
// `await data()` (a synchronous read cannot work there in Node: webgpu.ts). Where no adapter can
// be created at all, the tests skip and say what to install.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { RuntimeInfo } from '../../../src/common/protocol';
import { initRuntime } from '../../../src/lab/runtime';
import { relErr } from './compare';

let live: Promise<RuntimeInfo | string> | undefined;

/** initRuntime('webgpu') once per process; on failure the test is skipped with the reason. */
export async function webgpuOrSkip(t: TestContext): Promise<RuntimeInfo | undefined> {
  live ??= initRuntime('webgpu').catch((e: Error) => e.message);
  const r = await live;
  if (typeof r === 'string') {
    t.skip(`no WebGPU adapter could be created (scripts/setup-test-env.sh installs Mesa's: libegl1 libgles2 libegl-mesa0): ${r}`);
    return undefined;
  }
  await tf.setBackend('webgpu');
  // tfjs-backend-webgpu runs an op on the CPU when its inputs are on the CPU and small (< 1000
  // elements): the small shapes here would then compare the cpu kernels with themselves.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  return r;
}

/**
 * Leaving webgpu, tfjs moves each tensor the next backend touches with a synchronous read
 * (engine.moveData -> readSync), which webgpu cannot do in Node. A variable that was read once
 * with `await data()` keeps a CPU copy that readSync returns, so the layers' weights are read
 * first: they then move to the cpu backend as they move to any other.
 */
export async function leaveWebgpu(): Promise<void> {
  if (tf.getBackend() === 'webgpu') await Promise.all(Object.values(tf.engine().registeredVariables).map((v) => v.data()));
}

async function run(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await leaveWebgpu();
  await tf.setBackend(backend);
  const outs = tf.tidy(f);
  const vals = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outs);
  return vals;
}

/**
 * f returns [forward, ...gradients]; each must agree within `tol` between webgpu and cpu.
 * `reference` replaces f on the cpu backend where cpu's own kernel is wrong.
 */
export async function agreeGpu(what: string, f: () => tf.Tensor[], tol = 1e-4, reference = f): Promise<void> {
  const ref = await run('cpu', reference);
  const before = tf.memory().numTensors;
  const got = await run('webgpu', f);
  assert.equal(tf.memory().numTensors, before, `${what}: tensors leaked on webgpu`);
  assert.equal(got.length, ref.length);
  ref.forEach((r, i) => {
    const e = relErr(got[i], r);
    assert.ok(e <= tol, `${what}: output ${i} relative error ${e.toExponential(2)} > ${tol}`);
  });
}
