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
import { Rng } from '../core/random';
import type { Batch } from '../core/types';
import { InvalidArgumentError } from '../core/errors';

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
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`moons: n must be a positive integer, got ${n}`);
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

/**
 * One affine map of the toy into the unit square (a single scale keeps the geometry): the
 * lab's likelihoods put a sigmoid on the decoder, so models see points in [0, 1].
 *   u = (p - MOONS_ORIGIN) / MOONS_SCALE
 */
export const MOONS_ORIGIN: [number, number] = [-1.5, -3.25];
export const MOONS_SCALE = 7.5;

/** Points [.., 2] (or [n, 1, 1, 2]) from moons coordinates to the unit square. */
export function moonsToUnit(p: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.div(tf.sub(p, tf.tensor1d(MOONS_ORIGIN)), MOONS_SCALE));
}

/** Inverse of moonsToUnit. */
export function unitToMoons(u: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(u, MOONS_SCALE), tf.tensor1d(MOONS_ORIGIN)));
}

/** The toy as a labelled batch source for the lab's Trainer, in unit-square coordinates. */
export class MoonsSource {
  readonly n: number;
  readonly shape: [number, number, number] = [1, 1, 2];
  private readonly unit: Float32Array;
  readonly labels: Int32Array;

  constructor(opts: MoonsOptions) {
    const { xy, labels } = moonsArrays(opts);
    this.n = opts.n;
    this.labels = labels;
    this.unit = xy.map((v, i) => (v - MOONS_ORIGIN[i % 2]) / MOONS_SCALE);
  }

  /** Points at `indices` as { x: [m, 1, 1, 2], y: [m] } (the Trainer's BatchSource). */
  batch(indices: ArrayLike<number>): Batch {
    const m = indices.length;
    const buf = new Float32Array(m * 2);
    for (let i = 0; i < m; i++) {
      buf[2 * i] = this.unit[2 * indices[i]];
      buf[2 * i + 1] = this.unit[2 * indices[i] + 1];
    }
    return {
      x: tf.tensor4d(buf, [m, 1, 1, 2]),
      y: tf.tensor1d(
        Int32Array.from(indices, (k) => this.labels[k]),
        'int32',
      ),
    };
  }

  /** Every point (moons coordinates) with its label, for plots. */
  points(): { x: number; y: number; label: number }[] {
    return Array.from(this.labels, (label, i) => ({
      x: this.unit[2 * i] * MOONS_SCALE + MOONS_ORIGIN[0],
      y: this.unit[2 * i + 1] * MOONS_SCALE + MOONS_ORIGIN[1],
      label,
    }));
  }
}

/**
 * Euclidean distance from (x, y) to the upper half unit circle centred at (cx, 0): the arc
 * {(cx + cos t, sin t) : t in [0, pi]}. Above the axis (y >= 0) the nearest arc point is the
 * radial projection, so the distance is | |p - c| - 1 |. Below it the radial projection falls
 * on the lower half, and since |p - a(t)|^2 = r^2 + 1 - 2 r cos(t - phi) with phi in (-pi, 0),
 * the nearest arc point over t in [0, pi] is an end: min(|p - (cx + 1, 0)|, |p - (cx - 1, 0)|).
 */
export function moonArcDistance(x: number, y: number, cx: number): number {
  const dx = x - cx;
  if (y >= 0) return Math.abs(Math.hypot(dx, y) - 1);
  return Math.min(Math.hypot(dx - 1, y), Math.hypot(dx + 1, y));
}

/** Angle t in [0, pi] of the arc point nearest (x, y) (moonArcDistance's minimiser; pi/2 at the centre itself). */
export function moonArcAngle(x: number, y: number, cx: number): number {
  const dx = x - cx;
  if (y >= 0) return dx === 0 && y === 0 ? Math.PI / 2 : Math.atan2(y, dx);
  return dx >= 0 ? 0 : Math.PI;
}

/** How well class-conditional samples of the toy match it (all in moons coordinates). */
export interface MoonsSampleScores {
  /** Fraction of real points with a same-class sample within `radius` (mode coverage). */
  coverage: number;
  /** Fraction of samples within `radius` of their own class's half circle (moonArcDistance; sample quality). */
  onMoon: number;
  /**
   * Fraction of arc bins covered, mean over classes: each class's arc is cut into `bins` equal
   * angle bins, and a bin counts when a sample of that class within `radius` of the arc has its
   * nearest arc point (moonArcAngle) in it. 1 = the samples trace the whole half circle; a model
   * that collapses onto part of the moon covers only that part.
   */
  arcCoverage: number;
  /** arcCoverage per class. */
  perClassArcCoverage: number[];
  /** Std of the samples' y over the std of the real y, mean over classes (1 = as spread as the data; the paper's point: cVAE-GAN stays narrow). */
  ySpread: number;
}

/**
 * Scores of samples `gen[c]` (points [m, 2] in moons coordinates) of each class against the
 * real points, with a neighbourhood `radius` (default 0.15, 1.5 x the default noise) and
 * `bins` arc bins per class (default 18: 10 degrees each).
 */
export function moonsSampleScores(
  gen: Float32Array[],
  real: { x: number; y: number; label: number }[],
  radius = 0.15,
  gap = 2.2,
  bins = 18,
): MoonsSampleScores {
  let covered = 0,
    on = 0,
    total = 0,
    spread = 0;
  const perClassArcCoverage: number[] = [];
  const sd = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  };
  gen.forEach((g, c) => {
    const mine = real.filter((p) => p.label === c);
    for (const p of mine) {
      for (let i = 0; i < g.length; i += 2) {
        if (Math.hypot(g[i] - p.x, g[i + 1] - p.y) < radius) {
          covered++;
          break;
        }
      }
    }
    const gy: number[] = [];
    const hit = new Uint8Array(bins);
    for (let i = 0; i < g.length; i += 2) {
      if (moonArcDistance(g[i], g[i + 1], gap * c) < radius) {
        on++;
        hit[Math.min(bins - 1, Math.floor((moonArcAngle(g[i], g[i + 1], gap * c) / Math.PI) * bins))] = 1;
      }
      gy.push(g[i + 1]);
      total++;
    }
    perClassArcCoverage.push(hit.reduce((a, b) => a + b, 0) / bins);
    spread += sd(gy) / sd(mine.map((p) => p.y)) / gen.length;
  });
  const arcCoverage = perClassArcCoverage.reduce((a, b) => a + b, 0) / Math.max(1, gen.length);
  return { coverage: covered / real.length, onMoon: on / total, arcCoverage, perClassArcCoverage, ySpread: spread };
}
