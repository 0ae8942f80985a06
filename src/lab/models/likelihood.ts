/**
 * Observation models p(x|z) given the decoder's unsquashed output `out`.
 *   bernoulli: log p = sum_i [x_i * l_i - softplus(l_i)]   (logits form: stable for any l)
 *   gaussian:  mean = sigmoid(out), log p = -1/2 sum_i [(x_i - mean_i)^2 / s^2 + log(2 pi s^2)]
 */
import * as tf from '../tf';
import { LOG_2PI } from './gaussian';
import { InvalidArgumentError, UnknownNameError } from '../core/errors';

/** Which likelihood, and its parameters. */
export type LikelihoodConfig =
  | { kind: 'bernoulli' }
  /** Fixed standard deviation `sigma` (default 0.1) around a sigmoid mean. */
  | { kind: 'gaussian'; sigma?: number };

/**
 * log p(x|out) per row of `out`, [m]. `out` may hold k decodings per image, k-major
 * (m = k * n, row j*n + i decodes a z of image i); x then broadcasts over the k copies
 * instead of being tiled (the importance-sampled NLL decodes thousands of z per image).
 */
export function logLikelihood(cfg: LikelihoodConfig, x: tf.Tensor4D, out: tf.Tensor4D): tf.Tensor1D {
  if (cfg.kind !== 'bernoulli' && cfg.kind !== 'gaussian')
    throw new UnknownNameError('likelihood', String((cfg as { kind: unknown }).kind), ['bernoulli', 'gaussian']);
  const n = x.shape[0],
    m = out.shape[0];
  if (m % n !== 0) throw new InvalidArgumentError(`logLikelihood: ${m} decodings for ${n} images (need a multiple)`);
  const o = m === n ? out : tf.reshape(out, [m / n, ...x.shape]);
  let lp: tf.Tensor;
  if (cfg.kind === 'bernoulli') {
    lp = tf.sub(tf.mul(x, o), tf.softplus(o));
  } else {
    const s = cfg.sigma ?? 0.1;
    lp = tf.mul(tf.add(tf.div(tf.square(tf.sub(x, tf.sigmoid(o))), s * s), LOG_2PI + Math.log(s * s)), -0.5);
  }
  return tf.reshape(tf.sum(lp, m === n ? [1, 2, 3] : [2, 3, 4]), [m]) as tf.Tensor1D;
}

/** Mean of p(x|z) in [0, 1]: sigmoid for both likelihoods. */
export function meanOf(_cfg: LikelihoodConfig, out: tf.Tensor4D): tf.Tensor4D {
  return tf.sigmoid(out);
}
