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
export function nllPerExample(model: DensityModel, x: tf.Tensor4D, opts: NllOptions = {}): Float64Array {
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
      const part = t.dataSync() as Float32Array;
      t.dispose();
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
export function importanceSampledNll(model: DensityModel, x: tf.Tensor4D, opts: NllOptions = {}): number {
  const v = nllPerExample(model, x, opts);
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/**
 * I(x; z) = E_x E_q(z|x)[log q(z|x)] - E_x E_q(z|x)[log q(z)], with q(z) the aggregate
 * posterior (1/M) sum_j q(z|x_j) over the M examples of x (so I <= log M), one z per x.
 * log q(z_i|x_j) for all pairs via the expansion
 *   sum_d (z_id - m_jd)^2 / v_jd = (z^2) (1/v)^T - 2 z (m/v)^T + sum_d m_jd^2 / v_jd.
 */
export function mutualInformation(model: LatentModel, x: tf.Tensor4D, seed = 0): { mi: number; M: number } {
  const M = x.shape[0];
  const mi = tf.tidy(() => {
    const q = model.encode(x, false);
    const L = q.mean.shape[1];
    const eps = tf.randomNormal([M, L], 0, 1, 'float32', new Rng(seed).seed());
    const z = tf.add(q.mean, tf.mul(tf.exp(tf.mul(q.logVar, 0.5)), eps));
    const logQzx = tf.mul(tf.sum(tf.add(tf.add(tf.square(eps), q.logVar), LOG_2PI), 1), -0.5); // [M]
    const iv = tf.exp(tf.neg(q.logVar)); // [M, L] = 1/v_j
    const quad = tf.add(
      tf.sub(tf.matMul(tf.square(z), iv, false, true), tf.mul(tf.matMul(z, tf.mul(q.mean, iv), false, true), 2)),
      tf.reshape(tf.sum(tf.mul(tf.square(q.mean), iv), 1), [1, M]),
    ); // [M(i), M(j)]
    const logDet = tf.reshape(tf.add(tf.sum(q.logVar, 1), L * LOG_2PI), [1, M]);
    const logPairs = tf.mul(tf.add(quad, logDet), -0.5); // log q(z_i | x_j)
    const logQz = tf.sub(tf.logSumExp(logPairs, 1), Math.log(M)); // [M]
    return tf.mean(tf.sub(logQzx, logQz));
  });
  const v = mi.dataSync()[0];
  mi.dispose();
  return { mi: v, M };
}

/** Options of the active-units count. */
export interface ActiveUnitsOptions {
  /** A dim is active when Cov_x(E_q[z_d]) exceeds this (default 0.01). */
  threshold?: number;
  /** Examples encoded per call (default 500). */
  chunk?: number;
}

/** AU = #{d : Var_x(E_q(z|x)[z_d]) > threshold}, with the variance over the examples of x. */
export function activeUnits(model: LatentModel, x: tf.Tensor4D, opts: ActiveUnitsOptions = {}): { au: number; variances: number[] } {
  const chunk = opts.chunk ?? 500;
  const n = x.shape[0];
  let sum: Float64Array | undefined, sq: Float64Array | undefined;
  for (let from = 0; from < n; from += chunk) {
    const mean = tf.tidy(() => {
      const q = model.encode(tf.slice(x, [from, 0, 0, 0], [Math.min(chunk, n - from), -1, -1, -1]), false);
      return q.mean;
    });
    const [m, L] = mean.shape;
    const v = mean.dataSync();
    mean.dispose();
    sum ??= new Float64Array(L);
    sq ??= new Float64Array(L);
    for (let i = 0; i < m; i++) for (let d = 0; d < L; d++) { sum[d] += v[i * L + d]; sq[d] += v[i * L + d] ** 2; }
  }
  const variances = Array.from(sum!, (s, d) => sq![d] / n - (s / n) ** 2);
  return { au: variances.filter((v) => v > (opts.threshold ?? 0.01)).length, variances };
}
