// The second wasm thread: products split by row panels across the worker give the same numbers as
// one thread, through shared-memory growth and many calls, without leaking tensors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initRuntime } from '../../../src/lab/runtime';
import { MIN_MACS, poolThreads, poolWorker, setMinMacs, stopPool } from '../../../src/lab/runtime/pool';
import { rand, relErr } from './compare';

const threshold = MIN_MACS;
before(async () => {
  const info = await initRuntime('wasm', { threads: 2, native: false });
  assert.equal(info.threads, 2);
  assert.match(info.device, /^CPU \(wasm SIMD( \+ FMA)?, 2 threads\)$/);
});
after(async () => {
  setMinMacs(threshold);
  await stopPool();
});

function on(threads: 1 | 2, f: () => tf.Tensor[]): Float32Array[] {
  setMinMacs(threads === 2 ? 1 : Infinity);
  const outs = tf.tidy(f);
  const vals = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return vals;
}

function sameOnBoth(what: string, f: () => tf.Tensor[]): void {
  const one = on(1, f);
  const two = on(2, f);
  one.forEach((r, i) => assert.ok(relErr(two[i], r) <= 1e-6, `${what}: output ${i} differs between 1 and 2 threads`));
}

test('split products equal one-thread products (odd rows, growing shared buffer)', () => {
  for (const [m, k, n] of [
    [3, 5, 4],
    [65, 33, 17],
    [64, 784, 512],
    [1024, 300, 700],
  ]) {
    sameOnBoth(`${m}x${k}x${n}`, () => [tf.matMul(rand([m, k], 3), rand([k, n], 5))]);
  }
});

test('a conv layer gradient through the split products', () => {
  sameOnBoth('conv grads', () => {
    const x = rand([16, 14, 14, 8], 7) as tf.Tensor4D;
    const w = rand([4, 4, 8, 16], 11) as tf.Tensor4D;
    return tf.grads((x: tf.Tensor, w: tf.Tensor) =>
      tf
        .conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')
        .square()
        .sum(),
    )([x, w]);
  });
});

test('no tensor leaks over 100 split products', () => {
  setMinMacs(1);
  const a = rand([32, 64], 13);
  const b = rand([64, 48], 17);
  const before = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  for (let i = 0; i < 100; i++) tf.tidy(() => void tf.matMul(a, b, false, false).dataSync());
  assert.equal(tf.memory().numTensors, before);
  assert.equal(tf.engine().backend.numDataIds(), buffers, 'a wasm buffer leaked');
  tf.dispose([a, b]);
});

test('a worker that dies takes the pool down and products go on, right, on one thread', async () => {
  setMinMacs(1);
  const a = rand([40, 30], 19);
  const b = rand([30, 20], 23);
  const before = tf.tidy(() => tf.matMul(a, b).dataSync() as Float32Array);
  const worker = poolWorker();
  assert.ok(worker, 'the pool runs');
  await new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
    void worker.terminate();
  });
  assert.equal(poolThreads(), 1);
  const after = tf.tidy(() => tf.matMul(a, b).dataSync() as Float32Array);
  assert.deepEqual(after, before);
  tf.dispose([a, b]);
});
