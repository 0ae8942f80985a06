/**
 * Sample payloads for the browser tests and the benchmark: small hand-made ones whose pixels
 * are known exactly, and realistic ones made by the lab's own builders on a small model.
 */
import {
  bytesToBase64,
  float32ToBase64,
  MIME_ARROWS,
  MIME_GRID,
  MIME_TRAVERSAL,
  PAYLOAD_VERSION,
  sheetCols,
  sheetToStack,
  type ArrowsPayload,
  type GridPayload,
  type ImageShape,
  type TraversalFrames,
  type TraversalPayload,
} from '../../src/common/mime';
import { decodePng, stackToPngBase64 } from '../../src/lab/viz/png';
import * as tf from '../../src/lab/tf';
import { consistencyArrows, latentTraversal, liveChart, reconstructionGrid } from '../../src/lab/viz';
import { images, LinearModel } from '../unit/viz/fakeModel';

/** 3 grayscale 4x4 images per row; image 0 of row "x" is black with one white pixel at (x=2, y=1). */
export function tinyGrid(): GridPayload {
  const x = new Uint8Array(3 * 16).fill(0);
  x[1 * 4 + 2] = 255;
  x.fill(128, 16, 32);
  const recon = new Uint8Array(3 * 16).fill(200);
  return {
    version: PAYLOAD_VERSION,
    height: 4,
    width: 4,
    channels: 1,
    count: 3,
    title: 'tiny',
    rows: [
      { label: 'x', pixels: bytesToBase64(x) },
      { label: 'recon(x)', pixels: bytesToBase64(recon) },
    ],
    captions: ['class 7', 'class 8', 'class 9'],
  };
}

/** One RGB 2x2 image: red, green / blue, white. */
export function rgbGrid(): GridPayload {
  const px = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
  return { version: PAYLOAD_VERSION, height: 2, width: 2, channels: 3, count: 1, rows: [{ label: 'rgb', pixels: bytesToBase64(px) }] };
}

/** Deterministic pseudo-random numbers (Park-Miller), so screenshots are stable. */
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

/** Digits-like blobs: a bright disc whose position depends on the class. */
export function blobImages(n: number, size = 28, seed = 5): { pixels: Uint8Array; labels: number[] } {
  const r = rng(seed);
  const pixels = new Uint8Array(n * size * size);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    labels.push(k);
    const cx = 6 + (k % 4) * 5 + r() * 2,
      cy = 6 + Math.floor(k / 4) * 6 + r() * 2;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const d = Math.hypot(x - cx, y - cy);
        pixels[i * size * size + y * size + x] = d < 4 ? 255 : d < 6 ? Math.round((255 * (6 - d)) / 2) : 0;
      }
  }
  return { pixels, labels };
}

/** `n` pairs in 3 panels with growing arrow lengths, like VAE / VAE+Aug / CR-VAE reversed. */
export function syntheticArrows(n: number, withImages = 0): ArrowsPayload {
  const r = rng(11);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  const panels = [
    ['VAE', 1.2],
    ['VAE + Aug', 0.8],
    ['CR-VAE', 0.25],
  ].map(([title, len]) => {
    const from = new Float32Array(2 * n),
      to = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const a = (labels[i] / 10) * 2 * Math.PI;
      from[2 * i] = 3 * Math.cos(a) + (r() - 0.5) * 1.5;
      from[2 * i + 1] = 3 * Math.sin(a) + (r() - 0.5) * 1.5;
      const t = r() * 2 * Math.PI,
        l = (len as number) * (0.5 + r());
      to[2 * i] = from[2 * i] + l * Math.cos(t);
      to[2 * i + 1] = from[2 * i + 1] + l * Math.sin(t);
    }
    const meanArrow = len as number,
      meanCentreDistance = 3.9;
    return {
      title: title as string,
      from: float32ToBase64(from),
      to: float32ToBase64(to),
      meanArrow,
      meanCentreDistance,
      ratio: meanArrow / meanCentreDistance,
      explained: 0.6,
    };
  });
  const payload: ArrowsPayload = {
    version: PAYLOAD_VERSION,
    title: `${n} pairs`,
    projection: { kind: 'pca' },
    count: n,
    labels: bytesToBase64(labels),
    classNames: Array.from({ length: 10 }, (_, k) => `digit ${k}`),
    extent: [-6, 6, -6, 6],
    panels,
  };
  if (withImages) {
    const im = blobImages(withImages);
    payload.images = {
      height: 28,
      width: 28,
      channels: 1,
      count: withImages,
      x: bytesToBase64(im.pixels),
      xTilde: bytesToBase64(im.pixels.map((v, i) => (i % 28 < 27 ? im.pixels[i + 1] : 0))),
    };
  }
  return payload;
}

/** Three straight horizontal arrows, one per class, for exact colour checks. */
export function straightArrows(): ArrowsPayload {
  const from = Float32Array.from([-4, 3, -4, 0, -4, -3]),
    to = Float32Array.from([4, 3, 4, 0, 4, -3]);
  return {
    version: PAYLOAD_VERSION,
    projection: { kind: 'dims', dims: [0, 1] },
    count: 3,
    labels: bytesToBase64(Uint8Array.from([0, 1, 2])),
    classNames: ['zero', 'one', 'two'],
    extent: [-5, 5, -5, 5],
    panels: [{ title: 'straight', from: float32ToBase64(from), to: float32ToBase64(to), meanArrow: 8, meanCentreDistance: 4, ratio: 2 }],
    images: { height: 2, width: 2, channels: 1, count: 3, x: bytesToBase64(new Uint8Array(12).fill(255)), xTilde: bytesToBase64(new Uint8Array(12)) },
  };
}

/** Realistic payloads from the lab builders on a small linear model of blob images. */
export async function labPayloads() {
  const model = new LinearModel(8, 28, 28, 1, 6, 3);
  const blobs = blobImages(64);
  const x = tf.tidy(() =>
    tf.tensor4d(
      Float32Array.from(blobs.pixels, (v) => v / 255),
      [64, 28, 28, 1],
    ),
  );
  const xt = tf.tidy(() => tf.image.rotateWithOffset(x, 0.4) as tf.Tensor4D);
  const grid = await reconstructionGrid(model, x, { count: 32, transformed: xt, labels: blobs.labels, title: 'Reconstructions' });
  const traversal = await latentTraversal(model, x, { examples: 4, dims: 6, id: 'test', title: 'Traversal' });
  const arrows = await consistencyArrows(
    [
      { title: 'linear A', model },
      { title: 'linear B', model: new LinearModel(8, 28, 28, 1, 8, 9) },
    ],
    x,
    xt,
    blobs.labels,
    { classNames: Array.from({ length: 10 }, (_, k) => `blob ${k}`) },
  );
  const chart = liveChart({ throttleMs: 0 });
  for (let s = 1; s <= 300; s++)
    chart.onStep({ step: s, terms: { loss: 200 / Math.sqrt(s) + 80, recon: 180 / Math.sqrt(s) + 60, kl: 20 + 2 * Math.sin(s / 20), consistency: 5 / s } });
  for (let e = 1; e <= 3; e++) chart.onEpochEnd({ step: 100 * e, meanTerms: { loss: 200 / Math.sqrt(100 * e) + 80 } });
  tf.dispose([x, xt]);
  return {
    grid: grid[MIME_GRID] as GridPayload,
    traversal: traversal.bundle[MIME_TRAVERSAL] as TraversalPayload,
    traversalHandle: traversal.handle,
    arrows: arrows[MIME_ARROWS] as ArrowsPayload,
    chart: chart.bundle(),
    model,
  };
}

/** The exact pixels of a stored image stack (either encoding), as HWC bytes. */
export function stackPixels(text: string, encoding: string | undefined, shape: ImageShape, count: number): Uint8Array {
  if (encoding !== 'png') return Uint8Array.from(Buffer.from(text, 'base64'));
  if (count === 0) return new Uint8Array(0);
  const png = decodePng(Buffer.from(text, 'base64'));
  return sheetToStack(png.pixels, png.channels, shape, count, sheetCols(shape, count));
}

/** A frames block's pixels (its own encoding, else the payload's). */
export function framesPixels(f: TraversalFrames, shape: ImageShape, payloadEncoding?: string): Uint8Array {
  return stackPixels(f.pixels, f.encoding ?? payloadEncoding, shape, f.dims.length * f.values.length);
}

/**
 * The same traversal in the version-1 form that notebooks saved before PNG sheets: raw base64
 * pixels, no `encoding` field anywhere. Same pixels, so both must draw identically.
 */
export function rawTraversal(p: TraversalPayload): TraversalPayload {
  const { encoding, ...rest } = p;
  return {
    ...rest,
    version: 1,
    examples: bytesToBase64(stackPixels(p.examples, encoding, p, p.exampleCount)),
    frames: p.frames.map(({ encoding: fe, ...f }) => ({ ...f, pixels: bytesToBase64(framesPixels({ ...f, encoding: fe }, p, encoding)) })),
  };
}

/**
 * A hand-made RGB traversal whose every pixel is known: 3x2 images, 2 examples, 2 dims x 3
 * steps; pixel (x, y) of frame k of example e is (40e + 10k + x, 100 + 20y + k, 255 - 9k - e).
 */
export function rgbTraversal(encoding: 'png' | 'raw'): TraversalPayload {
  const shape: ImageShape = { height: 2, width: 3, channels: 3 };
  const image = (e: number, k: number) =>
    Uint8Array.from({ length: 18 }, (_, i) => {
      const px = Math.floor(i / 3),
        x = px % 3,
        y = Math.floor(px / 3),
        ch = i % 3;
      return ch === 0 ? 40 * e + 10 * k + x : ch === 1 ? 100 + 20 * y + k : 255 - 9 * k - e;
    });
  const stack = (e: number) => {
    const s = new Uint8Array(6 * 18);
    for (let k = 0; k < 6; k++) s.set(image(e, k), k * 18);
    return s;
  };
  const examples = new Uint8Array(2 * 18);
  examples.set(image(0, 2), 0);
  examples.set(image(1, 2), 18);
  const enc = (px: Uint8Array, count: number) => (encoding === 'png' ? stackToPngBase64(px, shape, count) : bytesToBase64(px));
  return {
    version: encoding === 'png' ? PAYLOAD_VERSION : 1,
    id: `rgb-${encoding}`,
    title: `RGB (${encoding})`,
    ...shape,
    latentDim: 3,
    kl: [0.5, 2, 0],
    order: [1, 0, 2],
    examples: enc(examples, 2),
    exampleCount: 2,
    range: 1,
    steps: 3,
    ...(encoding === 'png' ? { encoding } : {}),
    frames: [0, 1].map((e) => ({ example: e, dims: [1, 0], values: [-1, 0, 1], pixels: enc(stack(e), 6) })),
  };
}
