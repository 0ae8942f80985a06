import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { moonArcAngle, moonArcDistance, moons, moonsArrays, moonsSampleScores } from '../../../src/lab/data/moons';
import { InvalidArgumentError } from '../../../src/lab/core/errors';

test('three half circles 2.2 apart: each class lies on its own upper half circle', () => {
  const { xy, labels } = moonsArrays({ n: 3000, seed: 1, noise: 0 });
  for (let i = 0; i < labels.length; i++) {
    const dx = xy[2 * i] - 2.2 * labels[i];
    const dy = xy[2 * i + 1];
    assert.ok(Math.abs(Math.hypot(dx, dy) - 1) < 1e-5, `point ${i} off its circle`);
    assert.ok(dy >= -1e-6, 'upper half only');
  }
  const counts = [0, 0, 0];
  for (const l of labels) counts[l]++;
  assert.deepEqual(counts, [1000, 1000, 1000]);
});

test('noise has the requested standard deviation (radial residual)', () => {
  const { xy, labels } = moonsArrays({ n: 6000, seed: 2, noise: 0.1 });
  let s2 = 0;
  for (let i = 0; i < labels.length; i++) {
    const r = Math.hypot(xy[2 * i] - 2.2 * labels[i], xy[2 * i + 1]) - 1;
    s2 += r * r;
  }
  const sd = Math.sqrt(s2 / labels.length);
  assert.ok(sd > 0.085 && sd < 0.115, `radial sd ${sd}`);
});

test('seeded: same seed same points, other seed other points; tensors have the Batch shapes', () => {
  const a = moonsArrays({ n: 30, seed: 5 });
  const b = moonsArrays({ n: 30, seed: 5 });
  const c = moonsArrays({ n: 30, seed: 6 });
  assert.deepEqual(a.xy, b.xy);
  assert.notDeepEqual(a.xy, c.xy);
  const before = tf.memory().numTensors;
  const d = moons({ n: 30, seed: 5 });
  assert.deepEqual(d.x.shape, [30, 1, 1, 2]);
  assert.equal(d.y.dtype, 'int32');
  assert.deepEqual(Array.from(d.x.dataSync()), Array.from(a.xy));
  tf.dispose([d.x, d.y]);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => moonsArrays({ n: 0, seed: 1 }), InvalidArgumentError);
});

test('arc distance: known answers above the axis, at the ends, and straight below an end at any depth', () => {
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(moonArcDistance(2.2 + 0, 1, 2.2), 0); // the top of moon 1
  close(moonArcDistance(0, 1.5, 0), 0.5); // above the top
  close(moonArcDistance(0, 0, 0), 1); // the centre: every arc point is 1 away
  close(moonArcDistance(0.6, 0.8, 0), 0); // on the arc at t = atan2(0.8, 0.6)
  // Straight below the right end: the distance is the depth (a radial reading would say |x - cx| - 1 = 0).
  for (const depth of [0.05, 0.5, 3]) close(moonArcDistance(1, -depth, 0), depth);
  close(moonArcDistance(-1, -2, 0), 2);
  // Below the axis, between the ends: the nearest end.
  close(moonArcDistance(0.3, -0.4, 0), Math.hypot(0.7, 0.4));
  close(moonArcDistance(-0.3, -0.4, 0), Math.hypot(0.7, 0.4));
  close(moonArcAngle(0.6, 0.8, 0), Math.atan2(0.8, 0.6));
  close(moonArcAngle(1.5, -1, 0), 0);
  close(moonArcAngle(-0.2, -1, 0), Math.PI);
});

test('moons scores: the real data is on its moons and covers every arc bin; points below the ends and a collapsed model do not', () => {
  const { xy, labels } = moonsArrays({ n: 3000, seed: 3, noise: 0.05 });
  const real = Array.from(labels, (label, i) => ({ x: xy[2 * i], y: xy[2 * i + 1], label }));
  const byClass = [0, 1, 2].map((c) => Float32Array.from(real.filter((p) => p.label === c).flatMap((p) => [p.x, p.y])));
  const faithful = moonsSampleScores(byClass, real);
  assert.ok(faithful.onMoon > 0.97, `onMoon ${faithful.onMoon}`);
  assert.equal(faithful.arcCoverage, 1);
  // Columns straight below each moon's two ends, 0.5 to 2 deep: none is on a moon.
  const below = [0, 1, 2].map((c) => Float32Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 2.2 * c + (i % 4 === 0 ? 1 : -1) : -0.5 - (1.5 * i) / 200)));
  const b = moonsSampleScores(below, real);
  assert.equal(b.onMoon, 0);
  assert.equal(b.arcCoverage, 0);
  // Every sample at the top of its moon: all on the moon, but one bin in 18 covered.
  const top = [0, 1, 2].map((c) => Float32Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 2.2 * c : 1)));
  const t = moonsSampleScores(top, real);
  assert.equal(t.onMoon, 1);
  assert.ok(Math.abs(t.arcCoverage - 1 / 18) < 1e-12);
  assert.deepEqual(t.perClassArcCoverage.length, 3);
  // Samples of class 0 on moon 1: off their own moon.
  const swapped = moonsSampleScores([byClass[1], byClass[0], byClass[2]], real);
  assert.ok(swapped.onMoon < 0.4, `swapped onMoon ${swapped.onMoon}`);
});
