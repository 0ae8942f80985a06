// Dense layers on the wasm path through dense.ts (one kernel forward, one backward) against
// tfjs-layers' own Dense on the cpu backend: outputs and the gradients of x, kernel and bias,
// for each activation it takes, with and without bias, batch 1, odd widths, outputs exactly at
// the relu's kink, and the fallbacks (another activation, a rank-3 input, VAE_LAB_DENSE=0).
import { afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { agree, rand, setup } from './compare';
import { DENSE, DENSE_RELU, DENSE_RELU_GRAD } from '../../../src/lab/runtime/wasm/dense';

before(setup);
afterEach(() => delete process.env.VAE_LAB_DENSE);

type Act = 'relu' | 'linear' | 'tanh';

/** A built Dense layer [k -> n] whose kernel and bias are fixed data shared by both backends. */
function dense(k: number, n: number, activation: Act, useBias: boolean, seed: number): tf.layers.Layer {
  const layer = tf.layers.dense({ units: n, activation, useBias, inputShape: [k] });
  layer.build([null, k]);
  layer.setWeights(useBias ? [rand([k, n], seed), rand([n], seed + 1)] : [rand([k, n], seed)]);
  return layer;
}

/** Frees a layer's weights (Layer.dispose refuses a layer never applied to a symbolic input). */
function drop(...layers: tf.layers.Layer[]): void {
  for (const l of layers) for (const w of l.weights) w.dispose();
}

/** [y, dx, dW, (db)] of sum(y * r), y = layer(x). */
function forwardAndGrads(layer: tf.layers.Layer, xShape: number[], seed: number): () => tf.Tensor[] {
  return () => {
    const x = rand(xShape, seed);
    const r = rand([...xShape.slice(0, -1), (layer.getWeights()[0].shape as number[])[1]], seed + 7);
    const f = (x: tf.Tensor) => (layer.apply(x) as tf.Tensor).mul(r).sum() as tf.Scalar;
    const dx = tf.grad(f)(x);
    const { grads } = tf.variableGrads(
      () => f(x),
      layer.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    return [layer.apply(x) as tf.Tensor, dx, ...layer.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name])];
  };
}

const shapes: [number, number, number][] = [
  [1, 3, 5], // batch 1
  [7, 13, 9], // odd everywhere
  [64, 50, 33],
  [5, 1, 1],
];

for (const activation of ['relu', 'linear'] as const) {
  for (const useBias of [true, false]) {
    test(`dense ${activation}${useBias ? '' : ' without bias'}: output and gradients agree with tfjs on cpu`, async () => {
      for (const [m, k, n] of shapes) {
        const layer = dense(k, n, activation, useBias, 11 + m);
        await agree(`dense ${activation} ${m}x${k}x${n}`, forwardAndGrads(layer, [m, k], 3 + n));
        drop(layer);
      }
    });
  }
}

test('the wasm path runs the lab kernels and fewer of them', async () => {
  await tf.setBackend('wasm');
  const layer = dense(13, 9, 'relu', true, 5);
  const step = forwardAndGrads(layer, [7, 13], 2);
  // tf.profile hands back one object that the next profile overwrites: keep copies
  const names = async (f: () => void) => (await tf.profile(f)).kernels.map((k) => k.name);
  const lab = await names(() => tf.dispose(step()));
  for (const name of [DENSE_RELU, DENSE_RELU_GRAD]) assert.ok(lab.includes(name), `${name} not run: ${lab.join(', ')}`);
  assert.ok(!lab.includes('Relu') && !lab.includes('Step'), `tfjs-layers ran its own dense too: ${lab.join(', ')}`);
  process.env.VAE_LAB_DENSE = '0';
  const stock = await names(() => tf.dispose(step()));
  assert.ok(!stock.includes(DENSE_RELU) && stock.includes('Relu'), `VAE_LAB_DENSE=0 still ran: ${stock.join(', ')}`);
  assert.ok(lab.length < stock.length, `lab ${lab.length} kernels, tfjs ${stock.length}`);
  const linear = dense(4, 3, 'linear', true, 6);
  delete process.env.VAE_LAB_DENSE;
  const lin = await names(() => tf.dispose(forwardAndGrads(linear, [2, 4], 1)()));
  assert.ok(lin.includes(DENSE) && !lin.includes('Add'), `linear ran: ${lin.join(', ')}`);
  drop(layer, linear);
});

test('relu at its kink: a pre-activation of exactly 0 passes no gradient, as tfjs', async () => {
  const layer = tf.layers.dense({ units: 3, activation: 'relu', inputShape: [2] });
  layer.build([null, 2]);
  // row 0: x = 0, so x W + b = b = [0, 1, -1]; row 1: x = [1, -1] with W's rows equal, so x W = 0
  layer.setWeights([tf.tensor2d([2, -3, 0.5, 2, -3, 0.5], [2, 3]), tf.tensor1d([0, 1, -1])]);
  await agree(
    'relu kink',
    () => {
      const x = tf.tensor2d([0, 0, 1, -1], [2, 2]);
      const r = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const f = (x: tf.Tensor) => (layer.apply(x) as tf.Tensor).mul(r).sum() as tf.Scalar;
      const { grads } = tf.variableGrads(
        () => f(x),
        layer.trainableWeights.map((w) => w.read() as tf.Variable),
      );
      return [layer.apply(x) as tf.Tensor, tf.grad(f)(x), ...layer.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name])];
    },
    0,
  );
  drop(layer);
});

test('fallbacks agree too: another activation, a rank-3 input', async () => {
  const tanh = dense(6, 4, 'tanh', true, 21);
  await agree('dense tanh', forwardAndGrads(tanh, [3, 6], 4));
  const seq = dense(6, 4, 'relu', true, 23);
  await agree('dense relu on [2, 3, 6]', forwardAndGrads(seq, [2, 3, 6], 5));
  drop(tanh, seq);
});

test('no tensors leak through a forward and backward on the lab path', async () => {
  await tf.setBackend('wasm');
  const layer = dense(9, 5, 'relu', true, 31);
  const inner = forwardAndGrads(layer, [4, 9], 8);
  const step = () => tf.tidy(inner);
  tf.dispose(step());
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) tf.dispose(step());
  assert.equal(tf.memory().numTensors, before);
  drop(layer);
});
