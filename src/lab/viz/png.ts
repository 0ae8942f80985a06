/**
 * Minimal PNG encoder for the image/png fallbacks that travel beside each custom output (so
 * a notebook opened without VAE Lab, e.g. on GitHub, still shows a picture). Node-only
 * (zlib); the lab runs in the kernel process and the CLI, never in a webview.
 * Format: signature, IHDR, one IDAT (filter 0 per row, deflated), IEND; each chunk is
 * length + type + data + CRC-32 of type+data.
 */
import { deflateSync } from 'node:zlib';

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

/** Encodes 8-bit HWC pixels (1, 3 or 4 channels) as a PNG file. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Buffer {
  if (pixels.length !== width * height * channels) throw new Error(`encodePng: ${pixels.length} bytes for ${width}x${height}x${channels}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOUR_TYPE[channels];
  // compression, filter and interlace methods stay 0
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** base64 PNG, the form Jupyter bundles carry under image/png. */
export function pngBase64(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): string {
  return encodePng(pixels, width, height, channels).toString('base64');
}
