/**
 * PNG for the image/png fallbacks that travel beside each custom output (so a notebook opened
 * without VAE Lab, e.g. on GitHub, still shows a picture), for display.png in the kernel
 * (src/kernel/image.ts), and for the PNG image sheets inside the payloads. Node-only; the lab
 * runs in the kernel process and the CLI, never in a webview.
 * The codec is pngjs (already bundled through the Omniglot loader): 8-bit gray, RGB or RGBA,
 * each row's filter chosen by libpng's heuristic (least sum of |signed byte|; on decoded VAE
 * images it halves the size of filter 0 alone), deflate level 9. Lossless either way.
 */
import { PNG, type ColorType } from 'pngjs';
import { sheetCols, sheetSize, stackToSheet, type ImageShape } from '../../common/mime';
import { InvalidArgumentError } from '../core/errors';

const COLOUR_TYPE = { 1: 0, 3: 2, 4: 6 } as const satisfies Record<1 | 3 | 4, ColorType>; // gray, RGB, RGBA

/** Encodes 8-bit HWC pixels (1, 3 or 4 channels) as a PNG file. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Buffer {
  if (pixels.length !== width * height * channels)
    throw new InvalidArgumentError(`encodePng: ${pixels.length} bytes for ${width}x${height}x${channels}; width * height * channels bytes are needed`);
  const colorType = COLOUR_TYPE[channels];
  const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: channels === 4, bitDepth: 8 });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  // filterType -1: every filter tried per row, the least sum of |signed byte| kept
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: channels === 4, deflateLevel: 9, filterType: -1 });
}

/**
 * Decodes a PNG back to HWC pixels with the channels it stores (gray 1, RGB 3, RGBA 4; pngjs
 * expands to RGBA, which is folded back here). Node-only; for tests and size checks (webviews
 * decode PNGs with createImageBitmap, see src/renderers/common.ts).
 */
export function decodePng(png: Uint8Array): { pixels: Uint8Array; width: number; height: number; channels: 1 | 3 | 4 } {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 8 || buf.readUInt32BE(0) !== 0x89504e47) throw new InvalidArgumentError('decodePng: not a PNG file');
  let img: { width: number; height: number; data: Buffer; colorType?: number; alpha?: boolean; color?: boolean };
  try {
    img = PNG.sync.read(buf) as typeof img;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new InvalidArgumentError(`decodePng: ${/crc/i.test(why) ? 'bad CRC' : why}; the file is damaged`);
  }
  // The stored colour type (pngjs reports it as the `color`/`alpha` flags of the header)
  const channels: 1 | 3 | 4 = img.alpha ? 4 : img.color ? 3 : 1;
  const n = img.width * img.height;
  const out = new Uint8Array(n * channels);
  for (let p = 0; p < n; p++) for (let k = 0; k < channels; k++) out[p * channels + k] = img.data[4 * p + k];
  return { pixels: out, width: img.width, height: img.height, channels };
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
