/**
 * The t-Test set of the CR-VAE paper: every test image warped ONCE with a fixed seed by
 * translation ±4 px, rotation ±30°, scale 0.75–1.25 (grey values kept; binarized at
 * evaluation like the test set).
 */
import * as tf from '../tf';
import { ImageDataset, toBytes } from './dataset';
import { Rng } from '../core/random';
import { randomAffine, TTEST_SEED, TTEST_WARP, type WarpRanges } from './transforms';

/** Options of the transformed test set. */
export interface TransformedSetOptions {
  /** Warp ranges (default: the paper's t-Test ranges). */
  warp?: WarpRanges;
  /** Seed (default TTEST_SEED: every run sees the same images). */
  seed?: number;
  /** Images warped per tfjs call (bounds memory). */
  chunk?: number;
}

export async function transformedSet(set: ImageDataset, opts: TransformedSetOptions = {}): Promise<ImageDataset> {
  const rng = new Rng(opts.seed ?? TTEST_SEED);
  const chunk = opts.chunk ?? 500;
  const out = new Uint8Array(set.images.length);
  for (let from = 0; from < set.n; from += chunk) {
    const idx = Int32Array.from({ length: Math.min(chunk, set.n - from) }, (_, i) => from + i);
    const warped = tf.tidy(() => {
      const { x, y } = set.batch(idx);
      y?.dispose();
      return randomAffine(x, rng, opts.warp ?? TTEST_WARP);
    });
    try {
      out.set(await toBytes(warped), from * set.pixels);
    } finally {
      warped.dispose();
    }
  }
  return new ImageDataset(out, set.shape, set.labels, `${set.name}/t-test`);
}
