// The lab's wasm Sum (reduce.ts: leading axes as one product with a row of ones, or the native
// addon's column sums where it is loaded, on both threads from 2^16 floats) against the cpu backend: the bias-gradient shapes, keepDims, negative and unsorted axes, sizes past the
// GEMM's tiles and blocks, gradients through it; and the cases it leaves to the stock kernel.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { agree, rand, setup } from './compare';

before(setup);

test('sum over leading axes: bias-gradient shapes, keepDims, negative and unsorted axes', async () => {
  const cases: [number[], number | number[], boolean][] = [
    [[64, 14, 14, 32], [0, 1, 2], false],
    [[64, 32, 32, 16], [0, 1, 2], false], // the FactorVAE's first-layer bias gradient: 65536 rows
    [[64, 7, 7, 64], [0, 1, 2], true],
    [[64, 28, 28, 1], [0, 1, 2], false],
    [[1, 64, 100], [1, 0], false],
    [[64, 3136], 0, false],
    [[5, 3, 2], [-3, -2], true],
    [[300, 70], [0], false], // k past one KC block, n past two native tiles
    [[1, 1], 0, false],
  ];
  for (const [shape, axis, keepDims] of cases) {
    await agree(`sum ${JSON.stringify(shape)} axis ${JSON.stringify(axis)} keepDims ${keepDims}`, () => {
      const x = rand(shape, 61);
      const y = tf.sum(x, axis, keepDims);
      assert.deepEqual(y.shape, tf.tidy(() => tf.sum(tf.zeros(shape), axis, keepDims)).shape);
      return [y];
    });
  }
});

test('the gradient of a bias through a conv layer (the sum above) and every other axis choice', async () => {
  await agree('conv bias gradient', () => {
    const x = rand([8, 6, 6, 3], 67) as tf.Tensor4D;
    const w = rand([3, 3, 3, 5], 71) as tf.Tensor4D;
    const bias = rand([5], 73);
    const r = rand([8, 3, 3, 5], 79);
    const f = (b: tf.Tensor) => tf.conv2d(x, w, 2, 'same').add(b).mul(r).sum();
    return [tf.grad(f)(bias)];
  });
  // innermost, middle, all axes and int32: the stock kernel's cases
  for (const axis of [2, [1], [0, 2], null] as (number | number[] | null)[]) {
    await agree(`sum [4,5,6] axis ${JSON.stringify(axis)}`, () => [tf.sum(rand([4, 5, 6], 83), axis ?? undefined)]);
  }
  await agree('int32 sum over axis 0', () => [tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0).toFloat()]);
});

test('a sum over no elements is 0 (the stock kernel leaves its output unwritten)', async () => {
  await tf.setBackend('wasm');
  // dirty the heap where the outputs will land
  tf.dispose(tf.tidy(() => [tf.fill([64], 7), tf.fill([64], 7)]));
  for (const [shape, axis, keepDims, want] of [
    [[0, 3], 0, false, [3]],
    [[4, 0, 2], [1], true, [4, 1, 2]],
    [[0, 3], undefined, false, []],
  ] as [number[], number | number[] | undefined, boolean, number[]][]) {
    const y = tf.sum(tf.zeros(shape), axis, keepDims);
    assert.deepEqual(y.shape, want);
    assert.ok(
      Array.from(y.dataSync()).every((v) => v === 0),
      `sum of ${JSON.stringify(shape)}: ${y.dataSync()}`,
    );
    y.dispose();
  }
});
