/**
 * What every latent-variable model in the lab offers to metrics, viz and the regularizers.
 * Images are NHWC float32 in [0, 1]; latent codes are [n, latentDim].
 */
import type * as tf from '../tf';
import type { Rng } from '../core/random';
import type { Checkpointable } from '../core/types';

/** A diagonal Gaussian q(z|x) = N(mean, exp(logVar)). */
export interface GaussianPosterior {
  mean: tf.Tensor2D;
  logVar: tf.Tensor2D;
}

export interface LatentModel {
  readonly latentDim: number;
  /** [height, width, channels] of one input image. */
  readonly inputShape: [number, number, number];
  /** q(z|x). `training` switches batch-norm to batch statistics. */
  encode(x: tf.Tensor4D, training?: boolean): GaussianPosterior;
  /** Mean of p(x|z) (Bernoulli probabilities or Gaussian means), NHWC in [0, 1]. */
  decode(z: tf.Tensor2D, training?: boolean): tf.Tensor4D;
}

/**
 * A latent model with an explicit likelihood and prior, so that the importance-sampled NLL
 * can be computed: log p(x) ~= logmeanexp_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)].
 * The prior is N(0, I) for every model in the lab.
 */
export interface DensityModel extends LatentModel {
  /**
   * log p(x|z) per row of z, summed over pixels with full normalising constants. z is
   * [n, L] (one code per image) or [k*n, L] holding k codes per image, k-major (row j*n + i
   * belongs to image i); the result is [n] or [k*n].
   */
  logLikelihood(x: tf.Tensor4D, z: tf.Tensor2D, training?: boolean): tf.Tensor1D;
}

/**
 * Per-example terms of a model's training objective. `bound` is what the model maximises
 * (the ELBO for a VAE, the k-sample bound for an IWAE, recon - beta*KL for beta-VAE);
 * `recon` = E_q[log p(x|z)] (one-sample estimate), `kl` = KL(q(z|x) || p(z)) in closed form.
 * All [n]. `posterior` is q(z|x) as used, so a regularizer can reuse it (gradients flow).
 */
export interface ObjectiveTerms {
  bound: tf.Tensor1D;
  recon: tf.Tensor1D;
  kl: tf.Tensor1D;
  posterior: GaussianPosterior;
}

/** A model with a per-example objective: what `withConsistency` wraps. */
export interface ObjectiveModel extends DensityModel {
  /**
   * Terms of the objective for the batch x. `rng` draws the reparameterisation noise
   * (seeded: same rng state, same numbers). Call inside a tidy / gradient scope.
   */
  objective(x: tf.Tensor4D, rng: Rng, training?: boolean): ObjectiveTerms;
}

/**
 * What `buildModel` and `loadCheckpoint` return and every viewer (`show.*`, the payload
 * builders) and `evaluate` take: a trainable, checkpointable density model that frees its
 * tensors with `dispose()`. Every model of the registry is one (VAE, IWAE, beta-VAE, the
 * CR wrapper, FactorVAE); the conditional generators (LR-VAE, cVAE) are built by
 * `experiments.labelRelevant.build`, as their decoders need a class.
 */
export interface LabModel extends Checkpointable, DensityModel {
  dispose(): void;
}
