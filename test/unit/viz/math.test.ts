import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { fitPca2, project, selectDims } from '../../../src/lab/viz/pca';
import { arrowStats } from '../../../src/lab/viz/arrowStats';
import { BoundedSeries } from '../../../src/lab/viz/series';
import { decodePng, encodePng } from '../../../src/lab/viz/png';
import { base64ToBytes, base64ToFloat32, bytesToBase64, float32ToBase64 } from '../../../src/common/mime';
import { buildHitGrid, nearestSegment } from '../../../src/renderers/hitgrid';

test('PCA recovers the axes of a rotated anisotropic cloud', () => {
  // Points on a grid with std 3 along u = (cos t, sin t, 0) and 1 along v = (-sin t, cos t, 0), none on z.
  const t = 0.6,
    u = [Math.cos(t), Math.sin(t), 0],
    v = [-Math.sin(t), Math.cos(t), 0];
  const data: number[] = [];
  for (const a of [-3, 3]) for (const b of [-1, 1]) data.push(...[0, 1, 2].map((k) => 5 + a * u[k] + b * v[k]));
  const p = fitPca2(data, 4, 3);
  assert.ok(Math.abs(Math.abs(p.components[0][0] * u[0] + p.components[0][1] * u[1]) - 1) < 1e-9);
  assert.ok(Math.abs(Math.abs(p.components[1][0] * v[0] + p.components[1][1] * v[1]) - 1) < 1e-9);
  assert.ok(Math.abs(p.variances[0] - 9) < 1e-9 && Math.abs(p.variances[1] - 1) < 1e-9);
  assert.ok(Math.abs(p.totalVariance - 10) < 1e-9);
  const xy = project(p, data, 4);
  assert.ok(Math.abs(Math.abs(xy[0]) - 3) < 1e-5 && Math.abs(Math.abs(xy[1]) - 1) < 1e-5);
  assert.deepEqual([...selectDims(data, 4, 3, [2, 0])].slice(0, 2), [data[2], data[0]].map(Math.fround));
});

test('PCA of constant data does not produce NaN', () => {
  const p = fitPca2(new Float32Array(30).fill(2), 10, 3);
  assert.ok([...project(p, new Float32Array(30).fill(2), 10)].every((v) => Math.abs(v) < 1e-9));
});

test('arrow stats: known answer', () => {
  // Two classes with centres (0,0) and (4,0) in 2-D; each arrow has length 1 -> ratio 1/4.
  const zx = [0, 0, 0, 0, 4, 0, 4, 0],
    zt = [1, 0, 0, 1, 4, 1, 3, 0];
  const s = arrowStats(zx, zt, [0, 0, 1, 1], 4, 2);
  assert.equal(s.meanArrow, 1);
  assert.equal(s.meanCentreDistance, 4);
  assert.equal(s.ratio, 0.25);
  assert.ok(Number.isNaN(arrowStats(zx, zt, [0, 0, 0, 0], 4, 2).meanCentreDistance));
});

test('bounded series stays small and keeps the mean', () => {
  const s = new BoundedSeries(50);
  for (let i = 1; i <= 10000; i++) s.add('step', i, { loss: i % 2 ? 1 : 3, kl: 5 });
  const loss = s.points().filter((p) => p.term === 'loss');
  assert.ok(loss.length <= 51, `${loss.length} points`);
  assert.ok(loss.length >= 25);
  const mean = loss.reduce((a, p) => a + p.value, 0) / loss.length;
  assert.ok(Math.abs(mean - 2) < 0.05);
  assert.equal(loss[loss.length - 1].step, 10000);
  s.add('step', 10001, { loss: NaN });
  assert.ok(s.points().every((p) => Number.isFinite(p.value)));
});

test('PNG (pngjs): IHDR then one IDAT, filtered rows, round trip in gray and RGB', () => {
  const gray = Uint8Array.from({ length: 4 * 3 }, (_, i) => (i * 37) & 255);
  assert.deepEqual(decodePng(encodePng(gray, 4, 3, 1)), { pixels: gray, width: 4, height: 3, channels: 1 });
  const px = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10);
  const png = encodePng(px, 3, 2, 3);
  assert.deepEqual([...png.subarray(1, 4)], [80, 78, 71]);
  const idatLen = png.readUInt32BE(33);
  assert.equal(png.toString('ascii', 37, 41), 'IDAT');
  const raw = inflateSync(png.subarray(41, 41 + idatLen));
  assert.equal(raw.length, 2 * (1 + 3 * 3)); // a filter-type byte before each row
  assert.ok(raw[0] <= 4 && raw[10] <= 4);
  assert.deepEqual(decodePng(png), { pixels: px, width: 3, height: 2, channels: 3 });
});

test('base64 codecs agree with Buffer and round-trip float32', () => {
  for (const n of [0, 1, 2, 3, 4, 5, 12289, 40000]) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
    const s = bytesToBase64(b);
    assert.equal(s, Buffer.from(b).toString('base64'));
    assert.deepEqual(base64ToBytes(s), b);
  }
  const f = Float32Array.from([0, -1.5, 3.25e-8, 1e30]);
  assert.deepEqual(base64ToFloat32(float32ToBase64(f)), f);
  assert.throws(() => base64ToBytes('ab$c'), /invalid base64/);
});

test('hit grid finds the nearest segment and nothing far away', () => {
  const seg = Float32Array.from([10, 10, 90, 10, 50, 50, 50, 90, 0, 0, 99, 99]);
  const g = buildHitGrid(seg, 100, 12);
  assert.equal(nearestSegment(g, seg, 40, 12, 5), 0);
  assert.equal(nearestSegment(g, seg, 52, 70, 5), 1);
  assert.equal(nearestSegment(g, seg, 30, 31, 5), 2);
  assert.equal(nearestSegment(g, seg, 80, 40, 5), -1);
});
