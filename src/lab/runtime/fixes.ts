/**
 * Work-arounds for tfjs 4.22 bugs the lab would hit, exported through src/lab/tf.ts so that
 * lab code gets them by name (an explicit export shadows the umbrella's `export *`).
 *
 * batchNorm without scale/offset: the FusedBatchNorm gradient saves its `scale` input for
 * backprop; when scale is absent it saves `undefined` and backprop throws "Cannot read
 * properties of undefined (reading 'dataId')" on every backend. Passing scale = 1 and
 * offset = 0 computes the same y = (x - mean) / sqrt(var + eps) and a gradient that works.
 */
import * as tf from '@tensorflow/tfjs';

type Arg = tf.Tensor | tf.TensorLike;

export function batchNorm<R extends tf.Rank>(
  x: tf.Tensor<R> | tf.TensorLike,
  mean: Arg,
  variance: Arg,
  offset?: Arg,
  scale?: Arg,
  varianceEpsilon?: number,
): tf.Tensor<R> {
  if (offset != null && scale != null) return tf.batchNorm(x, mean, variance, offset, scale, varianceEpsilon) as tf.Tensor<R>;
  return tf.tidy(() => {
    const m = mean instanceof tf.Tensor ? mean : tf.tensor(mean);
    return tf.batchNorm(x, m, variance, offset ?? tf.zerosLike(m), scale ?? tf.onesLike(m), varianceEpsilon);
  }) as tf.Tensor<R>;
}

export function batchNorm2d(x: tf.Tensor2D | tf.TensorLike, mean: Arg, variance: Arg, offset?: Arg, scale?: Arg, varianceEpsilon?: number): tf.Tensor2D {
  return batchNorm(x as tf.Tensor2D, mean, variance, offset, scale, varianceEpsilon);
}

export function batchNorm3d(x: tf.Tensor3D | tf.TensorLike, mean: Arg, variance: Arg, offset?: Arg, scale?: Arg, varianceEpsilon?: number): tf.Tensor3D {
  return batchNorm(x as tf.Tensor3D, mean, variance, offset, scale, varianceEpsilon);
}

export function batchNorm4d(x: tf.Tensor4D | tf.TensorLike, mean: Arg, variance: Arg, offset?: Arg, scale?: Arg, varianceEpsilon?: number): tf.Tensor4D {
  return batchNorm(x as tf.Tensor4D, mean, variance, offset, scale, varianceEpsilon);
}
