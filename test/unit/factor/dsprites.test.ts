import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '../../../src/lab/tf';
import { Rng } from '../../../src/lab/core/random';
import { DSprites, DSPRITES_FACTOR_SIZES, factorsOf, flatIndex, imagesOf, renderDSprite, sampleFactors, subsetFactors } from '../../../src/lab/data/dsprites';
import { loadDSpritesNpz } from '../../../src/lab/data/dspritesNpz';
import { NpzFormatError } from '../../../src/lab/data/npz';
import { writeNpz } from './npzWriter';

const sizes = DSPRITES_FACTOR_SIZES;

function img(f: number[]): Uint8Array {
  const out = new Uint8Array(4096);
  renderDSprite(f, out);
  return out;
}
const count = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
function centroid(a: Uint8Array): [number, number] {
  let r = 0,
    c = 0,
    n = 0;
  for (let i = 0; i < 4096; i++)
    if (a[i]) {
      r += Math.floor(i / 64);
      c += i % 64;
      n++;
    }
  return [c / n, r / n];
}

test('grid: 737,280 images, flat index in the official order (posY fastest) round-trips', () => {
  const ds = new DSprites();
  assert.equal(ds.size, 737280);
  assert.equal(flatIndex([0, 0, 0, 0, 1], sizes), 1);
  assert.equal(flatIndex([0, 0, 0, 1, 0], sizes), 32);
  assert.equal(flatIndex([1, 0, 0, 0, 0], sizes), 6 * 40 * 32 * 32);
  for (const i of [0, 1, 12345, 737279]) assert.equal(flatIndex(factorsOf(i, sizes), sizes), i);
});

test('render: binary sprites inside the frame; scale grows area, posX/posY move the centroid', () => {
  for (let shape = 0; shape < 3; shape++) {
    const small = img([shape, 0, 0, 16, 16]);
    const big = img([shape, 5, 0, 16, 16]);
    assert.ok(count(small) > 20, `shape ${shape} renders pixels`);
    assert.ok(count(big) > 3 * count(small), `scale 1 has ~4x the area of scale 0.5 (shape ${shape})`);
    assert.ok(small.every((v) => v === 0 || v === 1));
    // Biggest sprite, rotated, at the extreme corners: no pixel on the border.
    for (const [x, y] of [
      [0, 0],
      [31, 31],
    ]) {
      const a = img([shape, 5, 5, x, y]);
      for (let k = 0; k < 64; k++) assert.ok(!a[k] && !a[63 * 64 + k] && !a[k * 64] && !a[k * 64 + 63]);
    }
  }
  const [x0, y0] = centroid(img([2, 3, 7, 0, 10]));
  const [x1, y1] = centroid(img([2, 3, 7, 31, 10]));
  assert.ok(Math.abs(x1 - x0 - 32) < 1.5 && Math.abs(y1 - y0) < 0.5, `posX moves right 32 px: ${x0} -> ${x1}`);
  const [, ya] = centroid(img([1, 3, 0, 10, 0]));
  const [, yb] = centroid(img([1, 3, 0, 10, 31]));
  assert.ok(Math.abs(yb - ya - 32) < 1.5, 'posY moves down 32 px');
});

test('render: shapes differ, orientation 0 and 2*pi coincide, a quarter turn of the ellipse swaps its axes', () => {
  const sq = img([0, 5, 0, 16, 16]),
    el = img([1, 5, 0, 16, 16]),
    he = img([2, 5, 0, 16, 16]);
  assert.notDeepEqual(sq, el);
  assert.notDeepEqual(el, he);
  assert.deepEqual(img([2, 4, 0, 9, 9]), img([2, 4, 39, 9, 9]));
  assert.notDeepEqual(img([2, 4, 10, 9, 9]), img([2, 4, 0, 9, 9]));
  // orientation class 10 of 40 over [0, 2pi] is 10/39 of a turn (~92 degrees): the ellipse turns upright.
  const wide = img([1, 5, 0, 16, 16]),
    tall = img([1, 5, 10, 16, 16]);
  const extent = (a: Uint8Array, axis: 0 | 1) => {
    const v = [...a.keys()].filter((i) => a[i]).map((i) => (axis ? Math.floor(i / 64) : i % 64));
    return Math.max(...v) - Math.min(...v);
  };
  assert.ok(extent(wide, 0) > 1.5 * extent(wide, 1));
  assert.ok(extent(tall, 1) > 1.5 * extent(tall, 0));
});

test('DSprites: LRU cache stays bounded and returns the same image; imagesOf leaks no tensors', () => {
  const ds = new DSprites({ cacheSize: 8 });
  const rng = new Rng(1);
  const f = sampleFactors(sizes, 40, rng);
  const before = tf.memory().numTensors;
  const x = imagesOf(ds, f);
  assert.ok(ds.cached <= 8);
  assert.deepEqual(x.shape, [40, 64, 64, 1]);
  const again = imagesOf(ds, f);
  assert.deepEqual(Array.from(x.dataSync()), Array.from(again.dataSync()));
  tf.dispose([x, again]);
  assert.equal(tf.memory().numTensors, before);
});

test('sampling: seeded, within the grid, and a fixed factor stays fixed', () => {
  const a = sampleFactors(sizes, 100, new Rng(7), { factor: 2, value: 13 });
  const b = sampleFactors(sizes, 100, new Rng(7), { factor: 2, value: 13 });
  assert.deepEqual(a, b);
  for (let i = 0; i < 100; i++) {
    assert.equal(a[i * 5 + 2], 13);
    for (let k = 0; k < 5; k++) assert.ok(a[i * 5 + k] >= 0 && a[i * 5 + k] < sizes[k]);
  }
  const xs = new Set<number>();
  for (let i = 0; i < 100; i++) xs.add(a[i * 5 + 3]);
  assert.ok(xs.size > 15, 'other factors vary');
  const sub = subsetFactors(sizes, 500, new Rng(3));
  const idx = new Set<number>();
  for (let i = 0; i < 500; i++) idx.add(flatIndex(sub.subarray(i * 5, i * 5 + 5), sizes));
  assert.equal(idx.size, 500, 'subset has no duplicates');
});

/** A small complete grid (shape 3, scale 2, orientation 2, x 2, y 2) in numpy's dSprites layout, rows shuffled. */
function smallGrid(): { classes: number[][]; arrays: Parameters<typeof writeNpz>[1] } {
  const g = [3, 2, 2, 2, 2];
  const n = g.reduce((a, b) => a * b, 1);
  const order = Array.from(new Rng(5).permutation(n));
  const classes = order.map((i) => factorsOf(i, g));
  const imgs = Buffer.alloc(n * 4096);
  const lc = Buffer.alloc(n * 6 * 8);
  classes.forEach((f, r) => {
    // pixels of the procedural image for the same classes, mapped onto the big grid's values
    renderDSprite([f[0], f[1] * 5, f[2] * 10, f[3] * 31, f[4] * 31], imgs, r * 4096);
    f.forEach((v, k) => lc.writeBigInt64LE(BigInt(v), (r * 6 + k + 1) * 8));
  });
  return {
    classes,
    arrays: {
      imgs: { descr: '|u1', shape: [n, 64, 64], data: imgs },
      latents_classes: { descr: '<i8', shape: [n, 6], data: lc },
      latents_values: { descr: '<f8', shape: [n, 6], data: Buffer.alloc(n * 48) },
    },
  };
}

test('npz loader: reads stored and deflated archives and finds images by factor classes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsprites-'));
  try {
    const { arrays } = smallGrid();
    for (const deflate of [false, true]) {
      const file = path.join(dir, `d${deflate}.npz`);
      writeNpz(file, arrays, deflate);
      const ds = await loadDSpritesNpz(file);
      assert.deepEqual(ds.factorSizes, [3, 2, 2, 2, 2]);
      for (const f of [
        [0, 0, 0, 0, 0],
        [2, 1, 1, 0, 1],
        [1, 0, 1, 1, 0],
      ]) {
        const got = new Float32Array(4096);
        ds.writeImage(f, got, 0);
        assert.deepEqual(Array.from(got), Array.from(img([f[0], f[1] * 5, f[2] * 10, f[3] * 31, f[4] * 31])));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('npz loader: a truncated, corrupted or incomplete file gives NpzFormatError with advice', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsprites-'));
  try {
    const { arrays } = smallGrid();
    const good = path.join(dir, 'good.npz');
    writeNpz(good, arrays, true);
    const bytes = fs.readFileSync(good);
    const truncated = path.join(dir, 'trunc.npz');
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 40));
    await assert.rejects(loadDSpritesNpz(truncated), (e: Error) => e instanceof NpzFormatError && /download it again/.test(e.message));
    const corrupt = path.join(dir, 'corrupt.npz');
    const c = Buffer.from(bytes);
    for (let i = 200; i < 260; i++) c[i] ^= 0x5a;
    fs.writeFileSync(corrupt, c);
    await assert.rejects(loadDSpritesNpz(corrupt), NpzFormatError);
    const missing = path.join(dir, 'missing.npz');
    const n = arrays.imgs.shape[0];
    writeNpz(
      missing,
      { ...arrays, latents_classes: { ...arrays.latents_classes, shape: [n - 1, 6], data: arrays.latents_classes.data.subarray(0, (n - 1) * 48) } },
      false,
    );
    await assert.rejects(loadDSpritesNpz(missing), /full factor grid/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
