/**
 * Disentanglement evaluation of a trained model on a factor data set (dSprites): the two
 * supervised metrics of ./disentanglement.ts on the posterior means, plus
 * - recon: reconstruction error, -log p(x | z = E_q[z]) in nats per image (Bernoulli: the
 *   binary cross-entropy summed over pixels), mean over evaluation images;
 * - TC, two labelled numbers (./totalCorrelation.ts): the discriminator's estimate (FactorVAE
 *   only, the paper's) and the Gaussian TC of the posterior means (every model);
 * - klPerDim and the FactorVAE metric's active dims.
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
  /** The discriminator's TC estimate (nats; the paper's number) on z ~ q(z|x) of the evaluation images; FactorVAE only. */
  tcDiscriminator?: number;
  /** Gaussian TC of the posterior means, -1/2 log det corr (nats), over the evaluation images; every model. */
  tcGaussianMeans: number;
  /** Reconstruction error, nats per image. */
  recon: number;
  /** Mean KL(q(z_d|x) || N(0, 1)) per latent dim over the evaluation images (traversal order). */
  klPerDim: number[];
  /** Dims kept by the FactorVAE metric. */
  activeDims: number;
}

export async function evaluateDisentanglement(model: LatentModel, set: FactorImageSet, o: DisentanglementEvalOptions = {}): Promise<DisentanglementReport> {
  const seed = o.seed ?? 0;
  const rng = new Rng(seed);
  const M = o.evalImages ?? 1000;
  const r = encoderRepresentation(model, set);
  const fv = await factorVaeMetric(r, set.factorSizes, { ...o.factorVae, seed, signal: o.signal });
  const bv = await betaVaeMetric(r, set.factorSizes, { ...o.betaVae, seed: seed + 1, signal: o.signal });
  const x = imagesOf(set, sampleFactors(set.factorSizes, M, rng));
  try {
    const recon = await reconstructionError(model, x);
    const [mean, logVar, kl] = tf.tidy(() => {
      const q = model.encode(x);
      // KL per dim: 1/2 (exp(logVar) + mean^2 - 1 - logVar), averaged over images
      const k = tf.mean(tf.mul(tf.sub(tf.add(tf.exp(q.logVar), tf.square(q.mean)), tf.add(q.logVar, 1)), 0.5), 0);
      return [q.mean, q.logVar, k];
    });
    const tc = hasTcEstimate(model) ? tf.tidy(() => model.tcEstimate(reparameterize({ mean, logVar }, noise(mean.shape, rng)) as tf.Tensor2D)) : undefined;
    let means: Float32Array, klValues: Float32Array, tcValue: Float32Array | undefined;
    try {
      [means, klValues, tcValue] = (await Promise.all([mean.data(), kl.data(), tc?.data()])) as [Float32Array, Float32Array, Float32Array | undefined];
    } finally {
      tf.dispose([mean, logVar, kl, ...(tc ? [tc] : [])]);
    }
    const tcGaussianMeans = gaussianTc(means, M);
    const tcDiscriminator = tcValue?.[0];
    const klPerDim = Array.from(klValues);
    return {
      factorVae: fv.evalAccuracy,
      betaVae: bv.evalAccuracy,
      ...(tcDiscriminator === undefined ? {} : { tcDiscriminator }),
      tcGaussianMeans,
      recon,
      klPerDim,
      activeDims: fv.activeDims,
    };
  } finally {
    x.dispose();
  }
}
