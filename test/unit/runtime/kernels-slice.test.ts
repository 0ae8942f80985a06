// The lab's wasm Slice (slice.ts: heap to heap) against the cpu backend: contiguous and strided
// slices of rank 1 to 5, size -1, int32 and bool, empty slices, the gradient through a slice;
// and that it no longer reads the whole input back to JS.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { agree, rand, setup } from './compare';

before(setup);

const cases: [number[], number[], number[]][] = [
  [[10], [3], [4]],
  [
    [6, 5],
    [2, 0],
    [3, -1],
  ], // whole rows: contiguous
  [
    [6, 5],
    [1, 2],
    [4, 2],
  ], // strided
  [
    [4, 5, 6],
    [1, 0, 3],
    [2, 5, 3],
  ],
  [
    [3, 4, 5, 2],
    [0, 1, 1, 0],
    [-1, 2, 3, 1],
  ],
  [
    [2, 3, 2, 3, 4],
    [1, 0, 1, 1, 2],
    [1, 3, 1, 2, 2],
  ],
  [
    [5, 4],
    [2, 1],
    [0, 3],
  ], // empty
];

test('float32 slices, contiguous and strided, rank 1 to 5', async () => {
  for (const [shape, begin, size] of cases) {
    await agree(`slice ${JSON.stringify(shape)} from ${JSON.stringify(begin)} size ${JSON.stringify(size)}`, () => [tf.slice(rand(shape, 89), begin, size)]);
  }
});

test('int32 and bool slices, and the gradient through a slice', async () => {
  await agree('int32', () => [tf.slice(tf.range(0, 60, 1, 'int32').reshape([3, 4, 5]), [1, 1, 1], [2, 2, 3]).toFloat()]);
  await agree('bool', () => [tf.slice(rand([4, 6], 97).greater(0), [1, 2], [3, 3]).toFloat()]);
  await agree('gradient', () => {
    const r = rand([2, 3, 2], 101);
    return [tf.grad((x: tf.Tensor) => tf.slice(x, [1, 1, 0], [2, 3, 2]).mul(r).sum())(rand([4, 5, 2], 103))];
  });
});

test('a slice does not read its input back to JS', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend() as unknown as { readSync: (...args: unknown[]) => unknown };
  const readSync = backend.readSync;
  let reads = 0;
  backend.readSync = function (this: unknown, ...args: unknown[]) {
    reads++;
    return readSync.apply(this, args);
  };
  try {
    const x = rand([100, 8, 8, 1], 107);
    const y = tf.slice(x, [20, 0, 0, 0], [30, -1, -1, -1]);
    const z = tf.slice(x, [0, 2, 1, 0], [100, 3, 3, 1]);
    assert.equal(reads, 0);
    assert.deepEqual(y.shape, [30, 8, 8, 1]);
    assert.deepEqual(z.shape, [100, 3, 3, 1]);
    tf.dispose([x, y, z]);
  } finally {
    backend.readSync = readSync;
  }
});
