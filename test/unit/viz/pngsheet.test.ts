/**
 * The payloads' PNG image sheets (src/common/mime.ts `encoding: 'png'`) are lossless: every
 * byte of a grayscale or RGB stack comes back, whatever the pixel statistics (each PNG row
 * filter gets used), for stacks that fill the sheet and stacks that leave cells empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { SHEET_MAX_WIDTH, sheetCols, sheetSize, sheetToStack, stackToSheet, type ImageShape } from '../../../src/common/mime';
import { decodePng, encodePng, stackToPngBase64 } from '../../../src/lab/viz/png';
import { Raster } from '../../../src/lab/viz/raster';

function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

/** Smooth blobs plus noise plus hard edges and saturated runs: the kinds of pixels a VAE decodes. */
function stack(shape: ImageShape, count: number, seed = 1): Uint8Array {
  const r = rng(seed),
    { height: h, width: w, channels: c } = shape;
  const px = new Uint8Array(count * h * w * c);
  for (let i = 0; i < count; i++) {
    const cx = r() * w,
      cy = r() * h;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) {
          const d = Math.hypot(x - cx, y - cy);
          const v = i % 3 === 0 ? 255 * Math.exp(-d / (3 + k)) + 20 * r() : i % 3 === 1 ? (d < w / 4 ? 255 : 0) : r() * 256;
          px[((i * h + y) * w + x) * c + k] = Math.max(0, Math.min(255, Math.floor(v)));
        }
  }
  return px;
}

/** The filter type of each row of a PNG with one IDAT (what encodePng writes). */
function rowFilters(png: Buffer, stride: number): number[] {
  const len = png.readUInt32BE(33),
    raw = inflateSync(png.subarray(41, 41 + len));
  return Array.from({ length: raw.length / (stride + 1) }, (_, y) => raw[y * (stride + 1)]);
}

test('sheet layout: image i at column i % cols, row floor(i / cols); empty cells black', () => {
  const shape: ImageShape = { height: 2, width: 3, channels: 1 };
  const px = Uint8Array.from({ length: 5 * 6 }, (_, i) => 1 + i);
  assert.deepEqual(sheetSize(shape, 5, 2), { width: 6, height: 6 });
  assert.deepEqual(sheetSize(shape, 2, 9), { width: 6, height: 2 }); // fewer images than columns
  assert.deepEqual(sheetSize(shape, 0, 4), { width: 3, height: 0 });
  const sheet = stackToSheet(px, shape, 5, 2);
  assert.deepEqual([...sheet.subarray(0, 6)], [1, 2, 3, 7, 8, 9]); // top rows of images 0 and 1
  assert.deepEqual([...sheet.subarray(4 * 6, 4 * 6 + 6)], [25, 26, 27, 0, 0, 0]); // image 4, then an empty cell
  assert.deepEqual(sheetToStack(sheet, 1, shape, 5, 2), px);
  assert.throws(() => sheetToStack(sheet.subarray(1), 1, shape, 5, 2), /not 6x6/);
  // The payload layout: one row of all images while it fits in SHEET_MAX_WIDTH.
  assert.equal(sheetCols({ height: 64, width: 64, channels: 1 }, 90), 90);
  assert.equal(sheetCols({ height: 64, width: 64, channels: 1 }, 1600), SHEET_MAX_WIDTH / 64);
  assert.equal(sheetCols({ height: 2, width: 10000, channels: 1 }, 3), 1);
  assert.equal(sheetCols({ height: 2, width: 2, channels: 1 }, 0), 1);
});

test('PNG sheets round-trip exactly: grayscale and RGB, full and ragged sheets', () => {
  const seen = new Set<number>();
  for (const [shape, count, cols] of [
    [{ height: 64, width: 64, channels: 1 }, 90, 9], // dSprites-sized traversal block
    [{ height: 28, width: 28, channels: 1 }, 7, 3],
    [{ height: 32, width: 32, channels: 3 }, 20, 9],
    [{ height: 5, width: 7, channels: 3 }, 1, 1],
    [{ height: 28, width: 28, channels: 1 }, 300, sheetCols({ height: 28, width: 28, channels: 1 }, 300)], // payload layout, 2 rows
  ] as [ImageShape, number, number][]) {
    const px = stack(shape, count, count);
    const b64 = stackToPngBase64(px, shape, count, cols);
    const png = decodePng(Buffer.from(b64, 'base64'));
    assert.deepEqual(
      { w: png.width, h: png.height, c: png.channels },
      { w: sheetSize(shape, count, cols).width, h: sheetSize(shape, count, cols).height, c: shape.channels },
    );
    assert.deepEqual(sheetToStack(png.pixels, shape.channels, shape, count, cols), px, `${count} x ${shape.width}x${shape.height}x${shape.channels}`);
    for (const f of rowFilters(Buffer.from(b64, 'base64'), png.width * shape.channels)) seen.add(f);
  }
  // Adaptive row filters are on (pngjs filterType -1): several filter types are chosen.
  assert.ok(seen.size >= 3 && [...seen].every((f) => f >= 0 && f <= 4), `row filters used: ${[...seen]}`);
  assert.equal(stackToPngBase64(new Uint8Array(0), { height: 4, width: 4, channels: 1 }, 0, 3), '');
});

test('encodePng/decodePng round-trip RGBA and reject corrupted files', () => {
  const px = stack({ height: 9, width: 11, channels: 3 }, 1, 4);
  const rgba = Uint8Array.from({ length: 9 * 11 * 4 }, (_, i) => px[Math.floor(i / 4) * 3 + (i % 4 === 3 ? 0 : i % 4)] ^ (i % 4 === 3 ? 0x55 : 0));
  assert.deepEqual(decodePng(encodePng(rgba, 11, 9, 4)).pixels, rgba);
  const bad = Buffer.from(encodePng(px, 11, 9, 3));
  bad[45] ^= 1; // inside the IDAT data: the CRC no longer matches
  assert.throws(() => decodePng(bad), /decodePng: .*the file is damaged/);
});

test('fallback pictures: gray PNG when every pixel is gray, RGB once one is coloured, same pixels', () => {
  const r = new Raster(5, 4, [255, 255, 255]);
  r.set(1, 2, [7, 7, 7]);
  const gray = decodePng(Buffer.from(r.png(), 'base64'));
  assert.equal(gray.channels, 1);
  assert.deepEqual(
    gray.pixels,
    r.data.filter((_, i) => i % 3 === 0),
  );
  r.set(3, 1, [200, 10, 30]);
  const rgb = decodePng(Buffer.from(r.png(), 'base64'));
  assert.equal(rgb.channels, 3);
  assert.deepEqual(rgb.pixels, r.data);
});
