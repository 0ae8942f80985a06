/**
 * Observation models p(x|z) given the decoder's unsquashed output `out`.
 *   bernoulli: log p = sum_i [x_i * l_i - softplus(l_i)]   (logits form: stable for any l)
 *   gaussian:  mean = sigmoid(out), log p = -1/2 sum_i [(x_i - mean_i)^2 / s^2 + log(2 pi s^2)]
 */
import * as tf from '../tf';
import { LOG_2PI } from './gaussian';

/** Which likelihood, and its parameters. */
export type LikelihoodConfig =
  | { kind: 'bernoulli' }
  /** Fixed standard deviation `sigma` (default 0.1) around a sigmoid mean. */
  | { kind: 'gaussian'; sigma?: number };

/** log p(x|out) per example [n]. */
export function logLikelihood(cfg: LikelihoodConfig, x: tf.Tensor4D, out: tf.Tensor4D): tf.Tensor1D {
  if (cfg.kind === 'bernoulli') {
    return tf.sum(tf.sub(tf.mul(x, out), tf.softplus(out)), [1, 2, 3]) as tf.Tensor1D;
  }
  const s = cfg.sigma ?? 0.1;
  const sq = tf.div(tf.square(tf.sub(x, tf.sigmoid(out))), s * s);
  return tf.mul(tf.sum(tf.add(sq, LOG_2PI + Math.log(s * s)), [1, 2, 3]), -0.5) as tf.Tensor1D;
}

/** Mean of p(x|z) in [0, 1]: sigmoid for both likelihoods. */
export function meanOf(_cfg: LikelihoodConfig, out: tf.Tensor4D): tf.Tensor4D {
  return tf.sigmoid(out);
}
