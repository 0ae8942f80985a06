import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { moons, moonsArrays } from '../../../src/lab/data/moons';
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
