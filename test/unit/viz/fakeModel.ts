/**
 * A small real model for the viz tests: a linear Gaussian encoder and a linear-sigmoid
 * decoder made of tf ops (it computes; it is not a stub). Dims >= `active` get mean 0 and
 * logVar 0 for every input, i.e. KL 0: the traversal must rank them last.
 */
import * as tf from '../../../src/lab/tf';
import type { GaussianPosterior, LatentModel } from '../../../src/lab/models/types';

export class LinearModel implements LatentModel {
  readonly inputShape: [number, number, number];
  private readonly enc: tf.Tensor2D;
  private readonly dec: tf.Tensor2D;
  private readonly mask: tf.Tensor1D;

  constructor(
    readonly latentDim: number,
    h: number,
    w: number,
    c: 1 | 3,
    readonly active = latentDim,
    seed = 1,
  ) {
    this.inputShape = [h, w, c];
    const p = h * w * c;
    this.enc = tf.randomNormal([p, latentDim], 0, 3 / Math.sqrt(p), 'float32', seed) as tf.Tensor2D;
    this.dec = tf.randomNormal([latentDim, p], 0, 1, 'float32', seed + 1) as tf.Tensor2D;
    this.mask = tf.tensor1d(Array.from({ length: latentDim }, (_, i) => (i < active ? 1 : 0)));
  }

  encode(x: tf.Tensor4D): GaussianPosterior {
    return tf.tidy(() => {
      const flat = x.reshape([x.shape[0], -1]) as tf.Tensor2D;
      const mean = flat.matMul(this.enc).mul(this.mask) as tf.Tensor2D;
      const logVar = tf.fill(mean.shape, -2).mul(this.mask) as tf.Tensor2D;
      return { mean, logVar };
    });
  }

  decode(z: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => tf.sigmoid(z.matMul(this.dec)).reshape([z.shape[0], ...this.inputShape]) as tf.Tensor4D);
  }

  dispose(): void {
    tf.dispose([this.enc, this.dec, this.mask]);
  }
}

/** Deterministic images in [0, 1]. */
export function images(n: number, h: number, w: number, c: number, seed = 3): tf.Tensor4D {
  return tf.randomUniform([n, h, w, c], 0, 1, 'float32', seed) as tf.Tensor4D;
}
