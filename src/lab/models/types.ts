/**
 * What every latent-variable model in the lab offers to metrics, viz and the regularizers.
 * Images are NHWC float32 in [0, 1]; latent codes are [n, latentDim].
 */
import type * as tf from '../tf';

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
