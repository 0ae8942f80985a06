/**
 * Importance-sampled NLL, mutual information I(x; z) and active units — pure functions of a
 * model and data, with an explicit seed. All run in evaluation mode (batch-norm uses its
 * moving statistics) and dispose every tensor they make.
 */
import * as tf from '../tf';
import { Rng } from '../core/random';
import { LOG_2PI, logImportanceWeights } from '../models/gaussian';
import type { DensityModel, LatentModel } from '../models/types';

/** Options of the NLL estimator. */
export interface NllOptions {
  /** Importance samples per example (default 1000; Burda et al. use 5000). */
  K?: number;
  /** Most decoder evaluations per tfjs call (examples x samples); bounds memory (default 4096). */
  chunk?: number;
  /** Seed of the proposal samples. */
  seed?: number;
}

/**
 * -log p(x) per example, log p(x) ~= logmeanexp_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)],
 * z_k ~ q(z|x). Samples are processed in chunks; partial log-sum-exps are merged in float64.
 */
export async function nllPerExample(model: DensityModel, x: tf.Tensor4D, opts: NllOptions = {}): Promise<Float64Array> {
  const K = opts.K ?? 1000;
  const chunk = opts.chunk ?? 4096;
  const rng = new Rng(opts.seed ?? 0);
  const n = x.shape[0];
  const out = new Float64Array(n);
  const exPer = Math.max(1, Math.min(n, Math.floor(chunk / Math.min(K, chunk)))); // examples per call
  for (let from = 0; from < n; from += exPer) {
    const m = Math.min(exPer, n - from);
    const xs = tf.slice(x, [from, 0, 0, 0], [m, -1, -1, -1]);
    const q = model.encode(xs, false);
    const kPer = Math.max(1, Math.floor(chunk / m));
    const lse = new Float64Array(m).fill(-Infinity);
    for (let k0 = 0; k0 < K; k0 += kPer) {
      const k = Math.min(kPer, K - k0);
      const t = tf.tidy(() => tf.logSumExp(logImportanceWeights(model, xs, q, k, rng), 0));
      const part = (await t.data().finally(() => t.dispose())) as Float32Array;
      for (let i = 0; i < m; i++) lse[i] = logAddExp(lse[i], part[i]);
    }
    tf.dispose([xs, q.mean, q.logVar]);
    for (let i = 0; i < m; i++) out[from + i] = -(lse[i] - Math.log(K));
  }
  return out;
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** Mean NLL in nats over x. */
export async function importanceSampledNll(model: DensityModel, x: tf.Tensor4D, opts: NllOptions = {}): Promise<number> {
  const v = await nllPerExample(model, x, opts);
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** Options of the MI estimator. */
export interface MiOptions {
  /** Seed of the one z drawn per example. */
  seed?: number;
  /** Rows of the [rows, M] pair matrix per tfjs call (default 256): bounds memory for any M. */
  chunk?: number;
  /** Distance from log M, in nats, under which the estimate is reported as at the bound (default 0.1). */
  boundTolerance?: number;
}

/** An MI estimate with the bound it cannot exceed. */
export interface MiResult {
  mi: number;
  /** Examples in the aggregate posterior. */
  M: number;
  /** log M, the estimator's ceiling. */
  logM: number;
  /** mi is within `boundTolerance` of log M: the estimate shows the sample size, not the model. */
  atBound: boolean;
}

/**
 * I(x; z) = E_x E_q(z|x)[log q(z|x)] - E_x E_q(z|x)[log q(z)], with q(z) the aggregate
 * posterior (1/M) sum_j q(z|x_j) over ALL M examples of x (so I <= log M), one z per x.
 * The [M, M] matrix of log q(z_i|x_j) is built in row chunks via the expansion
 *   sum_d (z_id - m_jd)^2 / v_jd = (z^2) (1/v)^T - 2 z (m/v)^T + sum_d m_jd^2 / v_jd,
 * so M can be a whole test set.
 */
export async function mutualInformation(model: LatentModel, x: tf.Tensor4D, opts: MiOptions | number = {}): Promise<MiResult> {
  const o = typeof opts === 'number' ? { seed: opts } : opts;
  const M = x.shape[0];
  const chunk = o.chunk ?? 256;
  const enc = tf.tidy(() => {
    const means: tf.Tensor2D[] = [],
      logVars: tf.Tensor2D[] = [];
    for (let from = 0; from < M; from += 500) {
      const q = model.encode(tf.slice(x, [from, 0, 0, 0], [Math.min(500, M - from), -1, -1, -1]), false);
      means.push(q.mean);
      logVars.push(q.logVar);
    }
    const mean = tf.concat(means, 0),
      logVar = tf.concat(logVars, 0);
    const L = mean.shape[1];
    const eps = tf.randomNormal([M, L], 0, 1, 'float32', new Rng(o.seed ?? 0).seed());
    const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
    const logQzx = tf.mul(tf.sum(tf.add(tf.add(tf.square(eps), logVar), LOG_2PI), 1), -0.5); // [M]
    const iv = tf.exp(tf.neg(logVar)); // [M, L] = 1/v_j
    const mIv = tf.mul(mean, iv);
    const cst = tf.reshape(tf.add(tf.add(tf.sum(tf.mul(tf.square(mean), iv), 1), tf.sum(logVar, 1)), L * LOG_2PI), [1, M]);
    return { z, logQzx, iv, mIv, cst };
  });
  let sum = 0;
  const lqzx = await enc.logQzx.data();
  for (let from = 0; from < M; from += chunk) {
    const rows = Math.min(chunk, M - from);
    const t = tf.tidy(() => {
      const zc = tf.slice(enc.z, [from, 0], [rows, -1]);
      const quad = tf.sub(tf.matMul(tf.square(zc), enc.iv, false, true), tf.mul(tf.matMul(zc, enc.mIv, false, true), 2));
      const logPairs = tf.mul(tf.add(quad, enc.cst), -0.5); // log q(z_i | x_j), [rows, M]
      return tf.logSumExp(logPairs, 1);
    });
    const lse = await t.data().finally(() => t.dispose());
    for (let i = 0; i < rows; i++) sum += lqzx[from + i] - (lse[i] - Math.log(M));
  }
  tf.dispose([enc.z, enc.logQzx, enc.iv, enc.mIv, enc.cst]);
  const mi = sum / M,
    logM = Math.log(M);
  return { mi, M, logM, atBound: logM - mi < (o.boundTolerance ?? 0.1) };
}

/** Options of the active-units count. */
export interface ActiveUnitsOptions {
  /** A dim is active when Cov_x(E_q[z_d]) exceeds this (default 0.01). */
  threshold?: number;
  /** Examples encoded per call (default 500). */
  chunk?: number;
}

/** AU = #{d : Var_x(E_q(z|x)[z_d]) > threshold}, with the variance over the examples of x. */
export async function activeUnits(model: LatentModel, x: tf.Tensor4D, opts: ActiveUnitsOptions = {}): Promise<{ au: number; variances: number[] }> {
  const chunk = opts.chunk ?? 500;
  const n = x.shape[0];
  let sum: Float64Array | undefined, sq: Float64Array | undefined;
  for (let from = 0; from < n; from += chunk) {
    const mean = tf.tidy(() => {
      const q = model.encode(tf.slice(x, [from, 0, 0, 0], [Math.min(chunk, n - from), -1, -1, -1]), false);
      return q.mean;
    });
    const [m, L] = mean.shape;
    const v = await mean.data().finally(() => mean.dispose());
    sum ??= new Float64Array(L);
    sq ??= new Float64Array(L);
    for (let i = 0; i < m; i++)
      for (let d = 0; d < L; d++) {
        sum[d] += v[i * L + d];
        sq[d] += v[i * L + d] ** 2;
      }
  }
  const variances = Array.from(sum!, (s, d) => sq![d] / n - (s / n) ** 2);
  return { au: variances.filter((v) => v > (opts.threshold ?? 0.01)).length, variances };
}
