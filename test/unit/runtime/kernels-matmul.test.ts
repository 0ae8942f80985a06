// The lab's wasm BatchMatMul/_FusedMatMul (transposed and batched products routed to the
// fast path) against the cpu backend, forward and gradient.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { agree, broadcastFirst, rand, relErr, setup } from './compare';

before(setup);

/**
 * Forward and both gradients of sum(matMul(a, b) * r). tfjs 4.22's BatchMatMul gradient does
 * not reduce broadcast batch dims (it throws on every backend), so broadcasts check forward only.
 */
function product(aShape: number[], bShape: number[], ta: boolean, tb: boolean, withGrads = true) {
  return () => {
    const a = rand(aShape, 3);
    const b = rand(bShape, 5);
    const y = tf.matMul(a, b, ta, tb);
    const r = rand(y.shape, 7);
    if (!withGrads) return [y];
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb).mul(r).sum())([a, b]);
    return [y, ...g];
  };
}

test('2-D products with every transpose combination, odd sizes', async () => {
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    const a = ta ? [7, 5] : [5, 7];
    const b = tb ? [3, 7] : [7, 3];
    await agree(`matMul ta=${ta} tb=${tb}`, product(a, b, ta, tb));
  }
});

test('dense-layer sizes, batch 1 and 64', async () => {
  for (const batch of [1, 64]) {
    await agree(`x W, batch ${batch}`, product([batch, 784], [784, 96], false, false));
  }
});

test('batched products: same batch, shared B, shared A, transposed', async () => {
  await agree('[3,5,7]x[3,7,4]', product([3, 5, 7], [3, 7, 4], false, false));
  await agree('[3,5,7]x[7,4] (B broadcast)', product([3, 5, 7], [7, 4], false, false, false));
  await agree('[3,5,7]x[1,7,4]', product([3, 5, 7], [1, 7, 4], false, false, false));
  await agree('[1,5,7]x[3,7,4] (A broadcast)', product([1, 5, 7], [3, 7, 4], false, false, false));
  await agree('[2,3,7,5]^T x [2,3,4,7]^T', product([2, 3, 7, 5], [2, 3, 4, 7], true, true));
  await agree('[3,7,5]^T x [7,4] (transposed A, B broadcast)', product([3, 7, 5], [7, 4], true, false, false));
});

test('batch dims broadcast on both sides, against the explicitly broadcast product', async () => {
  for (const [a, b, ta, tb] of [
    [[2, 1, 5, 7], [1, 3, 7, 4], false, false],
    [[2, 1, 5, 7], [2, 3, 7, 4], false, false],
    [[2, 1, 7, 5], [1, 3, 4, 7], true, true],
    [[3, 1, 5, 7], [2, 7, 4], false, false],
  ] as [number[], number[], boolean, boolean][]) {
    await agree(`[${a}]${ta ? '^T' : ''} x [${b}]${tb ? '^T' : ''}`, product(a, b, ta, tb, false), 1e-4, broadcastFirst(a, b, ta, tb));
  }
});

test('canary: the cpu backend still gets both-sided batch broadcasting wrong', async () => {
  // It returns max(2, 3) products of 20 for six. When this fails, tfjs fixed its kernel and
  // broadcastFirst above may go.
  await tf.setBackend('cpu');
  const [got, want] = [product([2, 1, 5, 7], [1, 3, 7, 4], false, false, false), broadcastFirst([2, 1, 5, 7], [1, 3, 7, 4], false, false)].map((f) =>
    tf.tidy(() => f()[0].dataSync() as Float32Array),
  );
  assert.ok(got.length !== want.length || relErr(got, want) > 0.1, 'the cpu kernel now broadcasts both sides correctly');
});

test('fused matMul (dense forward) with bias and activation', async () => {
  await agree('fused', () => {
    const a = rand([9, 6], 2);
    const b = rand([4, 6], 4);
    const bias = rand([4], 6);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeB: true, bias, activation: 'relu' });
    return [f(a, b), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b).sum())([a, b])];
  });
});

test('fused matMul forward with every activation the lab replays (bias, prelu weights, leaky alpha)', async () => {
  const acts = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
  for (const activation of acts) {
    await agree(`fused ${activation}`, () => {
      const a = rand([9, 6], 2);
      const b = rand([6, 5], 4);
      const bias = rand([5], 6);
      const preluActivationWeights = activation === 'prelu' ? rand([5], 8) : undefined;
      return [tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation, preluActivationWeights, leakyreluAlpha: 0.3 })];
    });
  }
});
