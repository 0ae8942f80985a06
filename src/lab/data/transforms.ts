/**
 * Random affine warps (translate, rotate, scale) as ONE warp with bilinear sampling,
 * batched on tfjs (tf.image.transform), seeded; and Bernoulli binarization.
 *
 * Per example: output pixel p (x = column, y = row) samples the input at
 *   p_in = A^-1 (p - c - t) + c,   A = s R(theta),   A^-1 = (1/s) [[cos, sin], [-sin, cos]]
 * with c the image centre and t the translation in pixels. tf.image.transform takes the
 * output->input map [a0 a1 a2 b0 b1 b2 0 0]: x_in = a0 x + a1 y + a2, y_in = b0 x + b1 y + b2.
 */
import * as tf from '../tf';
import type { Rng } from './random';

/** Ranges of the random warp; each parameter is uniform in its range. */
export interface WarpRanges {
  /** Max |translation| in pixels, per axis. */
  translate: number;
  /** Max |rotation| in degrees. */
  rotateDeg: number;
  /** [min, max] isotropic scale. */
  scale: [number, number];
}

/** Train-time transform of the paper: translate ±2 px, rotate ±15°, scale 0.9–1.1. */
export const TRAIN_WARP: WarpRanges = { translate: 2, rotateDeg: 15, scale: [0.9, 1.1] };
/** The t-Test set's transform: translate ±4 px, rotate ±30°, scale 0.75–1.25. */
export const TTEST_WARP: WarpRanges = { translate: 4, rotateDeg: 30, scale: [0.75, 1.25] };
/** Seed of the t-Test set (fixed so every run evaluates on the same images). */
export const TTEST_SEED = 20210614;

/** The [n, 8] output->input maps for n random warps of h x w images. */
export function randomAffineMatrices(n: number, h: number, w: number, rng: Rng, r: WarpRanges): Float32Array {
  const m = new Float32Array(n * 8);
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  for (let i = 0; i < n; i++) {
    const th = (rng.uniform(-r.rotateDeg, r.rotateDeg) * Math.PI) / 180;
    const s = rng.uniform(r.scale[0], r.scale[1]);
    const tx = rng.uniform(-r.translate, r.translate), ty = rng.uniform(-r.translate, r.translate);
    const c = Math.cos(th) / s, sn = Math.sin(th) / s;
    // A^-1 = [[c, sn], [-sn, c]]; p_in = A^-1 (p - c - t) + c
    const ox = cx + tx, oy = cy + ty;
    m.set([c, sn, cx - (c * ox + sn * oy), -sn, c, cy - (-sn * ox + c * oy), 0, 0], i * 8);
  }
  return m;
}

/** Warp each image of x with its own random affine map (bilinear, zeros outside). */
export function randomAffine(x: tf.Tensor4D, rng: Rng, r: WarpRanges): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const m = randomAffineMatrices(n, h, w, rng, r);
  return tf.tidy(() => tf.image.transform(x, tf.tensor2d(m, [n, 8]), 'bilinear', 'constant', 0));
}

/** Bernoulli sample of an image of probabilities in [0, 1] (seeded). */
export function binarize(p: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  return tf.tidy(() => tf.cast(tf.less(tf.randomUniform(p.shape, 0, 1, 'float32', rng.seed()), p), 'float32') as tf.Tensor4D);
}
