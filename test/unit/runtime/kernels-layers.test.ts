// Everything a VAE step touches, on wasm (with the lab's kernels) against cpu: dense, conv,
// conv-transpose, BatchNormalization, leakyReLU/ReLU, softplus, sigmoid cross entropy,
// logSumExp, gather; and the tensor count over 100 Adam steps.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { agree, rand, setup } from './compare';
import { tinyVae } from './tiny-vae';

before(setup);

test('a VAE loss and every variable gradient agree between wasm and cpu, batch 1 and 64', async () => {
  const loss = tinyVae();
  for (const batch of [1, 64]) {
    const x = () => rand([batch, 8, 8, 1], 43);
    await tf.setBackend('wasm');
    tf.tidy(() => loss(x())); // builds the layers
    await agree(`tiny VAE batch ${batch}`, () => {
      const { value, grads } = tf.variableGrads(() => loss(x()));
      return [
        value,
        ...Object.keys(grads)
          .sort()
          .map((k) => grads[k]),
      ];
    });
  }
});

test('gather gradient (UnsortedSegmentSum) with repeated and unused indices', async () => {
  await agree('gather grad', () => {
    const p = rand([10, 3], 47);
    const idx = tf.tensor1d([0, 3, 3, 9, 0, 0], 'int32');
    const r = rand([6, 3], 53);
    return [tf.grad((p: tf.Tensor) => tf.gather(p, idx).mul(r).sum())(p)];
  });
});

test("a clone shares its bytes and outlives the original; a variable's assign leaves its clone as it was", async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor1d([1, 2, 3]);
  const c = tf.clone(x);
  const buffers = tf.engine().backend.numDataIds();
  x.dispose();
  assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]);
  assert.equal(tf.engine().backend.numDataIds(), buffers, 'the bytes stay while the clone holds them');
  c.dispose();
  assert.equal(tf.engine().backend.numDataIds(), buffers - 1, 'and go with the last owner');
  const v = tf.variable(tf.tensor1d([4, 5]));
  const vc = v.clone();
  v.assign(tf.tensor1d([6, 7]));
  assert.deepEqual(Array.from(vc.dataSync()), [4, 5]);
  assert.deepEqual(Array.from(v.dataSync()), [6, 7]);
  tf.dispose([v, vc]);
});

test('tensor count is stable over 100 Adam steps on wasm', async () => {
  await tf.setBackend('wasm');
  const loss = tinyVae();
  const opt = tf.train.adam(1e-3);
  const x = rand([8, 8, 8, 1], 59);
  const step = () => tf.dispose(opt.minimize(() => loss(x), true) ?? []);
  tf.tidy(() => loss(x)); // builds the layers, so minimize sees their variables
  for (let i = 0; i < 3; i++) step();
  const before = tf.memory().numTensors;
  // numDataIds counts wasm heap buffers, so it also catches a kernel's unfreed intermediate
  const buffers = tf.engine().backend.numDataIds();
  for (let i = 0; i < 100; i++) step();
  assert.equal(tf.memory().numTensors, before);
  assert.equal(tf.engine().backend.numDataIds(), buffers);
  const l0 = tf.tidy(() => loss(x).dataSync()[0]);
  assert.ok(Number.isFinite(l0));
  x.dispose();
});
