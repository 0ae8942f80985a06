// initRuntime on this machine: no tfjs-node and no GPU, so auto lands on wasm with the lab's kernels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initRuntime, runtimeInfo, describeRuntime, BackendUnavailableError } from '../../../src/lab/runtime';
import { findWasmDir } from '../../../src/lab/runtime/loaders';
import { tempDir } from './fake-packages';

test('forcing tensorflow when it is not installed says how to install it', async () => {
  await assert.rejects(initRuntime('tensorflow', { moduleDirs: [tempDir()] }), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError);
    assert.match(e.message, /tfjs-node-gpu is not installed/);
    assert.match(e.message, /npm install @tensorflow\/tfjs-node@4\.22\.0/);
    return true;
  });
});

test('auto without tfjs-node: wasm with SIMD, reasons for the skipped native backends', async () => {
  const info = await initRuntime('auto', { moduleDirs: [tempDir()] });
  assert.equal(info.backend, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.match(info.device, /^CPU \(wasm SIMD( \+ FMA)?(, native avx(512|2) GEMM)?, \d threads?\)$/);
  assert.deepEqual(
    info.skipped?.map((s) => s.backend),
    ['tensorflow-gpu', 'webgpu', 'tensorflow'],
  );
  assert.match(info.skipped![0].reason, /not installed/);
  assert.equal(runtimeInfo(), info);
  assert.equal(describeRuntime(), `tfjs: wasm — ${info.device}`);
  // the lab's kernels are live: conv2d's filter gradient is missing from stock wasm
  const g = tf.tidy(() =>
    tf.grad((w: tf.Tensor) => tf.conv2d(tf.ones([1, 5, 5, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid').sum())(tf.ones([3, 3, 1, 1])),
  );
  assert.deepEqual(Array.from(g.dataSync()), Array(9).fill(9));
  g.dispose();
});

test('the wasm binaries are found from source (node_modules) and next to a bundle (dist/wasm)', () => {
  assert.ok(findWasmDir()?.endsWith('tfjs-backend-wasm/dist'));
  const dir = tempDir();
  assert.equal(findWasmDir(dir), findWasmDir(), 'an empty explicit folder must not be chosen');
});

test('the cpu backend does not print its "install tfjs-node" banner', async () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
  try {
    const info = await initRuntime('cpu');
    assert.equal(info.device, 'CPU (JavaScript, 1 thread)');
    tf.tidy(() => tf.ones([2]).add(1).dataSync());
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(
    warnings.filter((w) => /tfjs-node/.test(w)),
    [],
  );
});
