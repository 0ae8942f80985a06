/**
 * Reconstruction grid: originals above reconstructions (and, given transformed inputs x~,
 * x~ above recon(x~)), as the grid MIME payload plus PNG and text fallbacks.
 */
import * as tf from '../tf';
import type { MimeBundle } from '../../common/protocol';
import { bytesToBase64, MIME_GRID, PAYLOAD_VERSION, type GridPayload } from '../../common/mime';
import type { LatentModel } from '../models/types';
import { sliceStack, toImageStack, type ImageStack } from './pixels';
import { mosaicPng } from './raster';
import { labelList } from './labels';

export interface ReconstructionGridOptions {
  /** Transformed inputs x~ (same shape as the batch): adds rows "x~" and "recon(x~)". */
  transformed?: tf.Tensor4D;
  /** Number of images (columns) to show; default min(batch, 64). */
  count?: number;
  /** Class label per image, shown on hover (with `classNames` when given). */
  labels?: tf.Tensor1D | ArrayLike<number>;
  classNames?: string[];
  /** Decode a sample z ~ q(z|x) instead of the posterior mean (default false: the mean). */
  sample?: boolean;
  title?: string;
}

async function reconstruct(model: LatentModel, x: tf.Tensor4D, sample: boolean): Promise<ImageStack> {
  const r = tf.tidy(() => {
    const q = model.encode(x, false);
    const z = sample ? q.mean.add(q.logVar.mul(0.5).exp().mul(tf.randomNormal(q.mean.shape))) : q.mean;
    return model.decode(z as tf.Tensor2D, false);
  });
  try {
    return await toImageStack(r);
  } finally {
    r.dispose();
  }
}

/** Mean absolute pixel error, for the text fallback. */
function meanAbsError(a: ImageStack, b: ImageStack): number {
  let s = 0;
  for (let i = 0; i < a.pixels.length; i++) s += Math.abs(a.pixels[i] - b.pixels[i]);
  return s / a.pixels.length / 255;
}

export async function reconstructionGrid(model: LatentModel, batch: tf.Tensor4D, opts: ReconstructionGridOptions = {}): Promise<MimeBundle> {
  const count = Math.min(opts.count ?? 64, batch.shape[0]);
  const x = tf.tidy(() => batch.slice([0, 0, 0, 0], [count, -1, -1, -1]));
  const xt = opts.transformed && tf.tidy(() => opts.transformed!.slice([0, 0, 0, 0], [count, -1, -1, -1]));
  try {
    const rows: { label: string; stack: ImageStack }[] = [
      { label: 'x', stack: await toImageStack(x) },
      { label: 'recon(x)', stack: await reconstruct(model, x, !!opts.sample) },
    ];
    if (xt) rows.push({ label: 'x~', stack: await toImageStack(xt) }, { label: 'recon(x~)', stack: await reconstruct(model, xt, !!opts.sample) });
    const labels = await labelList(opts.labels, count);
    const payload: GridPayload = {
      version: PAYLOAD_VERSION,
      title: opts.title,
      ...rows[0].stack.shape,
      count,
      rows: rows.map((r) => ({ label: r.label, pixels: bytesToBase64(r.stack.pixels) })),
      captions: labels?.map((k) => `class ${opts.classNames?.[k] ?? k}`),
    };
    const { height, width, channels } = payload;
    const err = meanAbsError(rows[0].stack, rows[1].stack);
    const pngCols = Math.min(count, 16); // the static picture keeps to 16 columns
    return {
      [MIME_GRID]: payload,
      'image/png': mosaicPng(
        rows.map((r) => sliceStack(r.stack, 0, pngCols)),
        width <= 32 ? 2 : 1,
      ),
      'text/plain':
        `Reconstruction grid: ${count} images ${height}x${width}x${channels}, rows ${rows.map((r) => r.label).join(', ')}; ` +
        `mean |x - recon(x)| = ${err.toFixed(4)}`,
    };
  } finally {
    tf.dispose([x, xt].filter((t): t is tf.Tensor4D => !!t));
  }
}
