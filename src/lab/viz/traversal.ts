/**
 * Latent traversal: for a base example's posterior mean, vary one latent dim at a time over
 * base + linspace(-range, range, steps) and decode. Rows are ordered by per-dim KL (active
 * dims first). The payload keeps frames for a few examples so it works without a kernel;
 * `decodeFrames` answers the renderer's live requests for any other choice. Images travel as
 * PNG sheets (`encoding: 'png'`, src/common/mime.ts): a saved 64x64 traversal is several times
 * smaller than as raw pixels, and exactly the same pixels.
 */
import * as tf from '../tf';
import type { MimeBundle } from '../../common/protocol';
import { MIME_TRAVERSAL, PAYLOAD_VERSION, type TraversalFrames, type TraversalPayload, type TraversalRequest } from '../../common/mime';
import type { LatentModel } from '../models/types';
import { decodeCodes, encodeAll, klPerDim, type Codes } from './encode';
import { toImageStack, type ImageStack } from './pixels';
import { stackToPngBase64 } from './png';
import { mosaicPng } from './raster';
import { InvalidArgumentError } from '../core/errors';

export interface LatentTraversalOptions {
  /** How many of x's first images are offered as base examples (default 4). */
  examples?: number;
  /** How many dims (most active first) the saved frames cover (default min(8, latentDim)). */
  dims?: number;
  /** Offsets span [-range, range] in prior standard deviations (default 3). */
  range?: number;
  /** Columns (default 9). */
  steps?: number;
  /** Channel id; default a fresh random id. */
  id?: string;
  title?: string;
  /** A name per latent dimension (indexed by dimension, latentDim of them), shown beside its row. */
  dimLabels?: string[];
}

/** Limits on live requests: a renderer message is untrusted input to the kernel. */
const MAX_DIMS = 64,
  MAX_STEPS = 25,
  MAX_RANGE = 20;

export function linspace(range: number, steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => -range + (2 * range * i) / (steps - 1));
}

/** Checks a renderer request before any tensor is made. */
export function checkRequest(req: unknown, examples: number, latentDim: number): TraversalRequest {
  const r = req as TraversalRequest;
  if (!r || typeof r !== 'object') throw new InvalidArgumentError('traversal request must be an object');
  if (!Number.isInteger(r.example) || r.example < 0 || r.example >= examples) throw new InvalidArgumentError(`example must be in [0, ${examples})`);
  if (!Array.isArray(r.dims) || r.dims.length > MAX_DIMS || !r.dims.every((d) => Number.isInteger(d) && d >= 0 && d < latentDim)) {
    throw new InvalidArgumentError(`dims must be at most ${MAX_DIMS} integers in [0, ${latentDim})`);
  }
  if (!(typeof r.range === 'number' && r.range > 0 && r.range <= MAX_RANGE)) throw new InvalidArgumentError(`range must be in (0, ${MAX_RANGE}]`);
  if (!Number.isInteger(r.steps) || r.steps < 2 || r.steps > MAX_STEPS) throw new InvalidArgumentError(`steps must be in [2, ${MAX_STEPS}]`);
  return { example: r.example, dims: [...r.dims], range: r.range, steps: r.steps };
}

async function framesStack(model: LatentModel, base: Float32Array, req: TraversalRequest): Promise<ImageStack> {
  const d = model.latentDim,
    values = linspace(req.range, req.steps);
  const m = req.dims.length * values.length;
  const codes = new Float32Array(m * d);
  req.dims.forEach((dim, r) =>
    values.forEach((v, c) => {
      const row = (r * values.length + c) * d;
      codes.set(base, row);
      codes[row + dim] = base[dim] + v;
    }),
  );
  const images = decodeCodes(model, codes, m);
  try {
    return await toImageStack(images);
  } finally {
    images.dispose();
  }
}

/** A frames block as it travels: one PNG sheet (src/common/mime.ts ImageEncoding). */
function framesBlock(req: TraversalRequest, stack: ImageStack | undefined): TraversalFrames {
  const values = linspace(req.range, req.steps);
  const pixels = stack ? stackToPngBase64(stack.pixels, stack.shape, req.dims.length * values.length) : '';
  return { example: req.example, dims: req.dims, values, pixels, encoding: 'png' };
}

/** Decodes the frames a request asks for, from the base examples' codes. */
export async function decodeFrames(model: LatentModel, codes: Codes, req: TraversalRequest): Promise<TraversalFrames> {
  const base = codes.mean.subarray(req.example * codes.d, (req.example + 1) * codes.d);
  return framesBlock(req, req.dims.length ? await framesStack(model, base, req) : undefined);
}

export interface TraversalBuild {
  bundle: MimeBundle;
  /** Answers live requests (validated); used by show.traversal's renderer-message handler. */
  handle(request: unknown): Promise<TraversalFrames>;
}

let counter = 0;

export async function latentTraversal(model: LatentModel, x: tf.Tensor4D, opts: LatentTraversalOptions = {}): Promise<TraversalBuild> {
  const exampleCount = Math.min(opts.examples ?? 4, x.shape[0]);
  if (opts.dimLabels && (opts.dimLabels.length !== model.latentDim || !opts.dimLabels.every((l) => typeof l === 'string')))
    throw new InvalidArgumentError(`dimLabels must be ${model.latentDim} strings (one per latent dimension), got ${opts.dimLabels.length}`);
  const range = opts.range ?? 3,
    steps = opts.steps ?? 9;
  const all = await encodeAll(model, x); // KL ordering over every image given, not just the examples
  const kl = klPerDim(all);
  const order = kl
    .map((v, i) => [v, i])
    .sort((a, b) => b[0] - a[0])
    .map(([, i]) => i);
  const saveDims = order.slice(0, Math.min(opts.dims ?? 8, model.latentDim));
  const codes: Codes = { n: exampleCount, d: all.d, mean: all.mean.slice(0, exampleCount * all.d), logVar: all.logVar.slice(0, exampleCount * all.d) };
  const id = opts.id ?? `t${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  const stacks: ImageStack[] = [];
  const frames: TraversalFrames[] = [];
  for (let e = 0; e < exampleCount; e++) {
    const req = { example: e, dims: saveDims, range, steps };
    const base = codes.mean.subarray(e * codes.d, (e + 1) * codes.d);
    const stack = await framesStack(model, base, req);
    if (e === 0) stacks.push(stack);
    frames.push(framesBlock(req, saveDims.length ? stack : undefined));
  }
  const ex = tf.tidy(() => x.slice([0, 0, 0, 0], [exampleCount, -1, -1, -1]));
  const examples = await toImageStack(ex).finally(() => ex.dispose());

  const payload: TraversalPayload = {
    version: PAYLOAD_VERSION,
    id,
    title: opts.title,
    ...examples.shape,
    latentDim: model.latentDim,
    kl,
    order,
    ...(opts.dimLabels ? { dimLabels: [...opts.dimLabels] } : {}),
    examples: stackToPngBase64(examples.pixels, examples.shape, exampleCount),
    encoding: 'png',
    exampleCount,
    range,
    steps,
    frames,
  };
  // Fallback picture: example 0, one row per saved dim.
  const size = examples.shape.height * examples.shape.width * examples.shape.channels;
  const rows = saveDims.map((_, r) => ({ shape: examples.shape, count: steps, pixels: stacks[0].pixels.subarray(r * steps * size, (r + 1) * steps * size) }));
  const bundle: MimeBundle = {
    [MIME_TRAVERSAL]: payload,
    'text/plain':
      `Latent traversal: ${model.latentDim} dims, most active ${saveDims.map((d) => `z${d}${opts.dimLabels ? ` ${opts.dimLabels[d]}` : ''} (KL ${kl[d].toFixed(2)})`).join(', ')}; ` +
      `range ±${range}, ${steps} steps, ${exampleCount} base examples`,
  };
  if (rows.length) bundle['image/png'] = mosaicPng(rows, examples.shape.width <= 32 ? 2 : 1);
  return { bundle, handle: async (request) => decodeFrames(model, codes, checkRequest(request, exampleCount, model.latentDim)) };
}
