/**
 * Model calls shared by the viz builders, each batch inside tf.tidy so nothing leaks, with
 * results copied out to plain arrays (the payloads are plain data anyway), read asynchronously
 * so the builders work on backends that cannot read synchronously (webgpu).
 */
import * as tf from '../tf';
import type { LatentModel } from '../models/types';

export interface Codes {
  n: number;
  d: number;
  /** Posterior means, row-major [n, d]. */
  mean: Float32Array;
  logVar: Float32Array;
}

/** q(z|x) in inference mode, `batchSize` images at a time. Does not dispose `x`. */
export async function encodeAll(model: LatentModel, x: tf.Tensor4D, batchSize = 256): Promise<Codes> {
  const n = x.shape[0],
    d = model.latentDim;
  const mean = new Float32Array(n * d),
    logVar = new Float32Array(n * d);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [m, lv] = tf.tidy(() => {
      const q = model.encode(x.slice([start, 0, 0, 0], [size, -1, -1, -1]), false);
      return [q.mean.clone(), q.logVar.clone()];
    });
    try {
      const [mv, lvv] = await Promise.all([m.data(), lv.data()]);
      mean.set(mv, start * d);
      logVar.set(lvv, start * d);
    } finally {
      tf.dispose([m, lv]);
    }
  }
  return { n, d, mean, logVar };
}

/** Decodes row-major codes [m, d] to images; the caller disposes the result. */
export function decodeCodes(model: LatentModel, codes: Float32Array, m: number): tf.Tensor4D {
  return tf.tidy(() => model.decode(tf.tensor2d(codes, [m, model.latentDim]), false));
}

/**
 * Mean KL(q(z_d|x) || N(0, 1)) per dimension, = 0.5 (mu^2 + sigma^2 - 1 - log sigma^2) averaged
 * over examples: the "activity" used to order traversal rows (inactive dims have KL ~ 0).
 */
export function klPerDim(c: Codes): number[] {
  const kl = new Array<number>(c.d).fill(0);
  for (let i = 0; i < c.n; i++) {
    for (let j = 0; j < c.d; j++) {
      const mu = c.mean[i * c.d + j],
        lv = c.logVar[i * c.d + j];
      kl[j] += (0.5 * (mu * mu + Math.exp(lv) - 1 - lv)) / c.n;
    }
  }
  return kl;
}
