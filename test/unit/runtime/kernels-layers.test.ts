// Everything a VAE step touches, on wasm (with the lab's kernels) against cpu: dense, conv,
// conv-transpose, BatchNormalization, leakyReLU/ReLU, softplus, sigmoid cross entropy,
// logSumExp, gather; and the tensor count over 100 Adam steps.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { agree, rand, setup } from './compare';

before(setup);

/** A tiny conv VAE body built from the layers the lab uses; weights shared by both backends. */
function tinyVae() {
  const init = { kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) };
  const enc = [
    // no bias before batch-norm: its gradient is zero in exact arithmetic, i.e. pure rounding noise
    tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, ...init }),
    tf.layers.batchNormalization(),
    tf.layers.leakyReLU({ alpha: 0.2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 6, ...init }),
  ];
  const dec = [
    tf.layers.dense({ units: 4 * 4 * 3, activation: 'relu', ...init }),
    tf.layers.reshape({ targetShape: [4, 4, 3] }),
    tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', ...init }),
  ];
  const run = (layers: tf.layers.Layer[], x: tf.Tensor) => layers.reduce((h, l) => l.apply(h, { training: true }) as tf.Tensor, x);
  /** Negative ELBO with a fixed eps: Bernoulli logits loss + Gaussian KL, plus a logSumExp and gather term. */
  return (x: tf.Tensor): tf.Scalar => {
    const h = run(enc, x);
    const [mu, logvar] = tf.split(h, 2, 1);
    const z = mu.add(tf.exp(logvar.mul(0.5)).mul(rand(mu.shape, 41)));
    const logits = run(dec, z).reshape([x.shape[0], -1]);
    const target = x.reshape([x.shape[0], -1]).greater(0).toFloat();
    const rec = tf.losses.sigmoidCrossEntropy(target, logits, undefined, 0, tf.Reduction.SUM);
    const kl = tf.sum(tf.exp(logvar).add(mu.square()).sub(1).sub(logvar)).mul(0.5);
    const lse = tf.logSumExp(logits, 1).sum().mul(0.01);
    const b = x.shape[0];
    const picked = tf
      .gather(logits, tf.tensor1d([0, b - 1, b - 1, 0], 'int32'))
      .softplus()
      .sum()
      .mul(0.01);
    return rec.add(kl).add(lse).add(picked).div(x.shape[0]) as tf.Scalar;
  };
}

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
