import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { useCpu, blobs } from '../lab/helpers';
import { tileImages, swapFigure, classSampleFigure, moonsScatterSpec } from '../../../src/lab/experiments/label-relevant/figures';
import { LabelRelevantVAE } from '../../../src/lab/models/lrVae';

before(useCpu);

test('tileImages puts image k at row k / cols, column k % cols, with padding between', () => {
  const x = tf.tidy(() => tf.mul(tf.ones([5, 2, 3, 1]), tf.reshape(tf.range(1, 6), [5, 1, 1, 1]))) as tf.Tensor4D;
  const g = tileImages(x, 3, 1, 0);
  assert.deepEqual(g.shape, [2 * 3 - 1, 3 * 4 - 1, 1]);
  const a = g.arraySync() as number[][][];
  assert.equal(a[0][0][0], 1); // image 0 top-left
  assert.equal(a[0][4][0], 2); // image 1 starts after 3 px + 1 pad
  assert.equal(a[3][4][0], 5); // image 4: second row, second column
  assert.equal(a[2][0][0], 0); // padding row
  assert.equal(a[3][8][0], 0); // the missing 6th image is padding
  tf.dispose([x, g]);
});

test('swap figure: header row = column sources, first column = row sources, body = model.swap', () => {
  const m = new LabelRelevantVAE({ kind: 'lr-vae', inputShape: [8, 8, 1], classes: 4, zs: 2, zu: 2, net: { kind: 'mlp', hidden: [8] }, seed: 1 });
  const b = blobs(5, 1).batch([0, 1, 2, 3, 4]);
  const n0 = tf.memory().numTensors;
  tf.tidy(() => {
    const rows = tf.slice(b.x, [0], [2]) as tf.Tensor4D,
      cols = tf.slice(b.x, [2], [3]) as tf.Tensor4D;
    const fig = swapFigure(m, rows, cols);
    assert.deepEqual(fig.shape, [3 * 9 - 1, 4 * 9 - 1, 1]);
    const cellAt = (r: number, c: number) => tf.slice(fig, [r * 9, c * 9, 0], [8, 8, 1]);
    const diff = (a: tf.Tensor, bb: tf.Tensor) => (tf.max(tf.abs(tf.sub(a, bb))) as tf.Scalar).arraySync();
    assert.ok(diff(cellAt(0, 2), tf.squeeze(tf.slice(cols, [1], [1]), [0])) < 1e-6);
    assert.ok(diff(cellAt(2, 0), tf.squeeze(tf.slice(rows, [1], [1]), [0])) < 1e-6);
    assert.ok(diff(cellAt(2, 3), tf.squeeze(tf.slice(m.swap(rows, cols), [5], [1]), [0])) < 1e-6);
    assert.deepEqual(classSampleFigure(m, 3).shape, [4 * 9 - 1, 3 * 9 - 1, 1]);
  });
  assert.equal(tf.memory().numTensors, n0);
  const spec = moonsScatterSpec([{ x: 0, y: 1, label: 0, source: 'data' }]) as { facet: unknown; data: { values: unknown[] } };
  assert.equal(spec.data.values.length, 1);
  assert.ok(spec.facet);
  tf.dispose([b.x, b.y!]);
  m.dispose();
});
