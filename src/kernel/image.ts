/**
 * Turning tensors and pixel arrays into images. Tensors are duck-typed (shape, dtype,
 * dataSync, data) so this file needs no tfjs import; reading values runs no op, so nothing
 * here needs tf.tidy. Values are read synchronously where the tensor's backend can (cpu,
 * tensorflow, wasm), and with `await data()` where it cannot (webgpu in Node): the callers
 * then get a promise (see `readValues`).
 */
import { encodePng } from '../lab/viz/png';

export interface TensorLike {
  shape: number[];
  dtype: string;
  dataSync(): ArrayLike<number> | string[];
  data?(): Promise<ArrayLike<number> | string[]>;
  size: number;
  isDisposed?: boolean;
}

export function isTensor(v: unknown): v is TensorLike {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as TensorLike).shape) &&
    typeof (v as TensorLike).dtype === 'string' &&
    typeof (v as TensorLike).dataSync === 'function'
  );
}

/** A value now, or a promise of it when the tensor's backend reads only asynchronously. */
export type MaybeAsync<T> = T | Promise<T>;

/** Applies `f` to `v` now, or once it resolves. */
export function then<T, U>(v: MaybeAsync<T>, f: (value: T) => U): MaybeAsync<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/**
 * A tensor's values: synchronously where its backend reads so, else (the synchronous read
 * threw, as it does on webgpu in Node for a tensor that lives on the GPU) a promise of
 * `data()`. Any other failure (a disposed tensor) is thrown as it is.
 */
export function readValues(t: TensorLike): MaybeAsync<ArrayLike<number>> {
  try {
    return t.dataSync() as ArrayLike<number>;
  } catch (err) {
    if (t.isDisposed || typeof t.data !== 'function') throw err;
    return t.data() as Promise<ArrayLike<number>>;
  }
}

/** Raw pixels a user can pass to display.png. */
export interface Pixels {
  data: ArrayLike<number>;
  width: number;
  height: number;
  /** Default: inferred from data.length. */
  channels?: 1 | 3 | 4;
}

export interface Image {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/**
 * Layout of an image-shaped tensor: [h,w] gray, [h,w,c] with c in 1/3/4, or a batch
 * [n,h,w,c] shown as a grid. Undefined for anything else (shown as text instead).
 */
export function imageLayout(shape: number[]): { n: number; h: number; w: number; c: 1 | 3 | 4 } | undefined {
  const ok = (c: number): c is 1 | 3 | 4 => c === 1 || c === 3 || c === 4;
  if (shape.some((d) => d <= 0)) return undefined;
  if (shape.length === 2) return { n: 1, h: shape[0], w: shape[1], c: 1 };
  if (shape.length === 3 && ok(shape[2])) return { n: 1, h: shape[0], w: shape[1], c: shape[2] };
  if (shape.length === 4 && ok(shape[3])) return { n: shape[0], h: shape[1], w: shape[2], c: shape[3] };
  return undefined;
}

/**
 * Maps values to bytes: data already in [0,1] is scaled by 255, data in [0,255] is kept, and
 * anything else is min-max normalised, so a raw activation map still shows its structure.
 */
function toBytes(values: ArrayLike<number>): Uint8Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let scale = 255;
  let offset = 0;
  if (min >= 0 && max <= 1) scale = 255;
  else if (min >= 0 && max <= 255) scale = 1;
  else {
    offset = min;
    scale = max > min ? 255 / (max - min) : 0;
  }
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.min(255, Math.round((values[i] - offset) * scale)));
  return out;
}

/** Tiles n images of h x w x c into a near-square grid with 1-pixel gaps. */
function tile(bytes: Uint8Array, n: number, h: number, w: number, c: number): { pixels: Uint8Array; width: number; height: number } {
  if (n === 1) return { pixels: bytes, width: w, height: h };
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const width = cols * w + (cols - 1);
  const height = rows * h + (rows - 1);
  const pixels = new Uint8Array(width * height * c);
  for (let k = 0; k < n; k++) {
    const x0 = (k % cols) * (w + 1);
    const y0 = Math.floor(k / cols) * (h + 1);
    for (let y = 0; y < h; y++) {
      const src = (k * h + y) * w * c;
      pixels.set(bytes.subarray(src, src + w * c), ((y0 + y) * width + x0) * c);
    }
  }
  return { pixels, width, height };
}

/** Whether a tensor can be shown as an image (decided from its shape and dtype, without reading it). */
export function isImageTensor(t: TensorLike): boolean {
  return imageLayout(t.shape) !== undefined && t.dtype !== 'string' && t.dtype !== 'complex64';
}

/** An image for an image-shaped tensor, or undefined when its shape is not one. */
export function tensorToImage(t: TensorLike): MaybeAsync<Image> | undefined {
  if (!isImageTensor(t)) return undefined;
  return then(readValues(t), (values) => imageOf(t, values));
}

/** The image of an image-shaped tensor (see isImageTensor) from its values. */
export function imageOf(t: TensorLike, values: ArrayLike<number>): Image {
  const { n, h, w, c } = imageLayout(t.shape)!;
  return { ...tile(toBytes(values), n, h, w, c), channels: c };
}

export function pixelsToImage(p: Pixels): Image {
  const channels = p.channels ?? p.data.length / (p.width * p.height);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new RangeError(`display.png: ${p.data.length} values do not fit ${p.width}x${p.height} with 1, 3 or 4 channels`);
  }
  const pixels =
    p.data instanceof Uint8Array || p.data instanceof Uint8ClampedArray ? new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.length) : toBytes(p.data);
  return { pixels, width: p.width, height: p.height, channels };
}

export function imageToPngBase64(img: Image): string {
  return encodePng(img.pixels, img.width, img.height, img.channels).toString('base64');
}

/** A short text summary: dtype, shape and value range (never all the values of a big tensor). */
export function tensorSummary(t: TensorLike): MaybeAsync<string> {
  if (t.isDisposed) return `Tensor ${t.dtype} [${t.shape.join(', ')}] (disposed)`;
  const head = `Tensor ${t.dtype} [${t.shape.join(', ')}]`;
  if (t.dtype === 'string' || t.dtype === 'complex64' || t.size === 0) return head;
  return then(readValues(t), (v) => summaryOf(t, v));
}

/** The summary of a numeric tensor that is not disposed, from its values. */
export function summaryOf(t: TensorLike, v: ArrayLike<number>): string {
  const head = `Tensor ${t.dtype} [${t.shape.join(', ')}]`;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
    sum += v[i];
  }
  const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4));
  const stats = `min=${f(min)} max=${f(max)} mean=${f(sum / v.length)}`;
  const values = t.size <= 64 ? `\n${Array.from(v).map(f).join(', ')}` : '';
  return `${head} ${stats}${values}`;
}
