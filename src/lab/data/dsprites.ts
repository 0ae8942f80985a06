/**
 * dSprites (Matthey et al. 2017) on its exact factor grid, rendered procedurally on demand.
 *
 * Factors (the official order; `color` has one value and is left out):
 *   shape 3 (square, ellipse, heart), scale 6 = linspace(0.5, 1, 6),
 *   orientation 40 = linspace(0, 2*pi, 40) (both ends included, as in the official file),
 *   posX 32 = linspace(0, 1, 32), posY 32 = linspace(0, 1, 32).
 * Flat index (the official file's row order, posY varying fastest):
 *   i = (((shape*6 + scale)*40 + orientation)*32 + posX)*32 + posY.
 * Images are 64x64x1, binary {0, 1}.
 *
 * Rendering choices (the official generator is not public; these are ours, documented):
 * - sprite centre: column = 16 + 32*posX, row = 16 + 32*posY (pixels; posY grows downwards),
 *   so a rotated scale-1 sprite stays inside the frame;
 * - size: square side 20*scale px; ellipse semi-axes 10*scale x 5*scale px; heart from the
 *   implicit curve (u^2 + v^2 - 1)^3 - u^2 v^3 <= 0 scaled to about the square's size;
 * - orientation rotates the sprite by the angle in image coordinates (x right, y down);
 * - a pixel is on when its centre lies inside the shape (no anti-aliasing, so binary).
 * The official file, when a user has it, is read by `loadDSpritesNpz` (./dspritesNpz.ts).
 */
import * as tf from '../tf';
import type { Rng } from '../core/random';
import { InvalidArgumentError } from '../core/errors';

/** A data set generated from a full grid of discrete ground-truth factors. */
export interface FactorImageSet {
  /** Factor names, in index order. */
  readonly factorNames: readonly string[];
  /** Number of values of each factor. */
  readonly factorSizes: readonly number[];
  /** [height, width, channels] of one image. */
  readonly imageShape: [number, number, number];
  /** Write the image with factor classes `f` (one index per factor) as 0/1 into out[offset ..]. */
  writeImage(f: ArrayLike<number>, out: Float32Array, offset: number): void;
}

export const DSPRITES_FACTOR_NAMES = ['shape', 'scale', 'orientation', 'posX', 'posY'] as const;
export const DSPRITES_FACTOR_SIZES = [3, 6, 40, 32, 32] as const;
export const DSPRITES_SHAPES = ['square', 'ellipse', 'heart'] as const;
const SIZE = 64;

/** linspace(lo, hi, n)[k]. */
function lin(lo: number, hi: number, n: number, k: number): number {
  return lo + ((hi - lo) * k) / (n - 1);
}

/** The factor values (not indices) of one dSprites image. */
export function dspritesValues(f: ArrayLike<number>): { shape: number; scale: number; orientation: number; posX: number; posY: number } {
  return {
    shape: f[0],
    scale: lin(0.5, 1, 6, f[1]),
    orientation: lin(0, 2 * Math.PI, 40, f[2]),
    posX: lin(0, 1, 32, f[3]),
    posY: lin(0, 1, 32, f[4]),
  };
}

/** Flat index of a factor tuple on a grid of the given sizes (last factor fastest). */
export function flatIndex(f: ArrayLike<number>, sizes: readonly number[]): number {
  let i = 0;
  for (let k = 0; k < sizes.length; k++) i = i * sizes[k] + f[k];
  return i;
}

/** Inverse of flatIndex. */
export function factorsOf(index: number, sizes: readonly number[]): number[] {
  const f = new Array<number>(sizes.length);
  for (let k = sizes.length - 1; k >= 0; k--) {
    f[k] = index % sizes[k];
    index = Math.floor(index / sizes[k]);
  }
  return f;
}

/** Is (u, v) (sprite frame, pixels, v down) inside the shape at this scale? */
function inside(shape: number, scale: number, u: number, v: number): boolean {
  if (shape === 0) {
    const h = 10 * scale;
    return Math.abs(u) <= h && Math.abs(v) <= h;
  }
  if (shape === 1) {
    const a = 10 * scale,
      b = 5 * scale;
    return (u * u) / (a * a) + (v * v) / (b * b) <= 1;
  }
  // Heart: (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0 with y up; its box is x in [-1.14, 1.14],
  // y in [-1, 1.25], so shift by 0.125 to centre it and scale so it spans ~20*scale px.
  const s = (10 * scale) / 1.13;
  const x = u / s,
    y = -v / s + 0.125;
  const r = x * x + y * y - 1;
  return r * r * r - x * x * y * y * y <= 0;
}

/** Render one dSprites image (factor classes f) as 0/1 into out[offset .. offset + 4096). */
export function renderDSprite(f: ArrayLike<number>, out: Float32Array | Uint8Array, offset = 0): void {
  const { shape, scale, orientation, posX, posY } = dspritesValues(f);
  const cx = 16 + 32 * posX,
    cy = 16 + 32 * posY;
  const c = Math.cos(orientation),
    s = Math.sin(orientation);
  const reach = Math.ceil(15 * scale) + 1; // covers every shape's rotated extent
  out.fill(0, offset, offset + SIZE * SIZE);
  const r0 = Math.max(0, Math.floor(cy - reach)),
    r1 = Math.min(SIZE - 1, Math.ceil(cy + reach));
  const c0 = Math.max(0, Math.floor(cx - reach)),
    c1 = Math.min(SIZE - 1, Math.ceil(cx + reach));
  for (let r = r0; r <= r1; r++) {
    const dy = r + 0.5 - cy;
    for (let col = c0; col <= c1; col++) {
      const dx = col + 0.5 - cx;
      // Rotate the pixel back into the sprite frame: [u, v] = R(-theta) [dx, dy].
      const u = c * dx + s * dy,
        v = -s * dx + c * dy;
      if (inside(shape, scale, u, v)) out[offset + r * SIZE + col] = 1;
    }
  }
}

/** Options of the procedural dSprites set. */
export interface DSpritesOptions {
  /** Rendered images kept in an LRU cache (4 KiB each). Default 2048 (8 MiB). 0 disables it. */
  cacheSize?: number;
}

/**
 * The procedural dSprites set: all 737,280 images addressable by factor classes, each
 * rendered when first asked for and kept in a bounded LRU cache.
 */
export class DSprites implements FactorImageSet {
  readonly factorNames = DSPRITES_FACTOR_NAMES;
  readonly factorSizes = DSPRITES_FACTOR_SIZES;
  readonly imageShape: [number, number, number] = [SIZE, SIZE, 1];
  readonly size = DSPRITES_FACTOR_SIZES.reduce((a, b) => a * b, 1);
  private readonly cache = new Map<number, Uint8Array>();
  private readonly cacheSize: number;

  constructor(options: DSpritesOptions = {}) {
    this.cacheSize = options.cacheSize ?? 2048;
  }

  /** Number of images currently cached (bounded by `cacheSize`). */
  get cached(): number {
    return this.cache.size;
  }

  writeImage(f: ArrayLike<number>, out: Float32Array, offset: number): void {
    const key = flatIndex(f, this.factorSizes);
    let img = this.cache.get(key);
    if (img) {
      this.cache.delete(key); // re-insert: Map order is the recency order
    } else {
      img = new Uint8Array(SIZE * SIZE);
      renderDSprite(f, img);
    }
    if (this.cacheSize > 0) {
      this.cache.set(key, img);
      if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as number);
    }
    out.set(img, offset);
  }
}

/**
 * n factor tuples drawn uniformly from the grid, as a flat Int32Array [n * K].
 * `fixed` pins one factor to one value in every tuple (what the disentanglement metrics need).
 */
export function sampleFactors(sizes: readonly number[], n: number, rng: Rng, fixed?: { factor: number; value: number }): Int32Array {
  const K = sizes.length;
  const out = new Int32Array(n * K);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) out[i * K + k] = rng.int(sizes[k]);
    if (fixed) out[i * K + fixed.factor] = fixed.value;
  }
  return out;
}

/** Render the images of n factor tuples (flat [n * K]) into one NHWC tensor. */
export function imagesOf(set: FactorImageSet, factors: Int32Array): tf.Tensor4D {
  const K = set.factorSizes.length;
  const n = factors.length / K;
  const [h, w, c] = set.imageShape;
  const px = h * w * c;
  const data = new Float32Array(n * px);
  for (let i = 0; i < n; i++) set.writeImage(factors.subarray(i * K, (i + 1) * K), data, i * px);
  return tf.tensor4d(data, [n, h, w, c]);
}

/**
 * A fixed training subset: `n` flat indices drawn without replacement (seeded), for quick
 * presets that see a small part of the grid. Returns their factor tuples, flat [n * K].
 */
export function subsetFactors(sizes: readonly number[], n: number, rng: Rng): Int32Array {
  const total = sizes.reduce((a, b) => a * b, 1);
  if (n > total) throw new InvalidArgumentError(`subset of ${n} asked from a grid of ${total} images; ask for at most ${total}`);
  const chosen = new Set<number>();
  while (chosen.size < n) chosen.add(rng.int(total));
  const K = sizes.length;
  const out = new Int32Array(n * K);
  let i = 0;
  for (const idx of chosen) out.set(factorsOf(idx, sizes), K * i++);
  return out;
}

/**
 * A factor image set as the Trainer's BatchSource: the whole grid, or a fixed subset of factor
 * tuples (flat [n*K], e.g. from `subsetFactors`). Images are binary already, so the
 * trainer's binarization is not needed (and is ignored).
 */
export class FactorBatchSource {
  readonly n: number;
  constructor(
    readonly set: FactorImageSet,
    readonly factors?: Int32Array,
  ) {
    const K = set.factorSizes.length;
    this.n = factors ? factors.length / K : set.factorSizes.reduce((a, b) => a * b, 1);
  }

  /** Factor tuples of the examples at `indices`, flat [m*K]. */
  factorsAt(indices: ArrayLike<number>): Int32Array {
    const K = this.set.factorSizes.length;
    const out = new Int32Array(indices.length * K);
    for (let i = 0; i < indices.length; i++) {
      if (this.factors) out.set(this.factors.subarray(indices[i] * K, (indices[i] + 1) * K), i * K);
      else out.set(factorsOf(indices[i], this.set.factorSizes), i * K);
    }
    return out;
  }

  batch(indices: ArrayLike<number>): { x: tf.Tensor4D } {
    return { x: imagesOf(this.set, this.factorsAt(indices)) };
  }
}
