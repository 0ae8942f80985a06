/** CR-VAE, figures: the results table beside the paper's rows. */
import * as tf from '../../tf';
import type { ImageDataset } from '../../data/dataset';
import type { EvalResult } from '../../metrics/evaluate';
import type { LatentModel } from '../../models/types';
import { arrowStats } from '../../viz/arrowStats';
import { scoreOf, summaryMarkdown } from './tables';

/**
 * A Markdown table of results beside the paper's MNIST rows (Table 1 / Table 4; NLL in nats),
 * through the same summary the bundled notebook prints (one seed each: no standard errors).
 * The paper columns are always MNIST's: on another data set they are a reference, not a target.
 */
export function resultsMarkdown(runs: { label: string; test: EvalResult; tTest: EvalResult; seed?: number }[]): string {
  return summaryMarkdown(
    runs.map((r) => scoreOf(r.label, r.seed ?? 0, r.test, r.tTest)),
    [...new Set(runs.map((r) => r.label))],
  );
}

/**
 * Figure 1's number for one model: mean |z(x~) - z(x)| over the first n images of a set and
 * its t-Test copy, relative to the mean distance between class centres (viz/arrowStats), on
 * posterior means in the full latent space. Lower: the code moves less under a transform.
 */
export async function arrowRatio(model: LatentModel, test: ImageDataset, tTest: ImageDataset, n = 500): Promise<number> {
  const m = Math.min(n, test.n);
  const idx = Int32Array.from({ length: m }, (_, i) => i);
  const a = test.batch(idx),
    b = tTest.batch(idx);
  const [zx, zt] = tf.tidy(() => [model.encode(a.x, false).mean, model.encode(b.x, false).mean]);
  try {
    // Read back asynchronously (a backend such as webgpu cannot read synchronously).
    const [labels, zxv, ztv] = await Promise.all([a.y ? a.y.data() : new Int32Array(m), zx.data(), zt.data()]);
    return arrowStats(zxv as Float32Array, ztv as Float32Array, labels as ArrayLike<number>, m, zx.shape[1]).ratio;
  } finally {
    tf.dispose([a.x, b.x, zx, zt]);
    a.y?.dispose();
    b.y?.dispose();
  }
}
