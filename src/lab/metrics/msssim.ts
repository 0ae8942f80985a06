/**
 * Multi-scale structural similarity (Wang, Simoncelli & Bovik 2003) and the intra-class
 * diversity built on it (mean 1 - MS-SSIM over pairs of samples of one class; Ben-Yosef &
 * Weinshall 2018, as used by Zheng & Sun).
 *
 * At scale j (j = 1..M, the image halved j-1 times), with Gaussian-weighted local statistics
 * mu, sigma^2, sigma_xy over a window and C1 = (k1 L)^2, C2 = (k2 L)^2:
 *   l(x, y)  = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1)
 *   cs(x, y) = (2 sigma_xy + C2) / (sigma_x^2 + sigma_y^2 + C2)
 *   MS-SSIM  = mean(l_M cs_M)^w_M * prod_{j<M} max(mean(cs_j), 0)^w_j
 * with the standard weights w = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333), window 11, sigma 1.5.
 *
 * Small images (MNIST is 28x28, so its scales are 28, 14, 7, 4, 2): the 11-pixel window does
 * not fit the coarse scales. There the window SHRINKS to the largest odd size that fits
 * (min(11, side)), with sigma scaled in proportion (1.5 * size / 11); a 1-pixel window
 * makes cs = 1 and l the pixel-wise luminance term. Downsampling is a 2x2 average with
 * 'same' padding (a trailing odd row/column is averaged on its own, not dropped).
 * Statistics are averaged over the valid (unpadded) window positions, then over channels.
 */
import * as tf from '../tf';
import { Rng } from '../core/random';
import { InvalidArgumentError } from '../core/errors';

/** The weights of the five scales from Wang et al. 2003. */
export const MS_SSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

export interface MsSsimOptions {
  /** Gaussian window size at full resolution (default 11); shrunk where a scale is smaller. */
  windowSize?: number;
  /** Gaussian window standard deviation for windowSize (default 1.5). */
  sigma?: number;
  /** Exponent of each scale; their count is the number of scales (default MS_SSIM_WEIGHTS). */
  weights?: number[];
  /** Luminance constant factor k1 (default 0.01). */
  k1?: number;
  /** Contrast constant factor k2 (default 0.03). */
  k2?: number;
  /** Dynamic range L of the pixel values (default 1 for images in [0, 1]). */
  maxVal?: number;
}

/** The window used at a scale whose smaller side is `side`: largest odd size <= min(window, side). */
export function windowAt(side: number, windowSize = 11, sigma = 1.5): { size: number; sigma: number } {
  let size = Math.min(windowSize, side);
  if (size % 2 === 0) size -= 1;
  size = Math.max(size, 1);
  return { size, sigma: (sigma * size) / windowSize };
}

/** Normalised 2-D Gaussian window as a conv2d filter [size, size, 1, 1]. */
function gaussianWindow(size: number, sigma: number): tf.Tensor4D {
  const half = (size - 1) / 2;
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * sigma * sigma)));
  const s = g.reduce((a, b) => a + b, 0);
  const w = new Float32Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) w[i * size + j] = (g[i] * g[j]) / (s * s);
  return tf.tensor4d(w, [size, size, 1, 1]);
}

/** Per-image mean of the cs map and of the full SSIM map (l * cs) at one scale; x, y [n*c, h, w, 1]. */
function ssimAtScale(x: tf.Tensor4D, y: tf.Tensor4D, c1: number, c2: number, windowSize: number, sigma: number): { cs: tf.Tensor1D; ssim: tf.Tensor1D } {
  return tf.tidy(() => {
    const { size, sigma: s } = windowAt(Math.min(x.shape[1], x.shape[2]), windowSize, sigma);
    const win = gaussianWindow(size, s);
    const blur = (t: tf.Tensor) => tf.conv2d(t as tf.Tensor4D, win, 1, 'valid');
    const mx = blur(x);
    const my = blur(y);
    // Second moments of the images minus their global means: sigma^2 = E[x'^2] - E[x']^2 is
    // shift invariant, and centring avoids float32 cancellation on flat bright images.
    const xc = tf.sub(x, tf.mean(x, [1, 2, 3], true));
    const yc = tf.sub(y, tf.mean(y, [1, 2, 3], true));
    const mxc = blur(xc);
    const myc = blur(yc);
    const vx = tf.sub(blur(tf.square(xc)), tf.square(mxc));
    const vy = tf.sub(blur(tf.square(yc)), tf.square(myc));
    const cxy = tf.sub(blur(tf.mul(xc, yc)), tf.mul(mxc, myc));
    const cs = tf.div(tf.add(tf.mul(2, cxy), c2), tf.add(tf.add(vx, vy), c2));
    const l = tf.div(tf.add(tf.mul(2, tf.mul(mx, my)), c1), tf.add(tf.add(tf.square(mx), tf.square(my)), c1));
    return { cs: tf.mean(cs, [1, 2, 3]) as tf.Tensor1D, ssim: tf.mean(tf.mul(l, cs), [1, 2, 3]) as tf.Tensor1D };
  });
}

/**
 * The two image batches given to msSsim cannot be compared (their shapes differ). Thrown
 * before any work; the caller passes two NHWC batches of the same shape.
 */
export class MsSsimShapeError extends InvalidArgumentError {
  constructor(message: string) {
    super(message);
  }
}

/** MS-SSIM of each pair (x[i], y[i]) of NHWC batches -> [n]. Identical images give exactly 1. */
export function msSsim(x: tf.Tensor4D, y: tf.Tensor4D, opts: MsSsimOptions = {}): tf.Tensor1D {
  if (x.shape.join() !== y.shape.join()) {
    throw new MsSsimShapeError(`msSsim: both batches must have the same shape, got [${x.shape}] and [${y.shape}]`);
  }
  const { windowSize = 11, sigma = 1.5, weights = MS_SSIM_WEIGHTS, k1 = 0.01, k2 = 0.03, maxVal = 1 } = opts;
  const c1 = (k1 * maxVal) ** 2;
  const c2 = (k2 * maxVal) ** 2;
  const [n, h, w, ch] = x.shape;
  return tf.tidy(() => {
    // Channels become batch entries so that one single-channel window serves them all.
    const split = (t: tf.Tensor4D) => tf.reshape(tf.transpose(t, [0, 3, 1, 2]), [n * ch, h, w, 1]) as tf.Tensor4D;
    let a = split(x);
    let b = split(y);
    let result: tf.Tensor = tf.ones([n * ch]);
    weights.forEach((wj, j) => {
      const { cs, ssim } = ssimAtScale(a, b, c1, c2, windowSize, sigma);
      const term = j === weights.length - 1 ? ssim : cs;
      result = tf.mul(result, tf.pow(tf.relu(term), wj));
      if (j < weights.length - 1) {
        a = tf.avgPool(a, 2, 2, 'same');
        b = tf.avgPool(b, 2, 2, 'same');
      }
    });
    return tf.mean(tf.reshape(result, [n, ch]), 1) as tf.Tensor1D;
  });
}

/** Options of the intra-class diversity. */
export interface DiversityOptions extends MsSsimOptions {
  /** Number of distinct pairs scored (default: all pairs, at most 2000). */
  pairs?: number;
  /** Seed of the pair draw. */
  seed?: number;
}

/**
 * `k` distinct pairs (i < j) of `n` items drawn uniformly without replacement (no pair twice),
 * seeded. Floyd's algorithm picks k distinct indices of the n(n-1)/2 pairs; index p maps to
 * the pair in row-major order of the upper triangle. Sorted by (i, j).
 */
export function distinctPairs(n: number, k: number, seed: number): { a: number[]; b: number[] } {
  const total = (n * (n - 1)) / 2;
  if (!Number.isInteger(k) || k < 0 || k > total)
    throw new InvalidArgumentError(`distinctPairs: ${n} items have ${total} pairs, cannot draw ${k}; ask for at most ${total}`);
  const rng = new Rng(seed);
  const chosen = new Set<number>();
  for (let j = total - k; j < total; j++) {
    const t = rng.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  const a: number[] = [],
    b: number[] = [];
  for (const p of [...chosen].sort((x, y) => x - y)) {
    // Row i holds pairs (i, i+1 .. n-1): n-1-i of them, starting at index i(2n-i-1)/2.
    let i = Math.floor((2 * n - 1 - Math.sqrt((2 * n - 1) ** 2 - 8 * p)) / 2);
    while (i > 0 && (i * (2 * n - i - 1)) / 2 > p) i--;
    while (((i + 1) * (2 * n - i - 2)) / 2 <= p) i++;
    a.push(i);
    b.push(i + 1 + p - (i * (2 * n - i - 1)) / 2);
  }
  return { a, b };
}

/**
 * Intra-class diversity of a set of samples of ONE class: mean over distinct pairs (i, j) of
 * 1 - MS-SSIM(x_i, x_j), the pairs drawn without replacement (distinctPairs). 0 for identical
 * samples; higher = more diverse.
 */
export async function intraClassDiversity(samples: tf.Tensor4D, opts: DiversityOptions = {}): Promise<number> {
  const n = samples.shape[0];
  if (n < 2) throw new InvalidArgumentError(`intraClassDiversity: needs at least 2 samples, got ${n}`);
  const all = (n * (n - 1)) / 2;
  const { a, b } = distinctPairs(n, Math.min(opts.pairs ?? Math.min(all, 2000), all), opts.seed ?? 0);
  const mean = tf.tidy(() => tf.mean(msSsim(tf.gather(samples, a), tf.gather(samples, b), opts)));
  return 1 - (await mean.data().finally(() => mean.dispose()))[0];
}
