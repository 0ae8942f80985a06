/**
 * The three-half-moons toy of Zheng & Sun (appendix B.1): points on three upper half unit
 * circles whose centres lie 2.2 apart on the x axis, plus isotropic Gaussian noise. Class k
 * is the k-th half circle, so x carries the label and y does not (the paper's "one dimension
 * label relevant, the other irrelevant"). The paper lost the noise level; 0.1 is our default.
 *
 *   t ~ U[0, pi],  p = (2.2 k + cos t, sin t) + N(0, sigma^2 I)
 *
 * Points are returned as [n, 1, 1, 2] "images" so they travel through the lab's Batch and
 * LatentModel contracts unchanged (they are not in [0, 1]; models for moons use a Gaussian
 * likelihood with a linear output).
 */
import * as tf from '../tf';
import { Rng } from './random';

export interface MoonsOptions {
  /** Number of points (split as evenly as possible over the three classes). */
  n: number;
  /** Seed of the generator: same seed, same points. */
  seed: number;
  /** Standard deviation of the added Gaussian noise (default 0.1). */
  noise?: number;
  /** Horizontal distance between neighbouring half-circle centres (default 2.2). */
  gap?: number;
  /** Number of classes / half circles (default 3). */
  classes?: number;
}

export interface MoonsData {
  /** Points as [n, 1, 1, 2]. */
  x: tf.Tensor4D;
  /** Class labels [n] (int32), 0 .. classes-1. */
  y: tf.Tensor1D;
}

/** Standard normal draw (Box-Muller) from the lab's seeded generator. */
function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Plain arrays of the toy: xy interleaved [n*2] and labels [n]; labels cycle 0,1,2,0,... */
export function moonsArrays(opts: MoonsOptions): { xy: Float32Array; labels: Int32Array } {
  const { n, seed, noise = 0.1, gap = 2.2, classes = 3 } = opts;
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`moons: n must be a positive integer, got ${n}`);
  const rng = new Rng(seed);
  const xy = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    const t = Math.PI * rng.next();
    xy[2 * i] = gap * k + Math.cos(t) + noise * gaussian(rng);
    xy[2 * i + 1] = Math.sin(t) + noise * gaussian(rng);
    labels[i] = k;
  }
  return { xy, labels };
}

/** The toy as tensors (caller disposes). */
export function moons(opts: MoonsOptions): MoonsData {
  const { xy, labels } = moonsArrays(opts);
  return { x: tf.tensor4d(xy, [opts.n, 1, 1, 2]), y: tf.tensor1d(labels, 'int32') };
}
