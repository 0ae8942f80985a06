// Every op the lab trains with, on tfjs-backend-webgpu (Dawn) against the cpu backend, forward
// and gradient, with the shapes of the wasm kernel tests (kernels-matmul/conv/layers/adam).
// In CI the adapter is Mesa's llvmpipe (a software renderer), which runs the same WGSL shaders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { rand, relErr } from './compare';
import { agreeGpu, leaveWebgpu, webgpuOrSkip } from './webgpu-compare';
import { CONV_CASES, convCaseName } from './conv-cases';
import { tinyVae } from './tiny-vae';

function product(aShape: number[], bShape: number[], ta: boolean, tb: boolean, withGrads = true) {
  return () => {
    const a = rand(aShape, 3);
    const b = rand(bShape, 5);
    const y = tf.matMul(a, b, ta, tb);
    const r = rand(y.shape, 7);
    if (!withGrads) return [y];
    return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb).mul(r).sum())([a, b])];
  };
}

test('matMul: every transpose, dense-layer sizes, batched and broadcast products', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    await agreeGpu(`matMul ta=${ta} tb=${tb}`, product(ta ? [7, 5] : [5, 7], tb ? [3, 7] : [7, 3], ta, tb));
  }
  for (const batch of [1, 64]) await agreeGpu(`x W, batch ${batch}`, product([batch, 784], [784, 96], false, false));
  await agreeGpu('[3,5,7]x[3,7,4]', product([3, 5, 7], [3, 7, 4], false, false));
  await agreeGpu('[3,5,7]x[7,4]', product([3, 5, 7], [7, 4], false, false, false));
  await agreeGpu('[1,5,7]x[3,7,4]', product([1, 5, 7], [3, 7, 4], false, false, false));
  await agreeGpu('[2,3,7,5]^T x [2,3,4,7]^T', product([2, 3, 7, 5], [2, 3, 4, 7], true, true));
  await agreeGpu('[3,5,7]x[2,3,7,4] (A broadcast from the left)', product([3, 5, 7], [2, 3, 7, 4], false, false, false));
});

/** The product with both batches broadcast explicitly first: the cpu kernel gets this case wrong too. */
function broadcastFirst(aShape: number[], bShape: number[], ta: boolean, tb: boolean) {
  return () => {
    const full = tf.backend_util.assertAndGetBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
    const a = tf.broadcastTo(rand(aShape, 3), [...full, ...aShape.slice(-2)]);
    const b = tf.broadcastTo(rand(bShape, 5), [...full, ...bShape.slice(-2)]);
    return [tf.matMul(a, b, ta, tb)];
  };
}

// webgpu-fixes.ts: the stock kernel throws on the first (3 products for 6 outputs) and returns
// wrong numbers for the second (A's batch read as batch % 2).
test('matMul with batch dims broadcast on both sides', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  for (const [a, b, ta, tb] of [
    [[2, 1, 5, 7], [1, 3, 7, 4], false, false],
    [[2, 1, 5, 7], [2, 3, 7, 4], false, false],
    [[2, 1, 7, 5], [1, 3, 4, 7], true, true],
  ] as [number[], number[], boolean, boolean][]) {
    await agreeGpu(`[${a}]${ta ? '^T' : ''} x [${b}]${tb ? '^T' : ''}`, product(a, b, ta, tb, false), 1e-4, broadcastFirst(a, b, ta, tb));
  }
});

test('fused matMul (the dense layer) with bias and every activation the lab uses', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const) {
    await agreeGpu(`fused ${activation}`, () => {
      const a = rand([9, 6], 2);
      const b = rand([4, 6], 4);
      const bias = rand([4], 6);
      const preluActivationWeights = activation === 'prelu' ? rand([4], 8) : undefined;
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeB: true, bias, activation, preluActivationWeights, leakyreluAlpha: 0.3 });
      return [f(a, b), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b).sum())([a, b])];
    });
  }
});

test('conv2d forward, input and filter gradients', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  for (const c of CONV_CASES) {
    await agreeGpu(`conv2d ${convCaseName(c)}`, () => {
      const x = rand([c.b, c.h, c.w, c.ci], 11) as tf.Tensor4D;
      const w = rand([c.k, c.k, c.ci, c.co], 13) as tf.Tensor4D;
      const y = tf.conv2d(x, w, c.s, c.pad);
      const r = rand(y.shape, 17);
      return [
        y,
        ...tf.grads((x: tf.Tensor, w: tf.Tensor) =>
          tf
            .conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad)
            .mul(r)
            .sum(),
        )([x, w]),
      ];
    });
  }
});

test('conv2dTranspose forward, input and filter gradients', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  for (const c of CONV_CASES) {
    const out = c.pad === 'same' ? [c.h * c.s, c.w * c.s] : [(c.h - 1) * c.s + c.k, (c.w - 1) * c.s + c.k];
    const oShape: [number, number, number, number] = [c.b, out[0], out[1], c.ci];
    await agreeGpu(`conv2dTranspose ${convCaseName(c)}`, () => {
      const x = rand([c.b, c.h, c.w, c.co], 19) as tf.Tensor4D;
      const w = rand([c.k, c.k, c.ci, c.co], 23) as tf.Tensor4D;
      const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, oShape, c.s, c.pad);
      const y = f(x, w);
      const r = rand(y.shape, 29);
      return [y, ...tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x, w).mul(r).sum())([x, w])];
    });
  }
});

test('conv2d with explicit padding and with dilation', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  await agreeGpu('conv2d pad=1', () => {
    const x = rand([2, 6, 7, 3], 31) as tf.Tensor4D;
    const w = rand([3, 3, 3, 4], 37) as tf.Tensor4D;
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 1 as unknown as 'same');
    return [f(x, w), ...tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x, w).sum())([x, w])];
  });
  await agreeGpu('conv2d dilation 2', () => [tf.conv2d(rand([2, 9, 8, 3], 41) as tf.Tensor4D, rand([3, 3, 3, 4], 43) as tf.Tensor4D, 1, 'same', 'NHWC', 2)]);
});

test('a VAE loss and every variable gradient (conv, batch-norm, leakyReLU, dense, conv-transpose, losses), batch 1 and 64', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const loss = tinyVae();
  for (const batch of [1, 64]) {
    const x = () => rand([batch, 8, 8, 1], 43);
    await leaveWebgpu();
    await tf.setBackend('cpu');
    tf.tidy(() => loss(x())); // builds the layers
    await agreeGpu(`tiny VAE batch ${batch}`, () => {
      const { value, grads } = tf.variableGrads(() => loss(x()));
      return [
        value,
        ...Object.keys(grads)
          .sort()
          .map((k) => grads[k]),
      ];
    });
  }
});

test('gather gradient (UnsortedSegmentSum) with repeated and unused indices', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  await agreeGpu('gather grad', () => {
    const p = rand([10, 3], 47);
    const idx = tf.tensor1d([0, 3, 3, 9, 0, 0], 'int32');
    const r = rand([6, 3], 53);
    return [tf.grad((p: tf.Tensor) => tf.gather(p, idx).mul(r).sum())(p)];
  });
});

test('addN past the storage-buffer limit (7 inputs): 12 inputs and their gradients', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  for (const n of [7, 8, 12, 15]) {
    await agreeGpu(`addN of ${n}`, () => {
      const xs = Array.from({ length: n }, (_, i) => rand([3, 5], 60 + i));
      const r = rand([3, 5], 59);
      return [
        tf.addN(xs),
        ...tf.grads((...v: tf.Tensor[]) =>
          tf
            .addN(v.map((x, i) => tf.mul(x, i + 1)))
            .mul(r)
            .sum(),
        )(xs),
      ];
    });
  }
});

test('Adam: variables and both moments after 6 steps agree with cpu, and no tensor leaks', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const steps = async (backend: string): Promise<Float32Array[]> => {
    await tf.setBackend(backend);
    const w = tf.tidy(() => tf.variable(rand([7, 5], 3), true, `gpu_adam_w_${backend}`));
    const b = tf.tidy(() => tf.variable(rand([3], 5), true, `gpu_adam_b_${backend}`));
    const x = rand([4, 7], 7);
    const opt = tf.train.adam(0.05, 0.5, 0.9, 1e-3);
    const loss = () => tf.tidy(() => tf.matMul(x, w).sum(1).reshape([2, 2]).sum().add(b.square().sum()).add(w.abs().sum().mul(0.1)) as tf.Scalar);
    const step = () => tf.dispose(opt.minimize(loss, true, [w, b]) ?? []);
    for (let i = 0; i < 3; i++) step();
    const before = tf.memory().numTensors; // the moments exist from the first step on
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked (${tf.memory().numTensors} vs ${before})`);
    const weights = await opt.getWeights();
    const out = await Promise.all([w, b, ...weights.slice(1).map((v) => v.tensor)].map((t) => t.data() as Promise<Float32Array>));
    weights[0].tensor.dispose();
    opt.dispose();
    tf.dispose([w, b, x]);
    return out;
  };
  const ref = await steps('cpu');
  const got = await steps('webgpu');
  assert.equal(got.length, ref.length);
  ref.forEach((r, i) => assert.ok(relErr(got[i], r) <= 1e-4, `Adam value ${i}: relative error ${relErr(got[i], r).toExponential(2)}`));
});
