/**
 * Diagonal-Gaussian maths shared by the models, the consistency regularizer and the metrics
 * (one place, so log p(z) and log q(z|x) always use the same constants).
 */
import * as tf from '../tf';
import type { Rng } from '../core/random';
import type { DensityModel, GaussianPosterior } from './types';

export const LOG_2PI = Math.log(2 * Math.PI);

/** Split an encoder output [n, 2L] into q(z|x) = N(mean, exp(logVar)). */
export function splitPosterior(h: tf.Tensor2D, latentDim: number): GaussianPosterior {
  const [mean, logVar] = tf.split(h, [latentDim, latentDim], 1) as [tf.Tensor2D, tf.Tensor2D];
  return { mean, logVar };
}

/** z = mean + exp(logVar/2) * eps (reparameterisation); eps given [.., n, L] broadcasts over leading dims. */
export function reparameterize(q: GaussianPosterior, eps: tf.Tensor): tf.Tensor {
  return tf.add(q.mean, tf.mul(tf.exp(tf.mul(q.logVar, 0.5)), eps));
}

/** Standard-normal noise with a seed drawn from rng. */
export function noise(shape: number[], rng: Rng): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', rng.seed());
}

/** log N(z; mean, exp(logVar)) summed over the last axis: -1/2 sum_d [log 2pi + logVar + (z-mean)^2 / exp(logVar)]. */
export function logNormal(z: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  const sq = tf.div(tf.square(tf.sub(z, mean)), tf.exp(logVar));
  return tf.mul(tf.sum(tf.add(tf.add(sq, logVar), LOG_2PI), -1), -0.5);
}

/** log N(z; 0, I) summed over the last axis. */
export function logStdNormal(z: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sum(tf.add(tf.square(z), LOG_2PI), -1), -0.5);
}

/** KL(q || N(0, I)) per example, closed form: 1/2 sum_d [exp(logVar) + mean^2 - 1 - logVar]. */
export function klToStdNormal(q: GaussianPosterior): tf.Tensor1D {
  return tf.mul(tf.sum(tf.sub(tf.add(tf.exp(q.logVar), tf.square(q.mean)), tf.add(q.logVar, 1)), 1), 0.5) as tf.Tensor1D;
}

/**
 * KL(a || b) between diagonal Gaussians per example, summed over dims:
 * 1/2 sum_d [logVar_b - logVar_a + (exp(logVar_a) + (mean_a - mean_b)^2) / exp(logVar_b) - 1].
 */
export function klGaussians(a: GaussianPosterior, b: GaussianPosterior): tf.Tensor1D {
  const ratio = tf.div(tf.add(tf.exp(a.logVar), tf.square(tf.sub(a.mean, b.mean))), tf.exp(b.logVar));
  return tf.mul(tf.sum(tf.sub(tf.add(tf.sub(b.logVar, a.logVar), ratio), 1), 1), 0.5) as tf.Tensor1D;
}

/**
 * Importance log-weights log w_k = log p(x|z_k) + log p(z_k) - log q(z_k|x), z_k ~ q(z|x),
 * as [k, n]. Used by the IWAE bound (logmeanexp over k) and by the NLL estimator.
 * log q uses the noise directly: (z - mean)^2 / var = eps^2, which is exact and stabler.
 */
export function logImportanceWeights(model: DensityModel, x: tf.Tensor4D, q: GaussianPosterior, k: number, rng: Rng, training = false): tf.Tensor2D {
  const [n, L] = q.mean.shape;
  const eps = noise([k, n, L], rng);
  const z = reparameterize(q, eps); // [k, n, L]
  const logQ = tf.mul(tf.sum(tf.add(tf.add(tf.square(eps), q.logVar), LOG_2PI), -1), -0.5); // [k, n]
  const logPz = logStdNormal(z); // [k, n]
  // k codes per image, k-major: the likelihood broadcasts x over them (no tiling).
  const logPx = tf.reshape(model.logLikelihood(x, tf.reshape(z, [k * n, L]) as tf.Tensor2D, training), [k, n]);
  return tf.sub(tf.add(logPx, logPz), logQ) as tf.Tensor2D;
}

/** log (1/k sum_k exp(a_k)) along axis 0. */
export function logMeanExp(a: tf.Tensor, axis = 0): tf.Tensor {
  return tf.sub(tf.logSumExp(a, axis), Math.log(a.shape[axis]));
}
