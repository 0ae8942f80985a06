/**
 * Values -> MIME bundles. Every rich bundle carries text/plain so a saved .ipynb reads anywhere.
 */
import { inspect } from 'node:util';
import { vegaliteMime } from '../common/mime';
import type { MimeBundle } from '../common/protocol';
import {
  imageOf,
  imageToPngBase64,
  isImageTensor,
  isTensor,
  pixelsToImage,
  readValues,
  summaryOf,
  tensorSummary,
  tensorToImage,
  then,
  type MaybeAsync,
  type Pixels,
  type TensorLike,
} from './image';

/** A plain object whose keys are all MIME types (`text/html`, `image/png`, ...). */
export function isMimeBundle(v: unknown): v is MimeBundle {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || isTensor(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => /^[a-z]+\/[\w.+-]+$/i.test(k));
}

/** Text of a value; a promise only for a tensor whose backend reads asynchronously (webgpu). */
export function textOf(value: unknown): MaybeAsync<string> {
  if (typeof value === 'string') return value;
  if (isTensor(value)) return tensorSummary(value);
  return inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 });
}

/** Adds a text/plain fallback naming what the bundle holds, when it has none. */
export function withText(bundle: MimeBundle): MimeBundle {
  if (typeof bundle['text/plain'] === 'string') return bundle;
  return { ...bundle, 'text/plain': `[${Object.keys(bundle).join(', ')}]` };
}

/** Marks values that are not shown as a cell's result (display handles). */
export const HIDE_RESULT = Symbol.for('vae-lab.hide-result');

/**
 * Deno's Jupyter kernel convention: an object with a method under this symbol (sync or async)
 * returns the MIME bundle it is shown as.
 */
export const JUPYTER_DISPLAY = Symbol.for('Jupyter.display');

function jupyterDisplay(value: object, method: () => unknown): MaybeAsync<MimeBundle> {
  const check = (b: unknown): MimeBundle => {
    if (typeof b !== 'object' || b === null || Array.isArray(b)) {
      throw new TypeError(`[Symbol.for('Jupyter.display')]() must return a MIME bundle object like { 'text/html': '...' }, got ${inspect(b)}`);
    }
    return withText(b as MimeBundle);
  };
  const out = method.call(value);
  return out instanceof Promise ? out.then(check) : check(out);
}

/** The value of a cell's last expression: undefined shows nothing. */
export function resultBundle(value: unknown): MaybeAsync<MimeBundle> | undefined {
  if (value === undefined || (typeof value === 'object' && value !== null && HIDE_RESULT in value)) return undefined;
  const jd = (value as Record<symbol, unknown> | null)?.[JUPYTER_DISPLAY];
  if (typeof jd === 'function') return jupyterDisplay(value as object, jd as () => unknown);
  const custom = (value as { toMimeBundle?: () => MimeBundle } | null)?.toMimeBundle;
  if (typeof custom === 'function') return withText(custom.call(value));
  if (isMimeBundle(value)) return withText(value);
  // As a result a string is shown quoted (as node's REPL does); display(string) shows it raw.
  if (typeof value === 'string') return { 'text/plain': inspect(value) };
  return then(textOf(value), (text) => ({ 'text/plain': text }));
}

export function tensorBundle(t: TensorLike): MaybeAsync<MimeBundle> {
  if (t.isDisposed || !isImageTensor(t)) return then(tensorSummary(t), (text) => ({ 'text/plain': text }));
  // One read for both the image and the summary: the tensor may be disposed once it has started.
  return then(readValues(t), (values) => {
    const image = imageOf(t, values);
    return { 'image/png': imageToPngBase64(image), 'text/plain': `${summaryOf(t, values).split('\n')[0]} (image ${image.width}x${image.height})` };
  });
}

/** What display(value) shows. */
export function displayBundle(value: unknown): MaybeAsync<MimeBundle> {
  if (isTensor(value)) return tensorBundle(value);
  if (typeof value === 'string') return { 'text/plain': value };
  return resultBundle(value) ?? { 'text/plain': 'undefined' };
}

export function pngBundle(src: TensorLike | Pixels): MaybeAsync<MimeBundle> {
  if (isTensor(src)) {
    const img = tensorToImage(src);
    if (!img)
      throw new RangeError(`display.png: a tensor of shape [${src.shape.join(', ')}] is not an image; use [h,w], [h,w,c] or [n,h,w,c] with c = 1, 3 or 4`);
    return then(img, (image) => ({ 'image/png': imageToPngBase64(image), 'text/plain': `[image ${image.width}x${image.height}]` }));
  }
  const img = pixelsToImage(src);
  return { 'image/png': imageToPngBase64(img), 'text/plain': `[image ${img.width}x${img.height}]` };
}

/** Text of an HTML fragment for the text/plain fallback: tags dropped, entities of the common five decoded. */
function htmlText(html: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => named[e])
    .trim();
}

export const builders = {
  html: (s: string): MimeBundle => ({ 'text/html': s, 'text/plain': htmlText(s) }),
  markdown: (s: string): MimeBundle => ({ 'text/markdown': s, 'text/plain': s }),
  json: (o: unknown): MimeBundle => ({ 'application/json': o as object, 'text/plain': JSON.stringify(o, null, 2) ?? 'undefined' }),
  vegalite: (spec: Record<string, unknown>): MimeBundle => ({
    [vegaliteMime(spec)]: spec,
    'text/plain': `[Vega-Lite chart${typeof spec.title === 'string' ? `: ${spec.title}` : ''}]`,
  }),
  mime: (bundle: MimeBundle): MimeBundle => withText(bundle),
  png: pngBundle,
};
