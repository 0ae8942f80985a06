// The native element-wise kernels (native/ops.cc through wasm/elementwise.ts and reduce.ts's
// colsum) and batch norm's gradient without Tile (wasm/batchnorm.ts), against the cpu backend:
// every broadcast the kernels take (whole, row, column, scalar), ones they leave to the stock
// kernel, odd sizes, sizes on both sides of the two-thread threshold (and split whatever the
// size), softplus past its cut-offs, gradients through them; each test counts the native calls
// so a silent fall-back to the stock kernels fails it. Skipped where the addon is not built.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initRuntime } from '../../../src/lab/runtime';
import { loadNativeGemm, NativeGemm } from '../../../src/lab/runtime/native-gemm';
import { nativeGemmInUse, setNativeGemm } from '../../../src/lab/runtime/wasm/matmul';
import { broadcastPlan, setNativeOps } from '../../../src/lab/runtime/wasm/elementwise';
import { installBatchNormGrad, uninstallBatchNormGrad } from '../../../src/lab/runtime/wasm/batchnorm';
import { agree, rand } from './compare';

const { gemm: native, why } = loadNativeGemm();
const skip = native?.binary && native.colsum ? false : `native element-wise ops absent: ${why || 'an older build (npm run build:native)'}`;

test('broadcastPlan: the split and each operand mode, or null', () => {
  // modes: 0 whole, 1 row, 2 column, 3 scalar
  assert.deepEqual(broadcastPlan([4, 5], [4, 5], [4, 5]), { outer: 1, inner: 20, modes: [0, 0] });
  assert.deepEqual(broadcastPlan([2, 3, 4], [4], [2, 3, 4]), { outer: 6, inner: 4, modes: [0, 1] });
  assert.deepEqual(broadcastPlan([1, 1, 4], [2, 3, 4], [2, 3, 4]), { outer: 6, inner: 4, modes: [1, 0] });
  assert.deepEqual(broadcastPlan([2, 1, 1], [2, 3, 4], [2, 3, 4]), { outer: 2, inner: 12, modes: [2, 0] });
  assert.deepEqual(broadcastPlan([5, 1], [1, 7], [5, 7]), { outer: 5, inner: 7, modes: [2, 1] });
  assert.deepEqual(broadcastPlan([], [3, 4], [3, 4]), { outer: 1, inner: 12, modes: [3, 0] });
  assert.deepEqual(broadcastPlan([3, 4], [3, 4, 1].slice(0, 0), [3, 4]), { outer: 1, inner: 12, modes: [0, 3] });
  assert.equal(broadcastPlan([2, 3, 4], [3, 1], [2, 3, 4]), null, 'a middle-axis broadcast is left to the stock kernel');
  assert.equal(broadcastPlan([2, 1, 4], [1, 3, 1], [2, 3, 4]), null);
});

let counting: { calls: number; restore: () => void } | undefined;

before(async () => {
  if (skip) return;
  await initRuntime('wasm', { threads: 2 });
  const inner = nativeGemmInUse()!;
  // The addon's functions are not enumerable: bound one by one (as profile.ts does), the
  // element-wise ones counted.
  const state = { calls: 0, restore: () => setNativeGemm(inner) };
  const count =
    <A extends unknown[]>(f?: (...a: A) => void) =>
    (...a: A) => {
      state.calls++;
      f!.apply(inner, a);
    };
  const wrapped: NativeGemm = {
    isa: () => inner.isa(),
    configure: (t, m, s) => inner.configure(t, m, s),
    gemm: (...a) => inner.gemm(...a),
    adam: inner.adam?.bind(inner),
    patches: inner.patches?.bind(inner),
    splits: inner.splits?.bind(inner),
    takeovers: inner.takeovers?.bind(inner),
    opsSplit: inner.opsSplit?.bind(inner),
    binary: count(inner.binary),
    unary: count(inner.unary),
    colsum: count(inner.colsum),
  };
  setNativeGemm(wrapped);
  counting = state;
});

after(() => counting?.restore());

/** agree(), asserting that the wasm side made at least `min` native element-wise calls. */
async function agreeNative(what: string, f: () => tf.Tensor[], min = 1, tol = 1e-5): Promise<void> {
  const before = counting!.calls;
  await agree(what, f, tol);
  assert.ok(counting!.calls - before >= min, `${what}: ${counting!.calls - before} native calls, expected at least ${min}`);
}

/** Each binary op and its gradients (which reduce the broadcast operand, through Sum) for a pair of shapes. */
function binaryCase(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, aShape: number[], bShape: number[]) {
  return () => {
    const a = rand(aShape, 3);
    // away from 0, so a division is well conditioned
    const b = tf.add(rand(bShape, 5), tf.scalar(2));
    const y = op(a, b);
    const r = rand(y.shape, 7);
    return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a, b).mul(r).sum())([a, b])];
  };
}

const OPS: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ['add', tf.add],
  ['sub', tf.sub],
  ['mul', tf.mul],
  ['div', tf.div],
];

/** Shapes the native kernels take: same, row (bias), column (keepDims statistic), scalar, outer product; odd sizes. */
const SHAPES: [number[], number[]][] = [
  [
    [7, 13],
    [7, 13],
  ],
  [[3, 5, 7, 17], [17]],
  [
    [3, 5, 7, 17],
    [1, 1, 1, 17],
  ],
  [
    [9, 11],
    [9, 1],
  ],
  [
    [5, 1],
    [1, 7],
  ],
  [[], [13, 3]],
  [[33, 3], []],
];

test('add, sub, mul, div and their gradients: every broadcast mode, odd sizes, one thread', { skip }, async () => {
  const old = native!.opsSplit!(1e9);
  try {
    for (const [name, op] of OPS) for (const [a, b] of SHAPES) await agreeNative(`${name} [${a}] [${b}]`, binaryCase(op, a, b));
  } finally {
    native!.opsSplit!(old);
  }
});

test('the same split over both threads whatever the size, and at the default threshold either side of it', { skip }, async () => {
  const threshold = native!.opsSplit!();
  const old = native!.opsSplit!(0);
  try {
    for (const [name, op] of OPS) for (const [a, b] of SHAPES) await agreeNative(`${name} [${a}] [${b}] split`, binaryCase(op, a, b));
  } finally {
    native!.opsSplit!(old);
  }
  // just below and above the threshold (2^20 floats by default): a bias add over [rows, 16]
  for (const rows of [Math.floor(threshold / 16) - 1, Math.ceil(threshold / 16) + 3]) {
    await agreeNative(`add [${rows},16] [16]`, binaryCase(tf.add, [rows, 16], [16]));
    await agreeNative(`mul [${rows},16] [${rows},16]`, binaryCase(tf.mul, [rows, 16], [rows, 16]));
  }
});

test('a broadcast the kernels do not take falls back to the stock kernel, still right', { skip }, async () => {
  const before = counting!.calls;
  await agree('add [2,3,4] [3,1] forward', () => [tf.add(rand([2, 3, 4], 3), rand([3, 1], 5))], 1e-6);
  await agree('int32 mul', () => [tf.mul(tf.tensor([1, 2, 3], [3], 'int32'), tf.tensor([4, 5, 6], [3], 'int32'))], 0);
  assert.equal(counting!.calls, before, 'no native call for either');
});

test('softplus and sigmoid past softplus cut-offs (+-13.94), and their gradients, both sides of the threshold', { skip }, async () => {
  // a softplus float weighs 256 in the addon's threshold (native/ops.cc UNARY_WEIGHT)
  const threshold = native!.opsSplit!() / 256;
  for (const n of [1, 37, threshold - 5, threshold + 11]) {
    const x = () => tf.mul(rand([n], 11), tf.scalar(30)); // [-30, 30)
    await agreeNative(`softplus ${n}`, () => {
      const v = x();
      return [tf.softplus(v), tf.grad((v: tf.Tensor) => tf.softplus(v).sum())(v)];
    });
    await agreeNative(`sigmoid ${n}`, () => {
      const v = x();
      return [tf.sigmoid(v), tf.grad((v: tf.Tensor) => tf.sigmoid(v).sum())(v)];
    });
  }
});

test('exp and log1p (the Bernoulli cross-entropy and KL terms), and their gradients, both sides of the threshold', { skip }, async () => {
  const threshold = native!.opsSplit!() / 256;
  for (const n of [1, 37, threshold - 5, threshold + 11]) {
    // exp over [-20, 20): its relative error is what the tolerance reads
    await agreeNative(`exp ${n}`, () => {
      const v = tf.mul(rand([n], 13), tf.scalar(20));
      return [tf.exp(v), tf.grad((v: tf.Tensor) => tf.exp(v).sum())(v)];
    });
    // log1p over (-1, 9): near -1 and near 0 (where log1p keeps the digits log(1 + x) loses)
    await agreeNative(`log1p ${n}`, () => {
      const v = tf.add(tf.mul(tf.add(rand([n], 17), tf.scalar(1)), tf.scalar(5)), tf.scalar(-0.999));
      return [tf.log1p(v), tf.grad((v: tf.Tensor) => tf.log1p(v).sum())(v)];
    });
  }
});

test('sums and means over leading axes (colsum): one column, a few, many; one thread and split; keepDims', { skip }, async () => {
  const old = native!.opsSplit!();
  try {
    for (const split of [1e9, 0]) {
      native!.opsSplit!(split);
      for (const shape of [
        [1, 1],
        [64, 33, 31, 1],
        [64, 32, 32, 16],
        [5, 7, 513],
      ]) {
        await agreeNative(
          `sum and mean [${shape}] over leading axes, split from ${split}`,
          () => {
            const x = rand(shape, 13);
            const lead = [0, 1].slice(0, shape.length - 1);
            return [tf.sum(x, lead), tf.sum(x, 0, true), tf.mean(x, lead), tf.mean(x, 0, true)];
          },
          4,
        );
      }
    }
  } finally {
    native!.opsSplit!(old);
  }
});

test('batch norm gradient without Tile: the cpu backend within tolerance, and bit for bit tfjs own gradient on wasm', { skip }, async () => {
  // a WAE-like block: conv output [B, H, W, C] (odd sizes), batch statistics, scale and offset
  const step = () => {
    const x = rand([3, 5, 7, 19], 3);
    const gamma = tf.add(rand([19], 5), tf.scalar(1.5));
    const beta = rand([19], 7);
    const r = rand([3, 5, 7, 19], 9);
    const f = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3).mul(r).sum();
    };
    return tf.grads(f)([x, gamma, beta]);
  };
  await agreeNative('batch norm gradients', step, 1, 1e-4);
  // tfjs's own gradient (with its Tile) on wasm gives the same floats
  await tf.setBackend('wasm');
  const mine = tf.tidy(() => step().map((t) => t.dataSync() as Float32Array));
  uninstallBatchNormGrad();
  let theirs: Float32Array[];
  try {
    theirs = tf.tidy(() => step().map((t) => t.dataSync() as Float32Array));
  } finally {
    installBatchNormGrad();
  }
  mine.forEach((m, i) => assert.deepEqual(m, theirs[i], `gradient ${i}: the same floats`));
});

test('setNativeOps(false) keeps the stock kernels', { skip }, async () => {
  setNativeOps(false);
  const before = counting!.calls;
  try {
    await agree('add off', binaryCase(tf.add, [3, 5], [5]));
  } finally {
    setNativeOps(true);
  }
  assert.equal(counting!.calls, before);
});
