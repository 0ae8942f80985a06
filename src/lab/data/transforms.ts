/**
 * Random affine warps (translate, rotate, scale) as ONE warp with bilinear sampling,
 * batched on tfjs (gather + blend), seeded; and Bernoulli binarization.
 *
 * Per example: output pixel p (x = column, y = row) samples the input at
 *   p_in = A^-1 (p - c - t) + c,   A = s R(theta),   A^-1 = (1/s) [[cos, sin], [-sin, cos]]
 * with c the image centre and t the translation in pixels, stored as the output->input map
 * [a0 a1 a2 b0 b1 b2 0 0] (tf.image.transform's layout): x_in = a0 x + a1 y + a2, y_in = b0 x + b1 y + b2.
 */
import * as tf from '../tf';
import type { Rng } from '../core/random';

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
  const cx = (w - 1) / 2,
    cy = (h - 1) / 2;
  for (let i = 0; i < n; i++) {
    const th = (rng.uniform(-r.rotateDeg, r.rotateDeg) * Math.PI) / 180;
    const s = rng.uniform(r.scale[0], r.scale[1]);
    const tx = rng.uniform(-r.translate, r.translate),
      ty = rng.uniform(-r.translate, r.translate);
    const c = Math.cos(th) / s,
      sn = Math.sin(th) / s;
    // A^-1 = [[c, sn], [-sn, c]]; p_in = A^-1 (p - c - t) + c
    const ox = cx + tx,
      oy = cy + ty;
    m.set([c, sn, cx - (c * ox + sn * oy), -sn, c, cy - (-sn * ox + c * oy), 0, 0], i * 8);
  }
  return m;
}

/**
 * Warp each image with its own output->input affine map (rows of `m`, 8 numbers each),
 * bilinear, zeros outside. Not tf.image.transform: tfjs 4.22's cpu kernel returns after the
 * first image of a batch (the others come back as the fill value). The images are data (no
 * gradient flows into them), so the blend runs in one pass over their values here: as tfjs
 * ops (a gather of four neighbours, a weighted sum) it costs half of a CR step on wasm, so the
 * ops run only on webgpu, which cannot read back synchronously.
 *   x_in = a0 x + a1 y + a2,  y_in = b0 x + b1 y + b2
 *   out = sum over corners (x0|x0+1, y0|y0+1) of in[corner] * (1-|x_in-cx|)(1-|y_in-cy|)
 */
export function warpAffine(x: tf.Tensor4D, m: Float32Array): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const { idx, wt } = bilinearTaps(m, n, h, w);
  // webgpu cannot read a tensor synchronously in Node: there the blend runs as tfjs ops on the GPU.
  if (tf.getBackend() === 'webgpu') {
    return tf.tidy(() => {
      const g = tf.gather(tf.reshape(x, [n * h * w, c]), tf.tensor1d(idx, 'int32')); // [n*h*w*4, c]
      const blended = tf.sum(tf.reshape(tf.mul(g, tf.tensor2d(wt, [n * h * w * 4, 1])), [n * h * w, 4, c]), 1);
      return tf.reshape(blended, [n, h, w, c]) as tf.Tensor4D;
    });
  }
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(n * h * w * c);
  for (let p = 0; p < n * h * w; p++) {
    for (let t = 4 * p; t < 4 * p + 4; t++) {
      if (wt[t] === 0) continue;
      const i = idx[t] * c;
      for (let ch = 0; ch < c; ch++) out[p * c + ch] += src[i + ch] * wt[t];
    }
  }
  return tf.tensor4d(out, [n, h, w, c]);
}

/**
 * The four bilinear taps of every output pixel (4 per pixel, in output order): the flat index
 * of the input pixel (image b's row yy, column xx) and its weight, 0 where it falls outside.
 */
function bilinearTaps(m: Float32Array, n: number, h: number, w: number): { idx: Int32Array; wt: Float32Array } {
  const idx = new Int32Array(n * h * w * 4);
  const wt = new Float32Array(n * h * w * 4);
  let k = 0;
  const tap = (b: number, xx: number, yy: number, weight: number) => {
    const inside = xx >= 0 && xx < w && yy >= 0 && yy < h;
    idx[k] = inside ? (b * h + yy) * w + xx : 0;
    wt[k++] = inside ? weight : 0;
  };
  for (let b = 0; b < n; b++) {
    const [a0, a1, a2, b0, b1, b2] = m.subarray(b * 8, b * 8 + 6);
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        const ix = a0 * ox + a1 * oy + a2,
          iy = b0 * ox + b1 * oy + b2;
        const x0 = Math.floor(ix),
          y0 = Math.floor(iy),
          fx = ix - x0,
          fy = iy - y0;
        tap(b, x0, y0, (1 - fx) * (1 - fy));
        tap(b, x0 + 1, y0, fx * (1 - fy));
        tap(b, x0, y0 + 1, (1 - fx) * fy);
        tap(b, x0 + 1, y0 + 1, fx * fy);
      }
    }
  }
  return { idx, wt };
}

/** Warp each image of x with its own random affine map (bilinear, zeros outside). */
export function randomAffine(x: tf.Tensor4D, rng: Rng, r: WarpRanges): tf.Tensor4D {
  const [n, h, w] = x.shape;
  return warpAffine(x, randomAffineMatrices(n, h, w, rng, r));
}

/** Bernoulli sample of an image of probabilities in [0, 1] (seeded). */
export function binarize(p: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  return tf.tidy(() => tf.cast(tf.less(tf.randomUniform(p.shape, 0, 1, 'float32', rng.seed()), p), 'float32') as tf.Tensor4D);
}
