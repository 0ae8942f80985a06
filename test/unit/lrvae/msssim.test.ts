import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '../../../src/lab/tf';
import { msSsim, windowAt, MS_SSIM_WEIGHTS, MsSsimShapeError } from '../../../src/lab/metrics/msssim';

/** The formula images of msssim_reference.py, rebuilt here. */
function image(kind: string, h: number, w: number): Float32Array {
  const out = new Float32Array(h * w);
  const clip = (v: number) => Math.min(1, Math.max(0, v));
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      const s = Math.sin(0.3 * i + 0.2 * j);
      const v =
        kind === 'a'
          ? 0.5 + 0.4 * s
          : kind === 'b'
            ? clip(0.5 + 0.4 * s + 0.15 * Math.cos((0.7 * i * j) / h))
            : kind === 'c'
              ? 0.5 + 0.2 * s
              : kind === 'd'
                ? clip(0.5 + 0.4 * s + 0.1 * ((i + j) % 2) - 0.05)
                : 0.5 + 0.4 * Math.sin(0.3 * (i + 1) + 0.2 * j);
      out[i * w + j] = v;
    }
  return out;
}

test('identical images give MS-SSIM 1 (1 and 3 channels)', () => {
  const before = tf.memory().numTensors;
  const x = tf.randomUniform([3, 28, 28, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const v = msSsim(x, x);
  for (const s of v.arraySync()) assert.ok(Math.abs(s - 1) < 1e-5, `got ${s}`);
  tf.dispose([x, v]);
  assert.equal(tf.memory().numTensors, before);
});

test('constant images: cs = 1 at every scale, so MS-SSIM = l^w5 in closed form', () => {
  const c1 = 0.01 ** 2;
  for (const [a, b] of [
    [0.2, 0.5],
    [0.9, 0.1],
    [0.4, 0.45],
  ]) {
    const x = tf.fill([1, 28, 28, 1], a) as tf.Tensor4D;
    const y = tf.fill([1, 28, 28, 1], b) as tf.Tensor4D;
    const want = ((2 * a * b + c1) / (a * a + b * b + c1)) ** MS_SSIM_WEIGHTS[4];
    const got = msSsim(x, y).arraySync()[0];
    assert.ok(Math.abs(got - want) < 1e-5, `a=${a} b=${b}: ${got} vs ${want}`);
    tf.dispose([x, y]);
  }
});

test('matches an independent numpy reference (msssim_reference.py) on formula images', () => {
  const cases = JSON.parse(readFileSync(new URL('./msssim-reference.json', import.meta.url), 'utf8')) as {
    h: number;
    w: number;
    x: string;
    y: string;
    msssim: number;
  }[];
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    const x = tf.tensor4d(image(c.x, c.h, c.w), [1, c.h, c.w, 1]);
    const y = tf.tensor4d(image(c.y, c.h, c.w), [1, c.h, c.w, 1]);
    const got = msSsim(x, y).arraySync()[0];
    assert.ok(Math.abs(got - c.msssim) < 2e-4, `${c.x}/${c.y} ${c.h}x${c.w}: ${got} vs ${c.msssim}`);
    tf.dispose([x, y]);
  }
});

test('more noise means lower MS-SSIM; the measure is symmetric', () => {
  const x = tf.tensor4d(image('a', 28, 28), [1, 28, 28, 1]);
  const scores = [0.02, 0.1, 0.3].map((s) =>
    tf.tidy(() => {
      const y = tf.clipByValue(tf.add(x, tf.randomNormal(x.shape, 0, s, 'float32', 3)), 0, 1) as tf.Tensor4D;
      const v1 = msSsim(x, y).arraySync()[0];
      const v2 = msSsim(y, x).arraySync()[0];
      assert.ok(Math.abs(v1 - v2) < 1e-6);
      return v1;
    }),
  );
  assert.ok(scores[0] > scores[1] && scores[1] > scores[2], `${scores}`);
  x.dispose();
});

test('the window shrinks to the largest odd size that fits, sigma in proportion', () => {
  assert.deepEqual(windowAt(28), { size: 11, sigma: 1.5 });
  assert.deepEqual(windowAt(7), { size: 7, sigma: (1.5 * 7) / 11 });
  assert.equal(windowAt(4).size, 3);
  assert.equal(windowAt(2).size, 1);
});

test('different shapes are refused with a clear error', () => {
  const x = tf.zeros([1, 28, 28, 1]) as tf.Tensor4D;
  const y = tf.zeros([1, 14, 14, 1]) as tf.Tensor4D;
  assert.throws(() => msSsim(x, y), MsSsimShapeError);
  tf.dispose([x, y]);
});
