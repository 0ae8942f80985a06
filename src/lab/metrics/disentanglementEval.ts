/**
 * Disentanglement evaluation of a trained model on a factor data set (dSprites): the two
 * supervised metrics of ./disentanglement.ts on the posterior means, plus
 * - recon: reconstruction error, -log p(x | z = E_q[z]) in nats per image (Bernoulli: the
 *   binary cross-entropy summed over pixels), mean over evaluation images;
 * - tc: total correlation of the aggregate posterior, KL(q(z) || prod_d q(z_d)), estimated
 *   model-agnostically (so beta-VAE and FactorVAE are measured alike) with q(z) replaced by
 *   the mixture of the M evaluation posteriors: for z_i ~ q(z|x_i),
 *     TC ~= mean_i [ log 1/M sum_j q(z_i|x_j) - sum_d log 1/M sum_j q(z_id|x_jd) ]
 *   (biased low for small M, like the MI estimate; report M).
 */
import * as tf from '../tf';
import { Rng } from '../core/random';
import { imagesOf, sampleFactors, type FactorImageSet } from '../data/dsprites';
import type { DensityModel, LatentModel } from '../models/types';
import { betaVaeMetric, factorVaeMetric, type BetaVaeMetricOptions, type FactorVaeMetricOptions, type Representation } from './disentanglement';

const LOG_2PI = Math.log(2 * Math.PI);

/** The representation r(factors) = E_q[z | x(factors)]: render, encode in chunks, read back. */
export function encoderRepresentation(model: LatentModel, set: FactorImageSet, chunk = 256): Representation {
  return (factors, n) => {
    const K = set.factorSizes.length;
    const out = new Float32Array(n * model.latentDim);
    for (let s = 0; s < n; s += chunk) {
      const e = Math.min(n, s + chunk);
      const codes = tf.tidy(() => model.encode(imagesOf(set, factors.subarray(s * K, e * K))).mean);
      out.set(codes.dataSync(), s * model.latentDim);
      codes.dispose();
    }
    return out;
  };
}

/** -log p(x | z = posterior mean) per image, mean over the batch (nats). */
export function reconstructionError(model: LatentModel, x: tf.Tensor4D): number {
  return tf.tidy(() => {
    const z = model.encode(x).mean;
    const ll = 'logLikelihood' in model
      ? (model as DensityModel).logLikelihood(x, z)
      : (() => { // Bernoulli from the decoded probabilities
        const p = tf.clipByValue(model.decode(z), 1e-6, 1 - 1e-6);
        return tf.sum(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p)))), [1, 2, 3]);
      })();
    return -tf.mean(ll).dataSync()[0];
  });
}

/** log (1/M) sum_j exp(a_j) of a Float64Array, stably. */
function logMeanExp(a: Float64Array): number {
  let m = -Infinity;
  for (const v of a) m = Math.max(m, v);
  let s = 0;
  for (const v of a) s += Math.exp(v - m);
  return m + Math.log(s / a.length);
}

/**
 * Minibatch TC estimate from M posteriors (means and log-variances, flat [M*D]) and one
 * sample per posterior drawn with `rng` (see the module comment for the formula).
 */
export function aggregateTc(mean: Float32Array, logVar: Float32Array, M: number, rng: Rng): number {
  const D = mean.length / M;
  const z = new Float64Array(M * D);
  for (let i = 0; i < M * D; i++) {
    const u1 = 1 - rng.next(), u2 = rng.next(); // Box-Muller
    z[i] = mean[i] + Math.exp(0.5 * logVar[i]) * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  let tc = 0;
  const joint = new Float64Array(M);
  const marg = Array.from({ length: D }, () => new Float64Array(M));
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < M; j++) {
      let s = 0;
      for (let d = 0; d < D; d++) {
        const lv = logVar[j * D + d];
        const diff = z[i * D + d] - mean[j * D + d];
        const l = -0.5 * (LOG_2PI + lv + (diff * diff) / Math.exp(lv)); // log N(z_id; mu_jd, var_jd)
        marg[d][j] = l;
        s += l;
      }
      joint[j] = s;
    }
    tc += logMeanExp(joint);
    for (let d = 0; d < D; d++) tc -= logMeanExp(marg[d]);
  }
  return tc / M;
}

/** Options of `evaluateDisentanglement`. */
export interface DisentanglementEvalOptions {
  /** Seed of all sampling. Default 0. */
  seed?: number;
  /** Images (uniform over the grid) for recon, TC and per-dim KL. Default 1000. */
  evalImages?: number;
  /** FactorVAE metric settings (seed comes from `seed`). */
  factorVae?: Omit<FactorVaeMetricOptions, 'seed'>;
  /** beta-VAE metric settings (seed comes from `seed`). */
  betaVae?: Omit<BetaVaeMetricOptions, 'seed'>;
  /** Checked between metric votes. */
  signal?: AbortSignal;
}

/** The `disentanglement` field of metrics.json. */
export interface DisentanglementReport {
  /** FactorVAE metric, held-out majority-vote accuracy (chance 1/K). */
  factorVae: number;
  /** beta-VAE metric, held-out linear-classifier accuracy (chance 1/K). */
  betaVae: number;
  /** Aggregate-posterior total correlation estimate (nats), over `evalImages` posteriors. */
  tc: number;
  /** Reconstruction error, nats per image. */
  recon: number;
  /** Mean KL(q(z_d|x) || N(0, 1)) per latent dim over the evaluation images (traversal order). */
  klPerDim: number[];
  /** Dims kept by the FactorVAE metric. */
  activeDims: number;
}

export function evaluateDisentanglement(model: LatentModel, set: FactorImageSet, o: DisentanglementEvalOptions = {}): DisentanglementReport {
  const seed = o.seed ?? 0;
  const rng = new Rng(seed);
  const M = o.evalImages ?? 1000;
  const r = encoderRepresentation(model, set);
  const fv = factorVaeMetric(r, set.factorSizes, { ...o.factorVae, seed, signal: o.signal });
  const bv = betaVaeMetric(r, set.factorSizes, { ...o.betaVae, seed: seed + 1, signal: o.signal });
  const x = imagesOf(set, sampleFactors(set.factorSizes, M, rng));
  try {
    const recon = reconstructionError(model, x);
    const [mean, logVar, kl] = tf.tidy(() => {
      const q = model.encode(x);
      // KL per dim: 1/2 (exp(logVar) + mean^2 - 1 - logVar), averaged over images
      const k = tf.mean(tf.mul(tf.sub(tf.add(tf.exp(q.logVar), tf.square(q.mean)), tf.add(q.logVar, 1)), 0.5), 0);
      return [q.mean, q.logVar, k];
    });
    const tc = aggregateTc(mean.dataSync() as Float32Array, logVar.dataSync() as Float32Array, M, rng);
    const klPerDim = Array.from(kl.dataSync());
    tf.dispose([mean, logVar, kl]);
    return { factorVae: fv.evalAccuracy, betaVae: bv.evalAccuracy, tc, recon, klPerDim, activeDims: fv.activeDims };
  } finally {
    x.dispose();
  }
}
