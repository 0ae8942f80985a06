import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { centerCrop, resizeArea } from '../../../src/lab/data/resize';
import { loadOmniglot } from '../../../src/lab/data/omniglot';
import { celebaImage, loadCeleba } from '../../../src/lab/data/celeba';
import { DataNotFoundError } from '../../../src/lab/data/sources';

test('area resize: means of the covered areas (fractional edges); centre crop takes the middle', () => {
  // 3x3 -> 2x2: each output covers 1.5x1.5 source pixels.
  const src = [0, 90, 180, 0, 90, 180, 0, 90, 180];
  const out = resizeArea(src, 3, 3, 1, 2, 2);
  // left output column: weights 1 (col 0) and 0.5 (col 1) -> (0 + 45) / 1.5 = 30; right: (45 + 180) / 1.5 = 150
  assert.deepEqual([...out], [30, 150, 30, 150]);
  assert.deepEqual([...centerCrop([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 4, 3, 1, 2)], [2, 3, 6, 7]);
  assert.throws(() => centerCrop([1], 1, 1, 1, 2), /does not fit/);
});

/** A 105x105 Omniglot-style drawing: white page, a black horizontal bar at rows [r0, r0 + 21). */
function drawing(r0: number): Buffer {
  const png = new PNG({ width: 105, height: 105, colorType: 0, inputColorType: 0, bitDepth: 8 });
  const grey = Buffer.alloc(105 * 105, 255);
  for (let y = r0; y < r0 + 21; y++) grey.fill(0, y * 105, (y + 1) * 105);
  png.data = grey;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
}

test('Omniglot (official PNG release layout): halves, alphabets as labels, ink bright at 28x28', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omniglot-'));
  const put = (half: string, alphabet: string, character: string, file: string, r0: number) => {
    mkdirSync(join(dir, half, alphabet, character), { recursive: true });
    writeFileSync(join(dir, half, alphabet, character, file), drawing(r0));
  };
  put('images_background', 'Greek', 'character01', '0394_01.png', 42);
  put('images_background', 'Greek', 'character01', '0394_02.png', 0);
  put('images_background', 'Latin', 'character02', '0500_01.png', 84);
  put('images_evaluation', 'Tengwar', 'character01', '0900_01.png', 42);
  const o = loadOmniglot({ dataDir: dir });
  assert.equal(o.train.n, 3);
  assert.equal(o.test.n, 1);
  assert.deepEqual(o.train.shape, [28, 28, 1]);
  assert.deepEqual([...o.train.labels!], [0, 0, 1]);
  const px = (set: typeof o.train, i: number, r: number, c: number) => set.images[i * 784 + r * 28 + c];
  // Bar at rows 42..62 of 105 = rows 11.2..16.8 of 28: full ink inside, none far away.
  assert.equal(px(o.train, 0, 14, 10), 255);
  assert.equal(px(o.train, 0, 2, 10), 0);
  assert.equal(px(o.train, 0, 25, 10), 0);
  assert.ok(px(o.train, 0, 11, 10) > 0 && px(o.train, 0, 11, 10) < 255, 'the edge row is partly covered: grey');
  assert.equal(px(o.train, 1, 1, 3), 255);
  assert.equal(px(o.train, 2, 26, 3), 255);
  assert.throws(
    () => loadOmniglot({ dataDir: join(dir, 'missing') }),
    (e: unknown) => e instanceof DataNotFoundError && /images_background/.test(e.message),
  );
});

/** A 178x218 aligned-CelebA-style JPEG: the centred 140x140 square red, the border blue. */
function face(): Uint8Array {
  const w = 178,
    h = 218,
    data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const inside = x >= 19 && x < 159 && y >= 39 && y < 179;
      data.set(inside ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * w + x) * 4);
    }
  return jpeg.encode({ data, width: w, height: h }, 95).data;
}

test('CelebA (img_align_celeba JPEGs): centre 140 crop to 64x64x3, official partition file', () => {
  const img = celebaImage(face());
  assert.equal(img.length, 64 * 64 * 3);
  const at = (x: number, y: number) => [...img.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
  for (const [x, y] of [
    [32, 32],
    [8, 8],
    [56, 56],
  ]) {
    const [r, g, b] = at(x, y);
    assert.ok(r > 220 && g < 40 && b < 40, `(${x}, ${y}) is the red centre: ${[r, g, b]}`);
  }
  const wide = celebaImage(face(), 178); // a wider crop takes in the blue border
  assert.ok(wide[2] > 150 && wide[0] < 100, `corner of a 178 crop is blue: ${[...wide.subarray(0, 3)]}`);

  const dir = mkdtempSync(join(tmpdir(), 'celeba-'));
  mkdirSync(join(dir, 'img_align_celeba'));
  for (const f of ['000001.jpg', '000002.jpg', '000003.jpg']) writeFileSync(join(dir, 'img_align_celeba', f), face());
  writeFileSync(join(dir, 'list_eval_partition.txt'), '000001.jpg 0\n000002.jpg 1\n000003.jpg 2\n');
  const c = loadCeleba({ dataDir: dir });
  assert.equal(c.train.n, 1);
  assert.equal(c.test.n, 1);
  assert.deepEqual(c.train.shape, [64, 64, 3]);
  assert.throws(() => loadCeleba({ dataDir: join(dir, 'none') }), /img_align_celeba/);
});
