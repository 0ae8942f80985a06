/**
 * Disentanglement evaluation of a trained model on a factor data set (dSprites): the two
 * supervised metrics of ./disentanglement.ts on the posterior means, plus
 * - recon: reconstruction error, -log p(x | z = E_q[z]) in nats per image (Bernoulli: the
 *   binary cross-entropy summed over pixels), mean over evaluation images;
 * - TC, two labelled numbers (./totalCorrelation.ts): the discriminator's estimate (FactorVAE
 *   only, the paper's) and the Gaussian TC of the posterior means (every model);
 * - klPerDim and the active dims.
 * Collapsed dims are pruned by one rule for every model: dim d is active when its mean
 * KL(q(z_d|x) || N(0, 1)) over the evaluation images exceeds ACTIVE_KL = 0.1 nats. The FactorVAE
 * metric votes over the active dims only, and the Gaussian TC of the means is taken over them
 * (a collapsed dim's mean is near-constant noise, and its correlations with the others dominated
 * the TC: 2.25 nats for gamma 40 seed 1 over all dims, 0.01 over the active ones).
 */
import * as tf from '../tf';
import { Rng } from '../core/random';
import { imagesOf, sampleFactors, type FactorImageSet } from '../data/dsprites';
import type { DensityModel, LatentModel } from '../models/types';
import { noise, reparameterize } from '../models/gaussian';
import { gaussianTc } from './totalCorrelation';
import { betaVaeMetric, factorVaeMetric, type BetaVaeMetricOptions, type FactorVaeMetricOptions, type Representation } from './disentanglement';

/** The representation r(factors) = E_q[z | x(factors)]: render, encode in chunks, read back (asynchronously). */
export function encoderRepresentation(model: LatentModel, set: FactorImageSet, chunk = 256): Representation {
  return async (factors, n) => {
    const K = set.factorSizes.length;
    const out = new Float32Array(n * model.latentDim);
    for (let s = 0; s < n; s += chunk) {
      const e = Math.min(n, s + chunk);
      const codes = tf.tidy(() => model.encode(imagesOf(set, factors.subarray(s * K, e * K))).mean);
      out.set(await codes.data().finally(() => codes.dispose()), s * model.latentDim);
    }
    return out;
  };
}

/** -log p(x | z = posterior mean) per image, mean over the batch (nats). */
export async function reconstructionError(model: LatentModel, x: tf.Tensor4D): Promise<number> {
  const mean = tf.tidy(() => {
    const z = model.encode(x).mean;
    const ll =
      'logLikelihood' in model
        ? (model as DensityModel).logLikelihood(x, z)
        : (() => {
            // Bernoulli from the decoded probabilities
            const p = tf.clipByValue(model.decode(z), 1e-6, 1 - 1e-6);
            return tf.sum(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p)))), [1, 2, 3]);
          })();
    return tf.mean(ll);
  });
  return -(await mean.data().finally(() => mean.dispose()))[0];
}

/** A model with a TC discriminator (FactorVAE). */
interface HasTcEstimate {
  tcEstimate(z: tf.Tensor2D): tf.Scalar;
}
function hasTcEstimate(m: LatentModel): m is LatentModel & HasTcEstimate {
  return typeof (m as Partial<HasTcEstimate>).tcEstimate === 'function';
}

/** Nats of KL(q(z_d|x) || N(0, 1)), mean over images, above which dim d counts as active (not collapsed to the prior). */
export const ACTIVE_KL = 0.1;

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
  /** The KL threshold of an active dim. Default ACTIVE_KL. */
  minKl?: number;
  /** Checked between metric votes. */
  signal?: AbortSignal;
}

/** The `disentanglement` field of metrics.json. */
export interface DisentanglementReport {
  /** FactorVAE metric, held-out majority-vote accuracy (chance 1/K). */
  factorVae: number;
  /** beta-VAE metric, held-out linear-classifier accuracy (chance 1/K). */
  betaVae: number;
  /** The discriminator's TC estimate (nats; the paper's number) on z ~ q(z|x) of the evaluation images; FactorVAE only. */
  tcDiscriminator?: number;
  /** Gaussian TC of the posterior means of the active dims, -1/2 log det corr (nats), over the evaluation images; every model. */
  tcGaussianMeans: number;
  /** Reconstruction error, nats per image. */
  recon: number;
  /** Mean KL(q(z_d|x) || N(0, 1)) per latent dim over the evaluation images (traversal order). */
  klPerDim: number[];
  /** Active dims (KL > minKl), the ones the FactorVAE metric votes over and the TC covers. */
  activeDims: number;
  /** How dims were pruned, e.g. 'KL > 0.1'. */
  pruning?: string;
  /** Held-out votes (FactorVAE metric) and points (beta-VAE metric) behind each accuracy: its binomial evaluation variance is p (1 - p) / n. */
  heldOut?: { factorVae: number; betaVae: number };
  /** Examples per FactorVAE-metric vote, L. */
  votesOf?: number;
}

export async function evaluateDisentanglement(model: LatentModel, set: FactorImageSet, o: DisentanglementEvalOptions = {}): Promise<DisentanglementReport> {
  const seed = o.seed ?? 0;
  const minKl = o.minKl ?? ACTIVE_KL;
  const rng = new Rng(seed);
  const M = o.evalImages ?? 1000;
  const r = encoderRepresentation(model, set);
  const x = imagesOf(set, sampleFactors(set.factorSizes, M, rng));
  let recon: number, means: Float32Array, klValues: Float32Array, tcValue: Float32Array | undefined;
  try {
    recon = await reconstructionError(model, x);
    const [mean, logVar, kl] = tf.tidy(() => {
      const q = model.encode(x);
      // KL per dim: 1/2 (exp(logVar) + mean^2 - 1 - logVar), averaged over images
      const k = tf.mean(tf.mul(tf.sub(tf.add(tf.exp(q.logVar), tf.square(q.mean)), tf.add(q.logVar, 1)), 0.5), 0);
      return [q.mean, q.logVar, k];
    });
    const tc = hasTcEstimate(model) ? tf.tidy(() => model.tcEstimate(reparameterize({ mean, logVar }, noise(mean.shape, rng)) as tf.Tensor2D)) : undefined;
    try {
      [means, klValues, tcValue] = (await Promise.all([mean.data(), kl.data(), tc?.data()])) as [Float32Array, Float32Array, Float32Array | undefined];
    } finally {
      tf.dispose([mean, logVar, kl, ...(tc ? [tc] : [])]);
    }
  } finally {
    x.dispose();
  }
  const klPerDim = Array.from(klValues);
  const active = klPerDim.flatMap((k, d) => (k > minKl ? [d] : []));
  const D = klPerDim.length;
  const activeMeans = Float32Array.from({ length: M * active.length }, (_, i) => means[Math.floor(i / active.length) * D + active[i % active.length]]);
  const factorVae = { ...o.factorVae, dims: active, seed, signal: o.signal };
  const fv = await factorVaeMetric(r, set.factorSizes, factorVae);
  const bv = await betaVaeMetric(r, set.factorSizes, { ...o.betaVae, seed: seed + 1, signal: o.signal });
  const tcDiscriminator = tcValue?.[0];
  return {
    factorVae: fv.evalAccuracy,
    betaVae: bv.evalAccuracy,
    ...(tcDiscriminator === undefined ? {} : { tcDiscriminator }),
    tcGaussianMeans: active.length >= 2 ? gaussianTc(activeMeans, M) : 0,
    recon,
    klPerDim,
    activeDims: active.length,
    pruning: `KL > ${minKl}`,
    heldOut: { factorVae: o.factorVae?.numEval ?? 800, betaVae: o.betaVae?.numEval ?? 300 },
    votesOf: o.factorVae?.batchSize ?? 64,
  };
}
