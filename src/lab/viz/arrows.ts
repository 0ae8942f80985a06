/**
 * Consistency arrows (CR-VAE paper, Figure 1): per model, z(x) -> z(x~) in a 2-D view, one
 * arrow per test pair, coloured by class; the mean arrow length relative to the class-centre
 * spread under each panel. Codes are posterior means. PCA is fitted on z(x) per panel (each
 * model has its own latent space), centred at the mean of z(x); all panels share one extent.
 */
import * as tf from '../tf';
import type { MimeBundle } from '../../common/protocol';
import { bytesToBase64, classColour, float32ToBase64, MIME_ARROWS, PAYLOAD_VERSION, type ArrowPanel, type ArrowsPayload } from '../../common/mime';
import type { LatentModel } from '../models/types';
import { arrowStats } from './arrowStats';
import { encodeAll } from './encode';
import { labelList } from './labels';
import { fitPca2, project, selectDims } from './pca';
import { toImageStack } from './pixels';
import { hexToRgb, Raster } from './raster';
import { InvalidArgumentError } from '../core/errors';

/** A model to encode x and x~ with, or codes computed elsewhere (row-major [n, d] means). */
export type ArrowsPanelInput =
  | { title: string; model: LatentModel }
  | { title: string; zx: Float32Array | tf.Tensor2D; zt: Float32Array | tf.Tensor2D; latentDim?: number };

export interface ConsistencyArrowsOptions {
  /** 'pca' (default) or two latent dims to plot directly. */
  projection?: 'pca' | [number, number];
  classNames?: string[];
  /** Image pairs kept for hover (default 256: at 28x28 they are ~0.5 MB of the saved notebook). */
  hoverImages?: number;
  title?: string;
  batchSize?: number;
}

async function panelCodes(p: ArrowsPanelInput, x: tf.Tensor4D | undefined, xt: tf.Tensor4D | undefined, batch: number) {
  if ('model' in p) {
    if (!x || !xt) throw new InvalidArgumentError(`panel "${p.title}": give x and x~ to encode with its model, or the codes themselves`);
    return { zx: (await encodeAll(p.model, x, batch)).mean, zt: (await encodeAll(p.model, xt, batch)).mean, d: p.model.latentDim };
  }
  const flat = async (z: Float32Array | tf.Tensor2D) => (z instanceof tf.Tensor ? ((await z.data()) as Float32Array) : z);
  const d = p.latentDim ?? (p.zx instanceof tf.Tensor ? p.zx.shape[1] : undefined);
  if (!d) throw new InvalidArgumentError(`panel "${p.title}": give latentDim with flat codes`);
  return { zx: await flat(p.zx), zt: await flat(p.zt), d };
}

export async function consistencyArrows(
  panels: ArrowsPanelInput[],
  x: tf.Tensor4D | undefined,
  xTilde: tf.Tensor4D | undefined,
  labels: tf.Tensor1D | ArrayLike<number>,
  opts: ConsistencyArrowsOptions = {},
): Promise<MimeBundle> {
  if (panels.length === 0) throw new InvalidArgumentError('consistencyArrows needs at least one panel');
  const built: ArrowPanel[] = [];
  const points: { from: Float32Array; to: Float32Array }[] = [];
  let n = -1;
  for (const p of panels) {
    const c = await panelCodes(p, x, xTilde, opts.batchSize ?? 256);
    const m = c.zx.length / c.d;
    const bad = (z: Float32Array) => z.reduce((k, v) => k + (Number.isFinite(v) ? 0 : 1), 0);
    const [bx, bt] = [bad(c.zx), bad(c.zt)];
    // One NaN code turns the whole PCA, and so every point of the panel, into NaN.
    if (bx || bt)
      throw new InvalidArgumentError(
        `panel "${p.title}": ${bx} values of z(x) and ${bt} of z(x~) are NaN or infinite (${m} pairs, ${c.d} dims): ` +
          'the model diverged (look at its training loss; lower the learning rate) or the images hold NaN (check how the batch was cut from its data set)',
      );
    if (n >= 0 && m !== n) throw new InvalidArgumentError(`panel "${p.title}" has ${m} pairs, others ${n}: give every panel the same pairs`);
    n = m;
    const lab = (await labelList(labels, n))!;
    const stats = arrowStats(c.zx, c.zt, lab, n, c.d);
    let from: Float32Array, to: Float32Array, explained: number | undefined;
    if (opts.projection && opts.projection !== 'pca') {
      from = selectDims(c.zx, n, c.d, opts.projection);
      to = selectDims(c.zt, n, c.d, opts.projection);
    } else {
      const pca = fitPca2(c.zx, n, c.d);
      from = project(pca, c.zx, n);
      to = project(pca, c.zt, n);
      explained = (pca.variances[0] + pca.variances[1]) / (pca.totalVariance || 1);
    }
    points.push({ from, to });
    built.push({ title: p.title, from: float32ToBase64(from), to: float32ToBase64(to), ...stats, explained });
  }
  const labelValues = (await labelList(labels, n))!;
  if (labelValues.some((k) => k < 0 || k > 255)) throw new InvalidArgumentError('class labels must be integers in [0, 255]');
  const lab = Uint8Array.from(labelValues);
  const extent = sharedExtent(points);
  const payload: ArrowsPayload = {
    version: PAYLOAD_VERSION,
    title: opts.title,
    count: n,
    labels: bytesToBase64(lab),
    projection: opts.projection && opts.projection !== 'pca' ? { kind: 'dims', dims: opts.projection } : { kind: 'pca' },
    classNames: opts.classNames ?? [...new Set(lab)].sort((a, b) => a - b).map(String),
    extent,
    panels: built,
  };
  const k = Math.min(opts.hoverImages ?? 256, n);
  if (x && xTilde && k > 0) {
    const [a, b] = tf.tidy(() => [x.slice([0, 0, 0, 0], [k, -1, -1, -1]), xTilde.slice([0, 0, 0, 0], [k, -1, -1, -1])]);
    const [sa, sb] = await Promise.all([toImageStack(a as tf.Tensor4D), toImageStack(b as tf.Tensor4D)]).finally(() => tf.dispose([a, b]));
    payload.images = { ...sa.shape, count: k, x: bytesToBase64(sa.pixels), xTilde: bytesToBase64(sb.pixels) };
  }
  return {
    [MIME_ARROWS]: payload,
    'image/png': arrowsPng(points, lab, extent),
    'text/plain':
      `Consistency arrows, ${n} pairs (${payload.projection.kind === 'pca' ? 'PCA of z(x)' : `dims ${opts.projection}`}):\n` +
      built
        .map((p) => `  ${p.title}: mean arrow / class-centre distance = ${p.ratio.toFixed(3)} (${p.meanArrow.toFixed(3)} / ${p.meanCentreDistance.toFixed(3)})`)
        .join('\n'),
  };
}

/** One [xmin, xmax, ymin, ymax] over every panel, 5% margin, so all panels share a scale. */
export function sharedExtent(points: { from: Float32Array; to: Float32Array }[]): [number, number, number, number] {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const { from, to } of points) {
    for (const a of [from, to]) {
      for (let i = 0; i < a.length; i += 2) {
        if (!Number.isFinite(a[i]) || !Number.isFinite(a[i + 1])) continue;
        x0 = Math.min(x0, a[i]);
        x1 = Math.max(x1, a[i]);
        y0 = Math.min(y0, a[i + 1]);
        y1 = Math.max(y1, a[i + 1]);
      }
    }
  }
  if (!Number.isFinite(x0)) return [-1, 1, -1, 1];
  const mx = Math.max(1e-6, (x1 - x0) * 0.05),
    my = Math.max(1e-6, (y1 - y0) * 0.05);
  return [x0 - mx, x1 + mx, y0 - my, y1 + my];
}

/** Static fallback: the panels side by side, arrows as class-coloured lines. */
function arrowsPng(points: { from: Float32Array; to: Float32Array }[], labels: Uint8Array, e: [number, number, number, number]): string {
  const S = 240,
    GAP = 10;
  const r = new Raster(points.length * (S + GAP) - GAP, S);
  const s = Math.min((S - 8) / (e[1] - e[0]), (S - 8) / (e[3] - e[2]));
  const cx = (e[0] + e[1]) / 2,
    cy = (e[2] + e[3]) / 2;
  const colours = Array.from({ length: 256 }, (_, k) => hexToRgb(classColour(k)));
  points.forEach(({ from, to }, p) => {
    const ox = p * (S + GAP);
    r.rect(ox, 0, S, S, [180, 180, 180]);
    const X = (v: number) => ox + S / 2 + (v - cx) * s,
      Y = (v: number) => S / 2 - (v - cy) * s;
    for (let i = 0; i < labels.length; i++) r.line(X(from[2 * i]), Y(from[2 * i + 1]), X(to[2 * i]), Y(to[2 * i + 1]), colours[labels[i]]);
  });
  return r.png();
}
