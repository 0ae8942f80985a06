// saves.ts: the tensors a gradient keeps, saved without an Identity dispatch at gradient depth
// 1 on wasm. First and second order gradients against the cpu backend, the kernels that ran,
// and the tensor and buffer counts (nothing leaks, nothing is freed early).
import { afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { agree, rand, setup } from './compare';
import { tinyVae } from './tiny-vae';

before(setup);
afterEach(() => delete process.env.VAE_LAB_CHEAP_SAVES);

const names = async (f: () => void) => (await tf.profile(f)).kernels.map((k) => k.name);

/** A function whose gradients read saved inputs and outputs (Multiply, Exp, Square, RealDiv). */
const f = (x: tf.Tensor) =>
  x
    .mul(x.exp())
    .add(x.square().div(x.abs().add(1)))
    .sum() as tf.Scalar;

test('first order gradients agree with cpu, and no Identity runs for the saves', async () => {
  await agree('grad', () => [tf.grad(f)(rand([5, 7], 3))]);
  await tf.setBackend('wasm');
  const x = rand([5, 7], 3);
  const cheap = await names(() => tf.dispose(tf.grad(f)(x)));
  assert.ok(!cheap.includes('Identity'), `kernels: ${cheap.join(', ')}`);
  process.env.VAE_LAB_CHEAP_SAVES = '0';
  const stock = await names(() => tf.dispose(tf.grad(f)(x)));
  assert.ok(stock.includes('Identity'), `VAE_LAB_CHEAP_SAVES=0: ${stock.join(', ')}`);
  x.dispose();
});

test('second and third order gradients (saves inside nested gradient scopes) agree with cpu', async () => {
  const g1 = (x: tf.Tensor) => tf.grad(f)(x).sum() as tf.Scalar;
  const g2 = (x: tf.Tensor) => tf.grad(g1)(x).sum() as tf.Scalar;
  await agree('grad of grad', () => [tf.grad(g1)(rand([3, 4], 5)), tf.grad(g2)(rand([3, 4], 6))], 1e-4);
});

test('a VAE step: loss and gradients agree with cpu; tensors and buffers do not grow over steps', async () => {
  const loss = tinyVae();
  const x = () => rand([4, 8, 8, 1], 43);
  await tf.setBackend('wasm');
  tf.tidy(() => loss(x()));
  await agree('tiny VAE', () => {
    const { value, grads } = tf.variableGrads(() => loss(x()));
    return [value, ...Object.keys(grads).map((k) => grads[k])];
  });
  await tf.setBackend('wasm');
  const opt = tf.train.adam(1e-3);
  const step = () => tf.dispose(opt.minimize(() => loss(x()), true) ?? []);
  step();
  const tensors = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  for (let i = 0; i < 5; i++) step();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.engine().backend.numDataIds(), buffers);
  opt.dispose();
});

test('a saved tensor outlives its original being disposed inside the step', async () => {
  await tf.setBackend('wasm');
  const x = rand([6], 9);
  const g = tf.grad((x: tf.Tensor) => {
    const e = x.exp(); // Exp saves its output e
    const out = e.sum();
    e.dispose(); // the gradient still reads the saved clone's bytes
    return out as tf.Scalar;
  })(x);
  const want = x.exp();
  assert.deepEqual(Array.from(g.dataSync()), Array.from(want.dataSync()));
  tf.dispose([x, g, want]);
});
