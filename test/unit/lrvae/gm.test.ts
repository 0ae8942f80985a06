import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { GaussianMixture, gmLoss, gmLogits, gmUnlabeledNll, ambiguousGaussian, sampleClass, gaussianMixtureModel } from '../../../src/lab/models/gm';
import { moons } from '../../../src/lab/data/moons';
import { InvalidArgumentError } from '../../../src/lab/core/errors';

function setParams(gm: GaussianMixture, mu: number[][], variance: number[][]): void {
  const rhoVals = variance.map((r) => r.map((v) => Math.log(v - gm.minVariance)));
  gm.setWeights([tf.tensor2d(mu), tf.tensor2d(rhoVals)]);
}

test('distances and loss match a direct computation of the formulas', () => {
  const gm = new GaussianMixture({ classes: 3, dim: 2, seed: 1 });
  const mu = [
    [0, 0],
    [2, 1],
    [-1, 3],
  ];
  const va = [
    [1, 0.5],
    [0.2, 2],
    [1.5, 1.5],
  ];
  setParams(gm, mu, va);
  const f = [
    [0.3, -0.2],
    [1.5, 1.1],
    [-0.7, 2.2],
    [4, -1],
  ];
  const y = [0, 1, 2, 1];
  const alpha = 0.1,
    lambdaLkd = 0.1;
  // Reference by hand.
  let cls = 0,
    lkd = 0;
  for (let i = 0; i < f.length; i++) {
    const d = mu.map((m, k) => 0.5 * ((f[i][0] - m[0]) ** 2 / va[k][0] + (f[i][1] - m[1]) ** 2 / va[k][1]));
    const ld = va.map((v) => Math.log(v[0]) + Math.log(v[1]));
    const logits = d.map((dk, k) => -(1 + (k === y[i] ? alpha : 0)) * dk - 0.5 * ld[k]);
    const lse = Math.log(logits.reduce((s, l) => s + Math.exp(l), 0));
    cls += (lse - logits[y[i]]) / f.length;
    lkd += (d[y[i]] + 0.5 * ld[y[i]]) / f.length;
  }
  const before = tf.memory().numTensors;
  const ft = tf.tensor2d(f);
  const yt = tf.tensor1d(y, 'int32');
  const out = gmLoss(gm, ft, yt, { alpha, lambdaLkd });
  assert.ok(Math.abs(out.cls.arraySync() - cls) < 1e-5, `cls ${out.cls.arraySync()} vs ${cls}`);
  assert.ok(Math.abs(out.lkd.arraySync() - lkd) < 1e-5);
  assert.ok(Math.abs(out.loss.arraySync() - (cls + lambdaLkd * lkd)) < 1e-5);
  // The margin only raises the loss: every d_k >= 0.
  const noMargin = gmLoss(gm, ft, yt, { alpha: 0, lambdaLkd });
  assert.ok(noMargin.cls.arraySync() < out.cls.arraySync());
  tf.dispose([ft, yt, out.loss, out.cls, out.lkd, out.accuracy, noMargin.loss, noMargin.cls, noMargin.lkd, noMargin.accuracy]);
  assert.equal(tf.memory().numTensors, before);
});

test('training the mixture on moons points learns the class means and classifies them', () => {
  const { x, y } = moons({ n: 600, seed: 3 });
  const f = tf.reshape(x, [600, 2]) as tf.Tensor2D;
  const gm = new GaussianMixture({ classes: 3, dim: 2, seed: 4 });
  const opt = tf.train.adam(0.05);
  const vars = gm.trainableWeights.map((w) => w.read() as tf.Variable);
  const first = tf.tidy(() => gmLoss(gm, f, y).loss.arraySync());
  for (let i = 0; i < 300; i++) opt.minimize(() => gmLoss(gm, f, y).loss, false, vars);
  const out = tf.tidy(() => ({ loss: gmLoss(gm, f, y).loss.arraySync(), acc: gmLoss(gm, f, y).accuracy.arraySync() }));
  assert.ok(out.loss < first * 0.5, `loss ${first} -> ${out.loss}`);
  assert.ok(out.acc > 0.95, `accuracy ${out.acc}`);
  // With a strong likelihood term (lambda_lkd = 1) the means move to the class centroids
  // (circle k is centred at x = 2.2k; the mean height of an upper half circle is 2/pi).
  const gm2 = new GaussianMixture({ classes: 3, dim: 2, seed: 4 });
  const vars2 = gm2.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt2 = tf.train.adam(0.05);
  for (let i = 0; i < 400; i++) opt2.minimize(() => gmLoss(gm2, f, y, { lambdaLkd: 1 }).loss, false, vars2);
  gm2
    .means()
    .arraySync()
    .forEach(([mx, my], k) => {
      assert.ok(Math.abs(mx - 2.2 * k) < 0.15 && Math.abs(my - 2 / Math.PI) < 0.15, `class ${k} mean (${mx}, ${my})`);
    });
  opt2.dispose();
  tf.dispose([x, y, f]);
  opt.dispose();
});

test('class samples follow N(mu_c, Lambda_c); the ambiguous Gaussian has the mixture moments', () => {
  const gm = new GaussianMixture({ classes: 2, dim: 1, seed: 1 });
  setParams(gm, [[-2], [2]], [[0.5], [1.5]]);
  const s = sampleClass(gm, 1, 20000, 9);
  const m = (s.mean() as tf.Scalar).arraySync();
  const v = tf.moments(s).variance.arraySync() as number;
  assert.ok(Math.abs(m - 2) < 0.05 && Math.abs(v - 1.5) < 0.06, `mean ${m} var ${v}`);
  const { mean, variance } = ambiguousGaussian(gm);
  // Uniform mixture: mean 0, variance = mean(var) + var(means) = 1 + 4.
  assert.ok(Math.abs(mean.arraySync()[0]) < 1e-6);
  assert.ok(Math.abs(variance.arraySync()[0] - 5) < 1e-5);
  // 'mixture' NLL is lowest at a component mean, 'ambiguous' at the overall mean.
  const pts = tf.tensor2d([[-2], [0], [2]]);
  const mix = gmUnlabeledNll(gm, pts, 'mixture').arraySync();
  const amb = gmUnlabeledNll(gm, pts, 'ambiguous').arraySync();
  assert.ok(mix[1] > mix[0] && mix[1] > mix[2]);
  assert.ok(amb[1] < amb[0] && amb[1] < amb[2]);
  assert.throws(() => sampleClass(gm, 2, 1), InvalidArgumentError);
  tf.dispose([s, mean, variance, pts]);
});

test('the mixture is a layer: its model maps f to d and keeps the parameters as weights', () => {
  const { model, gm } = gaussianMixtureModel({ classes: 4, dim: 3, seed: 2 });
  const f = tf.randomNormal([5, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
  const d = model.predict(f) as tf.Tensor;
  assert.deepEqual(d.shape, [5, 4]);
  const direct = gm.distances(f);
  assert.ok((tf.max(tf.abs(tf.sub(d, direct))) as tf.Scalar).arraySync() < 1e-6);
  assert.equal(model.trainableWeights.length, 2);
  const logits = gmLogits(gm, f);
  assert.ok(Math.abs(Math.max(...(tf.sum(tf.softmax(logits), 1).arraySync() as number[])) - 1) < 1e-5);
  tf.dispose([f, d, direct, logits]);
});
