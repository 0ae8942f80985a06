/**
 * Payloads of VAE Lab's own output MIME types, written by the lab (src/lab/viz) and drawn by
 * the renderers (src/renderers). Imported by both sides: no vscode, DOM or tfjs here.
 *
 * Compact on purpose, because outputs are saved in the .ipynb: images travel as base64 of raw
 * uint8 HWC pixels (one stack of equally sized images per string) or, where a payload says
 * `encoding: 'png'`, as one base64 PNG image sheet per stack (lossless; see `ImageEncoding`);
 * coordinates as base64 of little-endian float32. A JSON array of numbers would be 3-5x larger.
 * Every payload carries `version` so a renderer can refuse (readably) a payload newer than itself.
 */

export const MIME_GRID = 'application/vnd.vae-lab.grid+json';
export const MIME_TRAVERSAL = 'application/vnd.vae-lab.traversal+json';
export const MIME_ARROWS = 'application/vnd.vae-lab.arrows+json';

/**
 * Every vega-lite MIME type the vega-lite renderer draws, newest first (package.json's renderer
 * manifest lists the same; a unit test keeps the two equal). The renderer bundles vega-lite 6,
 * which also reads v4 and v5 specs, so saved notebooks holding older types still draw.
 */
export const MIME_VEGALITE_ALL = ['application/vnd.vegalite.v6+json', 'application/vnd.vegalite.v5+json', 'application/vnd.vegalite.v4+json'] as const;
/** The vega-lite MIME type the lab emits (the bundled vega-lite's own version). */
export const MIME_VEGALITE = MIME_VEGALITE_ALL[0];

/**
 * The MIME type for a user's vega-lite spec: the version its `$schema` names
 * (`.../vega-lite/v5.json` -> v5) when the renderer draws it, else MIME_VEGALITE.
 */
export function vegaliteMime(spec: { $schema?: unknown }): string {
  const v = typeof spec.$schema === 'string' ? /\/vega-lite\/(v\d+)(?:\.[\d.]+)?\.json$/.exec(spec.$schema)?.[1] : undefined;
  return MIME_VEGALITE_ALL.find((m) => m === `application/vnd.vegalite.${v}+json`) ?? MIME_VEGALITE;
}
/**
 * Version of the payload layouts below; bump on incompatible changes. Renderers read every
 * version up to this one.
 * 1: images as raw base64 only.
 * 2: traversal images may be PNG sheets (`encoding: 'png'`), which a version-1 renderer would
 *    misread; payloads without `encoding` are read as version 1's raw form.
 */
export const PAYLOAD_VERSION = 2;

/**
 * How a string of images is stored. 'raw' (also: the field absent, as in version-1 payloads):
 * base64 of count * height * width * channels uint8 pixels, HWC, image after image.
 * 'png': base64 of one PNG file (8-bit gray for 1 channel, RGB for 3) holding a sheet of the
 * images, cols = sheetCols(shape, count) per row (all of them in one row unless that would be
 * wider than SHEET_MAX_WIDTH), row-major, no gaps: image i at x = (i % cols) * width,
 * y = floor(i / cols) * height; cells after the last image are black. Wide sheets because they
 * deflate best: neighbouring traversal steps sit side by side (a dSprites traversal block is 15-28%
 * smaller in one row than 9 per row). An empty stack is '' in both forms.
 */
export type ImageEncoding = 'raw' | 'png';

/** Size of every image in a payload; pixels are uint8, row-major, channels interleaved (HWC). */
export interface ImageShape {
  height: number;
  width: number;
  /** 1 = grayscale, 3 = RGB. */
  channels: 1 | 3;
}

// ---------------------------------------------------------------- reconstruction grid

export interface GridRow {
  /** Shown at the row start, e.g. "x", "recon(x)", "x~", "recon(x~)". */
  label: string;
  /** base64 of n * height * width * channels uint8 pixels. */
  pixels: string;
}

export interface GridPayload extends ImageShape {
  version: number;
  title?: string;
  /** Number of columns (images per row). */
  count: number;
  rows: GridRow[];
  /** Optional hover caption per column (e.g. class label, index, per-image loss). */
  captions?: string[];
}

// ---------------------------------------------------------------- latent traversal

/** Decoded images for one base example: `dims.length` rows of `values.length` images. */
export interface TraversalFrames {
  example: number;
  dims: number[];
  /** Offsets added to the base code's coordinate, one per column. */
  values: number[];
  /**
   * dims.length * values.length images, row-major (dim, then value); as a PNG sheet, laid out
   * as every `ImageEncoding: 'png'` stack (sheetCols), not one sheet row per dim.
   */
  pixels: string;
  /** How `pixels` is stored; absent: the payload's `encoding` (a live reply, which has no payload around it, names its own). */
  encoding?: ImageEncoding;
}

export interface TraversalPayload extends ImageShape {
  version: number;
  /** Renderer-message channel is `traversal:<id>`; the kernel answers while it lives. */
  id: string;
  title?: string;
  latentDim: number;
  /** Mean KL(q(z_d|x) || N(0,1)) per latent dimension, indexed by dimension. */
  kl: number[];
  /** All dimensions, most active (highest KL) first: the default row order. */
  order: number[];
  /** Optional name of each latent dimension (indexed by dimension), shown beside its row: e.g. the factor it follows. */
  dimLabels?: string[];
  /** The base examples' input images (`exampleCount` images). */
  examples: string;
  /** How `examples` and (unless a block says otherwise) `frames` are stored; absent: 'raw'. */
  encoding?: ImageEncoding;
  exampleCount: number;
  /** Defaults for the controls, and what the saved frames were computed with. */
  range: number;
  steps: number;
  /** Precomputed frames, used when no kernel answers (saved notebook, kernel gone). */
  frames: TraversalFrames[];
}

/** What the traversal renderer asks the kernel for on channel `traversal:<id>`. */
export interface TraversalRequest {
  example: number;
  dims: number[];
  range: number;
  steps: number;
}

// ---------------------------------------------------------------- consistency arrows

export interface ArrowPanel {
  /** e.g. "VAE", "VAE + Aug", "CR-VAE". */
  title: string;
  /** base64 float32 [n, 2]: projected z(x) (arrow tails). */
  from: string;
  /** base64 float32 [n, 2]: projected z(x~) (arrow heads). */
  to: string;
  /** Mean ||z(x~) - z(x)|| in the full latent space (posterior means). */
  meanArrow: number;
  /** Mean distance between the class centres of z(x) in the full latent space. */
  meanCentreDistance: number;
  /** meanArrow / meanCentreDistance: scale-free, so comparable across models. */
  ratio: number;
  /** Share of variance of z(x) the two plotted axes explain (PCA), for the caption. */
  explained?: number;
}

export interface ArrowsPayload {
  version: number;
  title?: string;
  /** How the 2-D view was made: PCA fitted on z(x) per panel, or two chosen latent dims. */
  projection: { kind: 'pca' } | { kind: 'dims'; dims: [number, number] };
  /** Number of pairs (same in every panel). */
  count: number;
  /** base64 uint8 [count]: class index of each pair. */
  labels: string;
  classNames: string[];
  /** Shared axis extent [xmin, xmax, ymin, ymax] so every panel has the same scale. */
  extent: [number, number, number, number];
  panels: ArrowPanel[];
  /** Images of the first `images.count` pairs, shown on hover (not all 10,000: file size). */
  images?: ImageShape & { count: number; x: string; xTilde: string };
}

/**
 * Class colours (Tableau 10: distinguishable on light and dark backgrounds). Here, not in a
 * renderer, so the lab's PNG fallback and the renderer colour class k the same way.
 */
export const CLASS_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const classColour = (k: number): string => CLASS_COLOURS[k % CLASS_COLOURS.length];

// ---------------------------------------------------------------- renderer <-> host messages

/**
 * Renderers that ask the kernel for something post a `RendererRequest` (ctx.postMessage); the
 * extension forwards it as a protocol `rendererMessage` and posts back a `RendererResponse`
 * with the same `reqId`. `error` set means the kernel is gone or the handler threw.
 */
export interface RendererRequest {
  type: 'request';
  reqId: string;
  channel: string;
  payload: unknown;
}

export interface RendererResponse {
  type: 'response';
  reqId: string;
  payload?: unknown;
  error?: string;
}

// ---------------------------------------------------------------- image sheets

/** Widest PNG sheet a payload holds: canvases (which decode it in a webview) stop at 16-32k px. */
export const SHEET_MAX_WIDTH = 8192;

/** Images per row of a payload's PNG sheet: all of them, unless wider than SHEET_MAX_WIDTH. */
export function sheetCols(shape: ImageShape, count: number): number {
  return Math.max(1, Math.min(count, Math.floor(SHEET_MAX_WIDTH / shape.width)));
}

/** Pixel size of the sheet that holds `count` images of `shape`, `cols` per row. */
export function sheetSize(shape: ImageShape, count: number, cols: number): { width: number; height: number } {
  if (!(Number.isInteger(cols) && cols >= 1)) throw new Error(`sheet columns must be a positive integer, got ${cols}`);
  const c = Math.min(cols, Math.max(1, count));
  return { width: c * shape.width, height: Math.ceil(count / c) * shape.height };
}

/** Lays a stack of HWC images out as a sheet (HWC, shape.channels), `cols` images per row. */
export function stackToSheet(stack: Uint8Array, shape: ImageShape, count: number, cols: number): Uint8Array {
  const { height: h, width: w, channels: ch } = shape;
  if (stack.length !== count * h * w * ch) throw new Error(`stackToSheet: ${stack.length} bytes for ${count} images of ${w}x${h}x${ch}`);
  const size = sheetSize(shape, count, cols),
    c = size.width / w;
  const sheet = new Uint8Array(size.width * size.height * ch);
  const row = w * ch,
    sheetRow = size.width * ch;
  for (let i = 0; i < count; i++) {
    const x0 = (i % c) * w,
      y0 = Math.floor(i / c) * h;
    for (let y = 0; y < h; y++) sheet.set(stack.subarray((i * h + y) * row, (i * h + y + 1) * row), (y0 + y) * sheetRow + x0 * ch);
  }
  return sheet;
}

/**
 * The inverse of stackToSheet, from a sheet with `sheetChannels` interleaved channels per pixel
 * (4 for a canvas's RGBA ImageData): keeps the first channel for grayscale, the first three for
 * RGB. The sheet must be exactly sheetSize(shape, count, cols).
 */
export function sheetToStack(sheet: Uint8Array | Uint8ClampedArray, sheetChannels: number, shape: ImageShape, count: number, cols: number): Uint8Array {
  const { height: h, width: w, channels: ch } = shape;
  const size = sheetSize(shape, count, cols),
    c = size.width / w;
  if (sheet.length !== size.width * size.height * sheetChannels) throw new Error(`image sheet is not ${size.width}x${size.height}`);
  const stack = new Uint8Array(count * h * w * ch);
  let o = 0;
  for (let i = 0; i < count; i++) {
    const x0 = (i % c) * w,
      y0 = Math.floor(i / c) * h;
    for (let y = 0; y < h; y++) {
      let s = ((y0 + y) * size.width + x0) * sheetChannels;
      for (let x = 0; x < w; x++, s += sheetChannels) for (let k = 0; k < ch; k++) stack[o++] = sheet[s + k];
    }
  }
  return stack;
}

// ---------------------------------------------------------------- encoding

/** Standard base64 without Buffer or btoa on huge strings, so it runs in Node and webviews. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 4096; // strings built chunk by chunk keep memory and call depth small
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let s = '';
    for (let i = start; i < end; i += 3) {
      const a = bytes[i],
        b = i + 1 < end ? bytes[i + 1] : 0,
        c = i + 2 < end ? bytes[i + 2] : 0;
      const n = (a << 16) | (b << 8) | c;
      s += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
      s += i + 1 < end ? ALPHABET[(n >> 6) & 63] : '=';
      s += i + 2 < end ? ALPHABET[n & 63] : '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

/** Throws a readable error on characters outside the alphabet (a corrupted payload). */
export function base64ToBytes(text: string): Uint8Array {
  if (typeof text !== 'string') throw new Error('expected a base64 string');
  let len = text.length;
  while (len > 0 && text[len - 1] === '=') len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let acc = 0,
    bits = 0,
    o = 0;
  for (let i = 0; i < len; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? LOOKUP[code] : 255;
    if (v === 255) throw new Error(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

/** float32 little-endian, the byte order of every machine VS Code runs on (and fixed here). */
export function float32ToBase64(values: Float32Array | number[]): string {
  const f = values instanceof Float32Array ? values : Float32Array.from(values);
  const bytes = new Uint8Array(f.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < f.length; i++) view.setFloat32(i * 4, f[i], true);
  return bytesToBase64(bytes);
}

export function base64ToFloat32(text: string): Float32Array {
  const bytes = base64ToBytes(text);
  if (bytes.length % 4 !== 0) throw new Error('float32 data length is not a multiple of 4');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
