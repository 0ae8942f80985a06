import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { Rng } from '../../../src/lab/core/random';
import { klGaussians, LOG_2PI } from '../../../src/lab/models/gaussian';
import type { DensityModel, GaussianPosterior } from '../../../src/lab/models/types';
import { activeUnits, importanceSampledNll, mutualInformation } from '../../../src/lab/metrics/latent';
import { evaluate, kSweep } from '../../../src/lab/metrics/evaluate';
import { ImageDataset } from '../../../src/lab/data/dataset';
import { useCpu } from './helpers';

/**
 * Linear-Gaussian model: z ~ N(0, I_2), x = W z + b + N(0, s^2 I_3), x stored as [n, 3, 1, 1].
 * p(x) = N(b, W W^T + s^2 I) in closed form; exact posterior N(S W^T (x-b)/s^2, S),
 * S = (I + W^T W / s^2)^-1. `inflate` widens q to test a non-exact proposal.
 */
const W = [
  [1.0, -0.5],
  [0.3, 0.8],
  [-0.7, 0.2],
];
const b = [0.2, -0.1, 0.4];
const s2 = 0.25;

function posteriorCov(): number[][] {
  // A = I + W^T W / s2 (2x2), S = A^-1
  const A = [
    [1, 0],
    [0, 1],
  ].map((row, i) => row.map((v, j) => v + W.reduce((acc, w) => acc + w[i] * w[j], 0) / s2));
  const det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
  return [
    [A[1][1] / det, -A[0][1] / det],
    [-A[1][0] / det, A[0][0] / det],
  ];
}

function linearGaussian(inflate: number): DensityModel {
  const S = posteriorCov();
  const Wt = tf.tensor2d(W);
  return {
    latentDim: 2,
    inputShape: [3, 1, 1],
    encode(x: tf.Tensor4D): GaussianPosterior {
      return tf.tidy(() => {
        const r = tf.sub(tf.reshape(x, [-1, 3]), tf.tensor1d(b)); // [n,3]
        const mean = tf.div(tf.matMul(tf.matMul(r, Wt), tf.tensor2d(S)), s2) as tf.Tensor2D; // (x-b) W S / s2 (S symmetric)
        // Diagonal proposal: the exact marginal variances, times `inflate`.
        const logVar = tf.add(tf.zerosLike(mean), tf.log(tf.tensor1d([S[0][0] * inflate, S[1][1] * inflate]))) as tf.Tensor2D;
        return { mean, logVar };
      });
    },
    decode(z: tf.Tensor2D) {
      return tf.tidy(() => tf.reshape(tf.add(tf.matMul(z, Wt, false, true), tf.tensor1d(b)), [-1, 3, 1, 1]) as tf.Tensor4D);
    },
    logLikelihood(x: tf.Tensor4D, z: tf.Tensor2D) {
      return tf.tidy(() => {
        const mu = tf.add(tf.matMul(z, Wt, false, true), tf.tensor1d(b));
        const n = x.shape[0],
          k = z.shape[0] / n; // k codes per image, k-major
        const sq = tf.div(tf.square(tf.sub(tf.reshape(x, [1, n, 3]), tf.reshape(mu, [k, n, 3]))), s2);
        return tf.reshape(tf.mul(tf.sum(tf.add(sq, LOG_2PI + Math.log(s2)), 2), -0.5), [k * n]) as tf.Tensor1D;
      });
    },
  };
}

/** Closed-form log N(x; b, W W^T + s2 I) by Gaussian elimination on the 3x3 covariance. */
function exactLogPx(x: number[]): number {
  const C = [0, 1, 2].map((i) => [0, 1, 2].map((j) => W[i][0] * W[j][0] + W[i][1] * W[j][1] + (i === j ? s2 : 0)));
  const r = x.map((v, i) => v - b[i]);
  // Solve C y = r and get det(C) by elimination (C is SPD, no pivoting needed).
  const M = C.map((row, i) => [...row, r[i]]);
  let det = 1;
  for (let k = 0; k < 3; k++) {
    det *= M[k][k];
    for (let i = k + 1; i < 3; i++) {
      const f = M[i][k] / M[k][k];
      for (let j = k; j < 4; j++) M[i][j] -= f * M[k][j];
    }
  }
  const y = [0, 0, 0];
  for (let i = 2; i >= 0; i--) y[i] = (M[i][3] - M[i][i + 1 < 3 ? i + 1 : 2] * (i + 1 < 3 ? y[i + 1] : 0) - (i + 2 < 3 ? M[i][i + 2] * y[i + 2] : 0)) / M[i][i];
  const quad = r.reduce((a, v, i) => a + v * y[i], 0);
  return -0.5 * (quad + Math.log(det) + 3 * LOG_2PI);
}

function samples(n: number): { x: tf.Tensor4D; rows: number[][] } {
  const rng = new Rng(5);
  const rows = Array.from({ length: n }, () => [0, 1, 2].map(() => rng.uniform(-2, 2)));
  return { x: tf.tensor4d(rows.flat(), [n, 3, 1, 1]), rows };
}

test('NLL: a near-exact proposal gives the closed-form marginal likelihood', async () => {
  await useCpu();
  const { x, rows } = samples(20);
  const model = linearGaussian(1);
  // The diagonal proposal has the exact marginal variances (S is not diagonal), so K must be large.
  const exact = rows.reduce((a, r) => a - exactLogPx(r), 0) / rows.length;
  const est = await importanceSampledNll(model, x, { K: 4000, chunk: 8000, seed: 1 });
  assert.ok(Math.abs(est - exact) < 0.02, `estimate ${est} vs closed form ${exact}`);
  x.dispose();
});

test('NLL: a wide proposal still converges to the closed form, and small K is biased upwards', async () => {
  await useCpu();
  const { x, rows } = samples(20);
  const model = linearGaussian(4);
  const exact = rows.reduce((a, r) => a - exactLogPx(r), 0) / rows.length;
  const n0 = tf.memory().numTensors;
  const big = await importanceSampledNll(model, x, { K: 5000, chunk: 2000, seed: 2 }); // chunked: 2000 decodes per call
  const small = await importanceSampledNll(model, x, { K: 1, seed: 2 });
  assert.equal(tf.memory().numTensors, n0, 'NLL leaks no tensors');
  assert.ok(Math.abs(big - exact) < 0.05, `K=5000: ${big} vs ${exact}`);
  assert.ok(small > exact + 0.1, `K=1 bound ${small} should be looser than ${exact}`);
  x.dispose();
});

/** An encoder with fixed posteriors per example (no nets): mean = f(x), logVar constant. */
function fixedEncoder(meanOf: (x: tf.Tensor4D) => tf.Tensor2D, logVar: number, L: number) {
  return {
    latentDim: L,
    inputShape: [4, 1, 1] as [number, number, number],
    encode: (x: tf.Tensor4D) =>
      tf.tidy(() => {
        const mean = meanOf(x);
        return { mean, logVar: tf.fill(mean.shape, logVar) as tf.Tensor2D };
      }),
    decode: (z: tf.Tensor2D) => tf.zeros([z.shape[0], 4, 1, 1]) as tf.Tensor4D,
  };
}

test('AU: an input-ignoring encoder has 0 active units; an informative one has all', async () => {
  await useCpu();
  const x = tf.randomUniform([300, 4, 1, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const ignoring = fixedEncoder((x) => tf.add(tf.zeros([x.shape[0], 4]), tf.tensor1d([0.5, -1, 2, 0])) as tf.Tensor2D, 0, 4);
  const informative = fixedEncoder((x) => tf.mul(tf.reshape(x, [-1, 4]), 3) as tf.Tensor2D, -2, 4);
  assert.equal((await activeUnits(ignoring, x, { chunk: 128 })).au, 0);
  const r = await activeUnits(informative, x, { chunk: 128 });
  assert.equal(r.au, 4);
  // Var of 3*U(0,1) is 9/12 = 0.75
  for (const v of r.variances) assert.ok(Math.abs(v - 0.75) < 0.15, `variance ${v}`);
  x.dispose();
});

test('MI: ~0 for an input-ignoring encoder, near log M for a very informative one', async () => {
  await useCpu();
  const M = 200;
  const x = tf.randomUniform([M, 4, 1, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
  const ignoring = fixedEncoder((x) => tf.zeros([x.shape[0], 4]) as tf.Tensor2D, 0, 4);
  const informative = fixedEncoder((x) => tf.mul(tf.reshape(x, [-1, 4]), 50) as tf.Tensor2D, -6, 4);
  const n0 = tf.memory().numTensors;
  const lo = await mutualInformation(ignoring, x, 1);
  const hi = await mutualInformation(informative, x, 1);
  assert.equal(tf.memory().numTensors, n0);
  assert.equal(lo.M, M);
  assert.ok(Math.abs(lo.mi) < 1e-3, `ignoring: ${lo.mi}`);
  assert.ok(hi.mi > 0.95 * Math.log(M) && hi.mi <= Math.log(M) + 1e-3, `informative: ${hi.mi} vs log M ${Math.log(M)}`);
  x.dispose();
});

test('MI over every image in row chunks equals the one-matrix estimate; the bound is reported', async () => {
  await useCpu();
  const M = 300;
  const x = tf.randomUniform([M, 4, 1, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
  const blurry = fixedEncoder((x) => tf.mul(tf.reshape(x, [-1, 4]), 2) as tf.Tensor2D, -1, 4);
  const informative = fixedEncoder((x) => tf.mul(tf.reshape(x, [-1, 4]), 50) as tf.Tensor2D, -6, 4);
  const n0 = tf.memory().numTensors;
  const whole = await mutualInformation(blurry, x, { seed: 3, chunk: M });
  const chunked = await mutualInformation(blurry, x, { seed: 3, chunk: 7 });
  assert.equal(tf.memory().numTensors, n0);
  assert.ok(Math.abs(whole.mi - chunked.mi) < 1e-4, `${whole.mi} vs ${chunked.mi}`);
  assert.equal(whole.M, M);
  assert.ok(Math.abs(whole.logM - Math.log(M)) < 1e-12);
  assert.ok(whole.mi > 0.2 && whole.mi < whole.logM - 0.5, `a blurry encoder sits well under the bound: ${whole.mi}`);
  assert.equal(whole.atBound, false);
  const hi = await mutualInformation(informative, x, { seed: 3, chunk: 64 });
  assert.equal(hi.atBound, true, `mi ${hi.mi}, log M ${hi.logM}`);
  x.dispose();
});

test('K sweep: the NLL falls towards the closed form as K grows (the bias of small K, sized)', async () => {
  await useCpu();
  const rng = new Rng(8);
  const set = new ImageDataset(
    Uint8Array.from({ length: 40 * 3 }, () => rng.int(256)),
    [3, 1, 1],
  );
  const model = linearGaussian(4); // a wide proposal: small K is visibly biased
  const rows = await kSweep(model, set, { Ks: [2, 50, 3000], examples: 30, seed: 1 });
  assert.deepEqual(
    rows.map((r) => r.K),
    [2, 50, 3000],
  );
  assert.ok(rows[0].nll > rows[1].nll && rows[1].nll > rows[2].nll, rows.map((r) => r.nll).join(' > '));
  const { x } = set.batch(
    Int32Array.from({ length: 30 }, (_, i) => i),
    new Rng(2),
  ); // the sweep's binarization
  const xs = x.arraySync() as number[][][][];
  x.dispose();
  const exact = -xs.reduce((a, r) => a + exactLogPx(r.map((p) => p[0][0])), 0) / 30;
  assert.ok(Math.abs(rows[2].nll - exact) < 0.05, `K 3000: ${rows[2].nll} vs exact ${exact}`);
  assert.ok(rows[2].se > 0);
});

test('evaluate: the NLL on the scored images, MI and AU over the latent set (a whole test set), with its log M', async () => {
  await useCpu();
  const rng = new Rng(11);
  const bytes = (n: number) => Uint8Array.from({ length: n * 3 }, () => rng.int(256));
  const scored = new ImageDataset(bytes(20), [3, 1, 1]),
    latent = new ImageDataset(bytes(150), [3, 1, 1]);
  const model = linearGaussian(1);
  const n0 = tf.memory().numTensors;
  const r = await evaluate(model, scored, { K: 20, latent, binarize: false, seed: 3 });
  assert.equal(tf.memory().numTensors, n0);
  assert.deepEqual([r.n, r.M], [20, 150]);
  assert.ok(Math.abs(r.logM - Math.log(150)) < 1e-12);
  const { x } = latent.batch(Int32Array.from({ length: 150 }, (_, i) => i));
  const direct = await mutualInformation(model, x, { seed: 3 });
  assert.ok(Math.abs(r.mi - direct.mi) < 1e-6, `MI over the latent set: ${r.mi} vs ${direct.mi}`);
  assert.equal(r.miAtBound, direct.atBound);
  assert.equal(r.au, (await activeUnits(model, x)).au);
  x.dispose();
  const own = await evaluate(model, scored, { K: 20, binarize: false, seed: 3 });
  assert.deepEqual([own.n, own.M], [20, 20], 'without a latent set, MI and AU use the scored images');
  assert.ok(Math.abs(own.nll - r.nll) < 1e-9, 'the latent set does not change the NLL');
  assert.notEqual(own.mi, r.mi);
});

test('Gaussian KL: 0 for equal posteriors; matches numerical integration on random Gaussians', async () => {
  await useCpu();
  const rng = new Rng(9);
  const L = 3,
    n = 4;
  const rand = (lo: number, hi: number) => Array.from({ length: n * L }, () => rng.uniform(lo, hi));
  const ma = rand(-1, 1),
    la = rand(-1, 1),
    mb = rand(-1, 1),
    lb = rand(-1, 1);
  const a = { mean: tf.tensor2d(ma, [n, L]), logVar: tf.tensor2d(la, [n, L]) };
  const bq = { mean: tf.tensor2d(mb, [n, L]), logVar: tf.tensor2d(lb, [n, L]) };
  const same = klGaussians(a, a).dataSync();
  for (const v of same) assert.ok(Math.abs(v) < 1e-6);
  const kl = klGaussians(a, bq).dataSync();
  // Independent check: integrate p log(p/q) per dimension on a fine grid (trapezoid), sum over dims.
  const logN = (x: number, m: number, lv: number) => -0.5 * (LOG_2PI + lv + (x - m) ** 2 / Math.exp(lv));
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let d = 0; d < L; d++) {
      const k = i * L + d;
      const sd = Math.exp(la[k] / 2);
      const lo = ma[k] - 12 * sd,
        hi = ma[k] + 12 * sd,
        steps = 20000,
        h = (hi - lo) / steps;
      let acc = 0;
      for (let s = 0; s <= steps; s++) {
        const x = lo + s * h;
        const lp = logN(x, ma[k], la[k]);
        acc += (s === 0 || s === steps ? 0.5 : 1) * Math.exp(lp) * (lp - logN(x, mb[k], lb[k]));
      }
      total += acc * h;
    }
    assert.ok(Math.abs(total - kl[i]) < 1e-4, `example ${i}: closed form ${kl[i]} vs integral ${total}`);
  }
  tf.dispose([a.mean, a.logVar, bq.mean, bq.logVar]);
});
