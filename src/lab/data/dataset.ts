/**
 * An in-memory image set (unsigned bytes, as stored in IDX files) and how batches are cut
 * from it: float32 in [0, 1], optionally dynamically binarized (each pixel resampled as
 * Bernoulli(p) every time an image is seen, from a seeded generator).
 */
import * as tf from '../tf';
import type { Batch } from '../core/types';
import { Rng } from '../core/random';
import { InvalidArgumentError } from '../core/errors';

export class ImageDataset {
  /** Number of images. */
  readonly n: number;
  readonly pixels: number;

  /**
   * @param images n * h * w * c bytes (0..255), NHWC order.
   * @param shape [h, w, c] of one image.
   * @param labels n class labels, when known.
   * @param name shown in logs ("mnist/train").
   */
  constructor(
    readonly images: Uint8Array,
    readonly shape: [number, number, number],
    readonly labels?: Uint8Array,
    readonly name = 'images',
  ) {
    this.pixels = shape[0] * shape[1] * shape[2];
    this.n = images.length / this.pixels;
    if (!Number.isInteger(this.n)) throw new InvalidArgumentError(`${name}: ${images.length} bytes is not a whole number of ${shape.join('x')} images`);
    if (labels && labels.length !== this.n) throw new InvalidArgumentError(`${name}: ${labels.length} labels for ${this.n} images`);
  }

  /**
   * The images at `indices` as a Batch. With `binarizeRng`, each pixel is 1 with probability
   * byte/255 (dynamic binarization), and `grey` holds the grey values the pixels were drawn from;
   * otherwise x is the grey values / 255.
   */
  batch(indices: ArrayLike<number>, binarizeRng?: Rng): Batch {
    this.checkIndices(indices);
    const m = indices.length,
      P = this.pixels;
    const buf = new Float32Array(m * P);
    const greyBuf = binarizeRng ? new Float32Array(m * P) : undefined;
    for (let i = 0; i < m; i++) {
      const off = indices[i] * P;
      for (let j = 0; j < P; j++) {
        const p = this.images[off + j] / 255;
        buf[i * P + j] = binarizeRng ? (binarizeRng.next() < p ? 1 : 0) : p;
        if (greyBuf) greyBuf[i * P + j] = p;
      }
    }
    const x = tf.tensor4d(buf, [m, ...this.shape]);
    const grey = greyBuf ? { grey: tf.tensor4d(greyBuf, [m, ...this.shape]) } : {};
    if (!this.labels) return { x, ...grey };
    const y = tf.tensor1d(
      Int32Array.from(indices, (k) => this.labels![k]),
      'int32',
    );
    return { x, y, ...grey };
  }

  /** Images [from, to) as a new dataset (shares no memory with this one). */
  slice(from: number, to: number, name = this.name): ImageDataset {
    const P = this.pixels;
    return new ImageDataset(this.images.slice(from * P, to * P), this.shape, this.labels?.slice(from, to), name);
  }

  /** The images at `indices` as a new dataset. */
  select(indices: ArrayLike<number>, name = this.name): ImageDataset {
    this.checkIndices(indices);
    const P = this.pixels,
      m = indices.length;
    const img = new Uint8Array(m * P);
    for (let i = 0; i < m; i++) img.set(this.images.subarray(indices[i] * P, (indices[i] + 1) * P), i * P);
    const lab = this.labels ? Uint8Array.from(indices, (k) => this.labels![k]) : undefined;
    return new ImageDataset(img, this.shape, lab, name);
  }

  /**
   * Every index names an image of this set. Past the end, typed-array reads give undefined,
   * so pixels would be NaN and every code, PCA and score computed from them NaN, far from the cause.
   */
  private checkIndices(indices: ArrayLike<number>): void {
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.n)
        throw new InvalidArgumentError(
          `${this.name}: image index ${k} is out of range: the set has ${this.n} images (indices 0 to ${this.n - 1}); ask for at most ${this.n}`,
        );
    }
  }

  /** A seeded random split into (train, validation) with `validation` images in the second. */
  split(validation: number, seed: number): [ImageDataset, ImageDataset] {
    const perm = new Rng(seed).permutation(this.n);
    return [this.select(perm.subarray(validation), `${this.name}/train`), this.select(perm.subarray(0, validation), `${this.name}/validation`)];
  }

  /** The first n images of a seeded shuffle (a subset for quick runs). */
  subset(n: number, seed: number): ImageDataset {
    if (n >= this.n) return this;
    return this.select(new Rng(seed).permutation(this.n).subarray(0, n), `${this.name}[${n}]`);
  }
}

/**
 * Bytes of a float image batch in [0, 1] as unsigned bytes (to build derived datasets, e.g. the
 * t-Test set). Reads asynchronously, so it works on backends that cannot read synchronously (webgpu).
 */
export async function toBytes(x: tf.Tensor4D): Promise<Uint8Array> {
  const v = await x.data();
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(v[i] * 255)));
  return out;
}
