/**
 * Minimal PNG encoder for the image/png fallbacks that travel beside each custom output (so
 * a notebook opened without VAE Lab, e.g. on GitHub, still shows a picture), for display.png in
 * the kernel (src/kernel/image.ts), and for the PNG image sheets inside the payloads. Node-only
 * (zlib); the lab runs in the kernel process and the CLI, never in a webview.
 * Format: signature, IHDR, one IDAT (each row filtered, then deflated), IEND; each chunk is
 * length + type + data + CRC-32 of type+data. Spec: https://www.w3.org/TR/png/
 * The row filter is chosen per row by libpng's heuristic (least sum of |signed byte|): on
 * decoded VAE images it halves the size of filter 0 alone. Lossless either way.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { sheetCols, sheetSize, stackToSheet, type ImageShape } from '../../common/mime';
import { InvalidArgumentError } from '../core/errors';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const COLOUR_TYPE = { 1: 0, 3: 2, 4: 6 } as const; // gray, RGB, RGBA

/** Paeth predictor (PNG filter type 4). */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c,
    pa = Math.abs(p - a),
    pb = Math.abs(p - b),
    pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Filters every row with each of the five filter types and keeps the one whose bytes, read as
 * signed, have the least absolute sum (small residuals deflate best). `bpp` = bytes per pixel.
 */
function filterRows(pixels: Uint8Array, width: number, height: number, bpp: number): Buffer {
  const stride = width * bpp;
  const out = Buffer.alloc((stride + 1) * height);
  const cand = Array.from({ length: 5 }, () => new Uint8Array(stride));
  const zero = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : zero;
    let best = 0,
      bestSum = Infinity;
    for (let t = 0; t < 5; t++) {
      const f = cand[t];
      let sum = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? row[i - bpp] : 0,
          b = prev[i],
          c = i >= bpp ? prev[i - bpp] : 0;
        const pred = t === 0 ? 0 : t === 1 ? a : t === 2 ? b : t === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const v = (row[i] - pred) & 255;
        f[i] = v;
        sum += v < 128 ? v : 256 - v;
      }
      if (sum < bestSum) {
        bestSum = sum;
        best = t;
      }
    }
    out[y * (stride + 1)] = best;
    out.set(cand[best], y * (stride + 1) + 1);
  }
  return out;
}

/** Encodes 8-bit HWC pixels (1, 3 or 4 channels) as a PNG file. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Buffer {
  if (pixels.length !== width * height * channels)
    throw new InvalidArgumentError(`encodePng: ${pixels.length} bytes for ${width}x${height}x${channels}; width * height * channels bytes are needed`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOUR_TYPE[channels];
  // compression, filter and interlace methods stay 0
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(filterRows(pixels, width, height, channels), { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Decodes an 8-bit, non-interlaced gray / RGB / RGBA PNG (any row filters, any number of IDAT
 * chunks) back to HWC pixels. Node-only; for tests and size checks (webviews decode PNGs with
 * createImageBitmap, see src/renderers/common.ts).
 */
export function decodePng(png: Uint8Array): { pixels: Uint8Array; width: number; height: number; channels: 1 | 3 | 4 } {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 8 || buf.readUInt32BE(0) !== 0x89504e47) throw new InvalidArgumentError('decodePng: not a PNG file');
  let width = 0,
    height = 0,
    channels: 1 | 3 | 4 = 1;
  const idat: Buffer[] = [];
  for (let at = 8; at + 12 <= buf.length; ) {
    const len = buf.readUInt32BE(at),
      type = buf.toString('ascii', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    if (crc32(buf.subarray(at + 4, at + 8 + len)) !== buf.readUInt32BE(at + 8 + len))
      throw new InvalidArgumentError(`decodePng: bad CRC in ${type}; the file is damaged`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const kind = Object.entries(COLOUR_TYPE).find(([, t]) => t === data[9]);
      if (data[8] !== 8 || !kind || data[12] !== 0) throw new InvalidArgumentError('decodePng: only 8-bit gray/RGB/RGBA, non-interlaced PNGs are read');
      channels = Number(kind[0]) as 1 | 3 | 4;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = channels,
    stride = width * bpp;
  if (raw.length !== (stride + 1) * height) throw new InvalidArgumentError('decodePng: wrong image data length; the file is damaged');
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const t = raw[y * (stride + 1)],
      src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp] : 0,
        b = y > 0 ? out[(y - 1) * stride + i] : 0,
        c = i >= bpp && y > 0 ? out[(y - 1) * stride + i - bpp] : 0;
      const pred = t === 0 ? 0 : t === 1 ? a : t === 2 ? b : t === 3 ? (a + b) >> 1 : t === 4 ? paeth(a, b, c) : NaN;
      if (Number.isNaN(pred)) throw new InvalidArgumentError(`decodePng: unknown filter type ${t}; the file is damaged`);
      row[i] = (src[i] + pred) & 255;
    }
  }
  return { pixels: out, width, height, channels };
}

/** base64 PNG, the form Jupyter bundles carry under image/png. */
export function pngBase64(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): string {
  return encodePng(pixels, width, height, channels).toString('base64');
}

/**
 * A stack of `count` images as the payloads' PNG form (`encoding: 'png'`, src/common/mime.ts):
 * one base64 PNG of a sheet, `cols` images per row (default and payload layout: sheetCols),
 * gray for 1 channel, RGB for 3. No images: the empty string, like the raw form.
 */
export function stackToPngBase64(pixels: Uint8Array, shape: ImageShape, count: number, cols = sheetCols(shape, count)): string {
  if (count === 0) return '';
  const { width, height } = sheetSize(shape, count, cols);
  return pngBase64(stackToSheet(pixels, shape, count, cols), width, height, shape.channels);
}
