// tfjs 4.22 bugs the lab would hit, each with a test that fails while the bug is live
// (the lab's replacement), and a canary that notices when tfjs fixes it upstream.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfjs from '@tensorflow/tfjs';
import * as tf from '../../../src/lab/tf';
import { agree, rand, relErr, setup } from './compare';
import { registerLabWasmKernels, unregisterLabWasmKernels } from '../../../src/lab/runtime/wasm/register';

before(setup);

/** Max-pool over all-negative inputs (a window max <= 0): gradient must follow the argmax. */
function negativePool(filter: number, stride: number, pad: 'same' | 'valid') {
  return () => {
    const x = rand([2, 5, 7, 3], 61).abs().neg().sub(0.1) as tf.Tensor4D;
    const y = tf.maxPool(x, filter, stride, pad);
    const r = rand(y.shape, 67);
    return [
      y,
      tf.grad((x: tf.Tensor) =>
        tf
          .maxPool(x as tf.Tensor4D, filter, stride, pad)
          .mul(r)
          .sum(),
      )(x),
    ];
  };
}

test('wasm MaxPoolGrad with window max <= 0 matches cpu', async () => {
  await agree('maxPool 2 s2 same', negativePool(2, 2, 'same'));
  await agree('maxPool 3 s1 valid', negativePool(3, 1, 'valid'));
  await agree('maxPool 3 s2 same, mixed signs', () => {
    const x = rand([1, 7, 7, 2], 71) as tf.Tensor4D;
    return [tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same').sum())(x)];
  });
});

test('canary: the stock wasm MaxPoolGrad still drops gradients when max <= 0', async () => {
  unregisterLabWasmKernels();
  try {
    await tf.setBackend('wasm');
    const g = tf.tidy(() => negativePool(2, 2, 'same')()[1].dataSync() as Float32Array);
    await tf.setBackend('cpu');
    const ref = tf.tidy(() => negativePool(2, 2, 'same')()[1].dataSync() as Float32Array);
    assert.ok(relErr(g, ref) > 1e-2, 'tfjs fixed MaxPoolGrad: the lab kernel in wasm/small.ts may go');
  } finally {
    registerLabWasmKernels();
    await tf.setBackend('wasm');
  }
});

/** d/d(x, mean, variance) of sum(batchNorm(x, mean, variance) * r), without scale/offset. */
function bnGrads(bn: typeof tf.batchNorm) {
  const x = rand([4, 3, 3, 2], 73);
  const mean = rand([2], 79);
  const variance = rand([2], 83).abs().add(0.5);
  const r = rand([4, 3, 3, 2], 89);
  return tf.grads((x: tf.Tensor, m: tf.Tensor, v: tf.Tensor) => bn(x, m, v, undefined, undefined, 1e-3).mul(r).sum())([x, mean, variance]);
}

test('gradient of tf.batchNorm without scale/offset (the lab door) matches the closed form', async () => {
  await tf.setBackend('wasm');
  tf.tidy(() => {
    const [dx, dm, dv] = bnGrads(tf.batchNorm).map((t) => t.dataSync() as Float32Array);
    // y = (x - m) s, s = (v + eps)^-1/2: dy/dx = s, dy/dm = -s, dy/dv = -(x - m) s^3 / 2, summed over N,H,W.
    const x = rand([4, 3, 3, 2], 73).dataSync();
    const m = rand([2], 79).dataSync();
    const v = rand([2], 83).abs().add(0.5).dataSync();
    const r = rand([4, 3, 3, 2], 89).dataSync();
    const edx = new Float32Array(x.length);
    const edm = new Float32Array(2);
    const edv = new Float32Array(2);
    for (let i = 0; i < x.length; i++) {
      const c = i % 2;
      const s = 1 / Math.sqrt(v[c] + 1e-3);
      edx[i] = r[i] * s;
      edm[c] -= r[i] * s;
      edv[c] -= (r[i] * (x[i] - m[c]) * s ** 3) / 2;
    }
    assert.ok(relErr(dx, edx) < 1e-4);
    assert.ok(relErr(dm, edm) < 1e-4);
    assert.ok(relErr(dv, edv) < 1e-4);
  });
});

test('canary: the umbrella tf.batchNorm gradient without scale still throws', () => {
  assert.throws(
    () => tfjs.tidy(() => bnGrads(tfjs.batchNorm as typeof tf.batchNorm)),
    /Cannot read properties of undefined/,
    'tfjs fixed the batchNorm gradient: src/lab/runtime/fixes.ts may go',
  );
});
