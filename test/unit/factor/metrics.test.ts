import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/lab/core/random';
import { DSPRITES_FACTOR_SIZES } from '../../../src/lab/data/dsprites';
import { betaVaeMetric, factorVaeMetric, fitSoftmax, latentFactors, type Representation } from '../../../src/lab/metrics/disentanglement';

const sizes = DSPRITES_FACTOR_SIZES;
const K = sizes.length;
const small = { numTrain: 200, numEval: 200, batchSize: 32, numVarianceEstimate: 1000 };

/** The factors themselves, rescaled per factor and followed by two noise dims (which the metrics must ignore). */
function identityPlusNoise(seed: number): Representation {
  const rng = new Rng(seed);
  return (f, n) => {
    const out = new Float32Array(n * (K + 2));
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) out[i * (K + 2) + k] = (f[i * K + k] * (k + 1)) / sizes[k];
      out[i * (K + 2) + K] = rng.uniform(-1, 1);
      out[i * (K + 2) + K + 1] = rng.uniform(-3, 3);
    }
    return out;
  };
}
/** Codes that ignore the input. */
function random(seed: number, D = 10): Representation {
  const rng = new Rng(seed);
  return (_f, n) => Float32Array.from({ length: n * D }, () => rng.uniform(-1, 1));
}
const constant: Representation = (_f, n) => new Float32Array(n * 10).fill(0.3);
/** Encodes shape, scale and orientation; posX and posY are replaced by noise. */
function partial(seed: number): Representation {
  const rng = new Rng(seed);
  return (f, n) => Float32Array.from({ length: n * K }, (_, j) => (j % K < 3 ? f[j] : rng.uniform(0, 30)));
}

test('FactorVAE metric: the factors themselves score 1, whatever their scale, ignoring noise dims', async () => {
  const r = await factorVaeMetric(identityPlusNoise(1), sizes, { seed: 1, ...small });
  assert.equal(r.evalAccuracy, 1);
  assert.equal(r.activeDims, K + 2);
  for (let k = 0; k < K; k++) assert.equal(r.votes[k].indexOf(Math.max(...r.votes[k])), k, `dim ${k} votes for factor ${k}`);
});

test('FactorVAE metric: random codes score near chance (1/5), constant codes 0 (no active dims)', async () => {
  const r = await factorVaeMetric(random(2), sizes, { seed: 2, ...small });
  assert.ok(Math.abs(r.evalAccuracy - 1 / K) < 0.1, `random: ${r.evalAccuracy}`);
  const c = await factorVaeMetric(constant, sizes, { seed: 2, ...small });
  assert.equal(c.activeDims, 0);
  assert.equal(c.evalAccuracy, 0);
});

test('FactorVAE metric: a representation of 3 of 5 factors scores in between, and the seed makes it reproducible', async () => {
  const a = await factorVaeMetric(partial(3), sizes, { seed: 3, ...small });
  const b = await factorVaeMetric(partial(3), sizes, { seed: 3, ...small });
  assert.deepEqual(a, b);
  assert.ok(a.evalAccuracy > 0.5 && a.evalAccuracy < 0.8, `partial: ${a.evalAccuracy}`);
});

test('beta-VAE metric: factors score ~1; random and constant codes near chance', async () => {
  const opts = { numTrain: 150, numEval: 100, batchSize: 32, iterations: 300 };
  const id = await betaVaeMetric(identityPlusNoise(4), sizes, { seed: 4, ...opts });
  assert.ok(id.evalAccuracy >= 0.97, `identity: ${id.evalAccuracy}`);
  const rnd = await betaVaeMetric(random(5), sizes, { seed: 5, ...opts });
  assert.ok(rnd.evalAccuracy < 0.35, `random: ${rnd.evalAccuracy}`);
  const c = await betaVaeMetric(constant, sizes, { seed: 5, ...opts });
  assert.ok(c.evalAccuracy < 0.35, `constant: ${c.evalAccuracy}`);
  const p = await betaVaeMetric(partial(6), sizes, { seed: 6, ...opts });
  assert.ok(p.evalAccuracy > 0.5 && p.evalAccuracy < 0.9, `partial: ${p.evalAccuracy}`);
});

test('fitSoftmax: separates linearly separable classes and fails on label noise', () => {
  const rng = new Rng(9);
  const X: Float64Array[] = [],
    y: number[] = [];
  for (let i = 0; i < 300; i++) {
    const k = i % 3;
    X.push(Float64Array.from([k * 2 + rng.uniform(-0.5, 0.5), rng.uniform(-1, 1)]));
    y.push(k);
  }
  const predict = fitSoftmax(X, y, 3, 300);
  assert.equal(X.filter((x, i) => predict(x) === y[i]).length, 300);
  const shuffled = y.map(() => rng.int(3));
  const p2 = fitSoftmax(X, shuffled, 3, 300);
  assert.ok(X.filter((x, i) => p2(x) === shuffled[i]).length < 160);
});

/**
 * Shape, scale and orientation as themselves, but x and y mixed by a rotation:
 * z3 = (x + y)/sqrt 2, z4 = (x - y)/sqrt 2. Fixing x or y shrinks both mixed dims alike, so
 * the two position factors cannot be told apart: both metrics should land between the
 * 3-of-5 floor (0.6) and 1.
 */
const mixed: Representation = (f, n) => {
  const out = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) out[i * K + k] = f[i * K + k] / sizes[k];
    const x = f[i * K + 3] / sizes[3],
      y = f[i * K + 4] / sizes[4];
    out[i * K + 3] = (x + y) / Math.SQRT2;
    out[i * K + 4] = (x - y) / Math.SQRT2;
  }
  return out;
};

test('both metrics: a representation that mixes x and y scores between the unmixed factors and chance', async () => {
  const fv = await factorVaeMetric(mixed, sizes, { seed: 7, ...small });
  const id = await factorVaeMetric(identityPlusNoise(7), sizes, { seed: 7, ...small });
  assert.ok(fv.evalAccuracy > 0.55 && fv.evalAccuracy < 0.9 && fv.evalAccuracy < id.evalAccuracy, `FactorVAE metric, mixed: ${fv.evalAccuracy}`);
  const opts = { numTrain: 150, numEval: 100, batchSize: 32, iterations: 300 };
  const bv = await betaVaeMetric(mixed, sizes, { seed: 8, ...opts });
  assert.ok(bv.evalAccuracy > 0.55 && bv.evalAccuracy < 0.92, `beta-VAE metric, mixed: ${bv.evalAccuracy}`);
});

test('FactorVAE metric: the factors survive a per-dim rescale and a permutation of dims (the classifier maps dims to factors)', async () => {
  const perm = [3, 0, 4, 1, 2];
  const r: Representation = (f, n) =>
    Float32Array.from({ length: n * K }, (_, j) => {
      const i = Math.floor(j / K),
        d = j % K;
      return (f[i * K + perm[d]] * (d + 1) * 7) / sizes[perm[d]];
    });
  const res = await factorVaeMetric(r, sizes, { seed: 9, ...small });
  assert.equal(res.evalAccuracy, 1);
  for (let d = 0; d < K; d++) assert.equal(res.votes[d].indexOf(Math.max(...res.votes[d])), perm[d]);
});

test('latentFactors: each factor dim is labelled with its factor (eta^2 ~1); noise dims get eta^2 near 0', async () => {
  const labels = await latentFactors(identityPlusNoise(10), sizes, { seed: 10, n: 3000 });
  for (let k = 0; k < K; k++) {
    assert.equal(labels[k].factor, k);
    assert.ok(labels[k].eta2 > 0.99, `dim ${k}: ${labels[k].eta2}`);
  }
  for (const d of [K, K + 1]) assert.ok(labels[d].eta2 < 0.03, `noise dim ${d}: ${labels[d].eta2}`);
  const m = await latentFactors(mixed, sizes, { seed: 11, n: 3000 });
  for (const d of [3, 4]) assert.ok(m[d].factor >= 3 && m[d].eta2 > 0.4 && m[d].eta2 < 0.6, `mixed dim ${d}: ${JSON.stringify(m[d])}`);
  assert.equal((await latentFactors(constant, sizes, { seed: 1, n: 100 }))[0].eta2, 0);
});
