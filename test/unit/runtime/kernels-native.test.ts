// The native GEMM (native/gemm.cc through native-gemm.ts) against the cpu backend: products with
// every transpose, edge tiles, k past one KC block, m past one MC block, n past one NC block,
// split over two threads and not, the dense and conv layers' gradients that route through it;
// and its bounds check. Where the CPU has AVX-512, the AVX2 kernel is checked too, and on x64
// the portable one (VAE_LAB_NATIVE_ISA=generic, what aarch64 runs), each in a child process
// (the kernel is chosen when the addon loads). Skipped where the addon is not built
// (npm run build:native), as tfjs-node's tests are where it is absent.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { initRuntime } from '../../../src/lab/runtime';
import { loadNativeGemm } from '../../../src/lab/runtime/native-gemm';
import { nativeGemmInUse, setNativeGemm } from '../../../src/lab/runtime/wasm/matmul';
import { FUSED_ADAM } from '../../../src/lab/runtime/wasm/adam';
import { memoryOf, ptr, simd } from '../../../src/lab/runtime/wasm/simd';
import type { WasmBackend } from '../../../src/lab/runtime/wasm/heap';
import { CONV_CASES, ConvCase, convCaseName } from './conv-cases';
import { ConvMode, DIRECT_MAX_FILTER, directConv, setDirectConv } from '../../../src/lab/runtime/wasm/conv';
import { NATIVE_MIN_MACS } from '../../../src/lab/runtime/loaders';
import { agree, broadcastFirst, rand } from './compare';

const { gemm: native, why } = loadNativeGemm();
const skip = native ? false : `native GEMM absent: ${why}`;
const forced = process.env.VAE_LAB_NATIVE_ISA;

before(async () => {
  if (!native) return;
  const info = await initRuntime('wasm', { threads: 2 });
  assert.match(info.device, new RegExp(`native ${native.isa()} GEMM, 2 threads`));
  assert.equal(nativeGemmInUse(), native);
  if (forced) assert.equal(native.isa(), forced);
});

function product(aShape: number[], bShape: number[], ta: boolean, tb: boolean) {
  return () => {
    const a = rand(aShape, 3);
    const b = rand(bShape, 5);
    const y = tf.matMul(a, b, ta, tb);
    const r = rand(y.shape, 7);
    return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb).mul(r).sum())([a, b])];
  };
}

/** [m, k, n]: edge tiles both ways, k > 256 (two KC blocks), m > 96 (two MC blocks), the MLP's sizes. */
const shapes = [
  [1, 1, 1],
  [5, 7, 3],
  [9, 300, 33],
  [97, 513, 17],
  [64, 784, 512],
  [130, 70, 2100],
];

test('products with every transpose, one thread and two', { skip }, async () => {
  for (const threads of [1, 2]) {
    native!.configure(threads, threads === 2 ? 1 : NATIVE_MIN_MACS);
    for (const [m, k, n] of shapes) {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ]) {
        await agree(`${native!.isa()} ${threads}t ${m}x${k}x${n} ta=${ta} tb=${tb}`, product(ta ? [k, m] : [m, k], tb ? [n, k] : [k, n], ta, tb));
      }
    }
  }
  native!.configure(2, NATIVE_MIN_MACS);
});

test('batched products and a dense layer with bias and relu', { skip }, async () => {
  await agree('[3,5,7]x[3,7,4]', product([3, 5, 7], [3, 7, 4], false, false));
  // forward only: tfjs 4.22's BatchMatMul gradient does not reduce a broadcast batch dim
  await agree('[2,6,9]x[9,5] broadcast B', () => [tf.matMul(rand([2, 6, 9], 3), rand([9, 5], 5))]);
  const both = () => [tf.matMul(rand([2, 1, 40, 9], 3), rand([1, 3, 5, 40], 5), true, true)];
  await agree('[2,1,40,9]^T x [1,3,5,40]^T both broadcast', both, 1e-4, broadcastFirst([2, 1, 40, 9], [1, 3, 5, 40], true, true));
  await agree('dense relu', () => {
    const x = rand([64, 50], 3);
    const w = rand([50, 512], 5);
    const b = rand([512], 7);
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: 'relu' });
    return [f(x, w, b), ...tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => f(x, w, b).sum())([x, w, b])];
  });
});

test('conv2d and conv2dTranspose gradients through the native products', { skip }, async () => {
  await agree('conv2d 14x14x8->16 s2', () => {
    const x = rand([64, 14, 14, 8], 11) as tf.Tensor4D;
    const w = rand([4, 4, 8, 16], 13) as tf.Tensor4D;
    const r = rand([64, 7, 7, 16], 17);
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same');
    return [f(x, w), ...tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x, w).mul(r).sum())([x, w])];
  });
  await agree('conv2dTranspose 7x7x16->14x14x8 s2', () => {
    const x = rand([8, 7, 7, 16], 19) as tf.Tensor4D;
    const w = rand([4, 4, 8, 16], 23) as tf.Tensor4D;
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [8, 14, 14, 8], 2, 'same');
    const r = rand([8, 14, 14, 8], 29);
    return [f(x, w), ...tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x, w).mul(r).sum())([x, w])];
  });
});

/** One fused Adam update of n weights (FUSED_ADAM), native or wasm, on one thread or two. */
function adamOnce(n: number, on: 'native' | 'wasm', threads: number): Float32Array[] {
  setNativeGemm(on === 'native' ? native : null);
  native!.configure(threads, NATIVE_MIN_MACS);
  try {
    return tf.tidy(() => {
      const [x, m, g] = [3, 5, 7].map((seed) => rand([n], seed));
      const v = rand([n], 11).square();
      const outs = tf.engine().runKernel(FUSED_ADAM, { x, m, v, g, accBeta1: tf.scalar(0.9 ** 3), accBeta2: tf.scalar(0.999 ** 3) }, {
        beta1: 0.9,
        beta2: 0.999,
        learningRate: 0.01,
        epsilon: 1e-7,
      } as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return outs.map((t) => t.dataSync() as Float32Array);
    });
  } finally {
    setNativeGemm(native);
    native!.configure(2, NATIVE_MIN_MACS);
  }
}

test('Adam natively: bit for bit the wasm kernel, small and split over two threads', { skip }, () => {
  assert.equal(typeof native!.adam, 'function');
  // 37: the scalar tail only past 4 vectors; 100003: split into blocks, with a tail.
  for (const n of [37, 100003]) {
    const wasm = adamOnce(n, 'wasm', 1);
    for (const threads of [1, 2]) {
      const ours = adamOnce(n, 'native', threads);
      ours.forEach((o, i) => assert.deepEqual(o, wasm[i], `n=${n} ${threads} thread(s), output ${['x', 'm', 'v'][i]}`));
    }
    assert.ok(
      wasm[0].some((x, i) => x !== rand([n], 3).dataSync()[i]),
      'the update moved the weights',
    );
  }
});

test('im2col and col2im natively: bit for bit the wasm walk on every conv case, both threads', { skip }, () => {
  const backend = tf.backend() as unknown as WasmBackend;
  const heap = () => memoryOf(backend).buffer as ArrayBuffer;
  for (const c of CONV_CASES) {
    const info = tf.backend_util.computeConv2DInfo([c.b, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], c.s, 1, c.pad);
    const geometry: [number, number, number, number, number, number, number, number, number, number, number, number] = [
      c.b,
      c.h,
      c.w,
      c.ci,
      info.outHeight,
      info.outWidth,
      c.k,
      c.k,
      c.s,
      c.s,
      info.padInfo.top,
      info.padInfo.left,
    ];
    const pShape = [c.b * info.outHeight * info.outWidth, c.k * c.k * c.ci];
    tf.tidy(() => {
      const x = rand([c.b, c.h, c.w, c.ci], 3);
      // im2col: the wasm kernel into a zeroed P; the native one into P full of garbage (it writes rows whole)
      const pw = tf.zeros(pShape);
      const pn = tf.fill(pShape, 7);
      simd(backend).im2col(ptr(backend, x), ptr(backend, pw), ...geometry);
      native!.patches!(heap(), 0, ptr(backend, x) / 4, ptr(backend, pn) / 4, ...geometry);
      assert.deepEqual(pn.dataSync(), pw.dataSync(), `im2col ${convCaseName(c)}`);
      // col2im of a random P: wasm into zeroed x, native into an x full of garbage (it zeroes it)
      const p = rand(pShape, 5);
      const xw = tf.zeros(x.shape);
      const xn = tf.fill(x.shape, 7);
      simd(backend).col2im(ptr(backend, xw), ptr(backend, p), ...geometry);
      native!.patches!(heap(), 1, ptr(backend, xn) / 4, ptr(backend, p) / 4, ...geometry);
      assert.deepEqual(xn.dataSync(), xw.dataSync(), `col2im ${convCaseName(c)}`);
    });
  }
  assert.throws(() => native!.patches!(heap(), 0, heap().byteLength / 4 - 10, 0, 1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 0, 0), /outside the heap/);
});

/**
 * The direct convolutions (gemm.cc convDirect, routed by conv.ts `directConv`): forward, filter
 * and input gradients of conv2d and conv2dTranspose against the cpu backend, on the cases that
 * reach them and the ones that must not (columns not a multiple of 8: co for the forward and
 * the filter, kh kw ci for the input gradient), with the addon wrapped to count its conv calls
 * by mode; and the same cases with the switch off (im2col + GEMM).
 */
const DIRECT_CASES: ConvCase[] = [
  { b: 8, h: 64, w: 64, ci: 1, co: 16, k: 4, s: 2, pad: 'same' }, // dSprites' first layer (K = 16), on both threads
  { b: 1, h: 9, w: 7, ci: 1, co: 8, k: 4, s: 2, pad: 'same' }, // batch 1: one thread, a border on every side
  { b: 2, h: 11, w: 10, ci: 3, co: 24, k: 3, s: 1, pad: 'same' }, // Cin 3, co 16 + 8, K = 27: input grad stays on im2col
  { b: 3, h: 12, w: 9, ci: 2, co: 16, k: 4, s: 2, pad: 'valid' }, // valid: no padding, K = 32
  { b: 2, h: 8, w: 8, ci: 16, co: 32, k: 4, s: 2, pad: 'same' }, // K = 256, co 32
  { b: 2, h: 7, w: 5, ci: 8, co: 12, k: 3, s: 2, pad: 'valid' }, // co 12: forward and filter stay on im2col, input grad (K = 72) direct
  { b: 4, h: 3, w: 3, ci: 8, co: 8, k: 5, s: 1, pad: 'same' }, // a filter larger than the image: no position inside
  { b: 1, h: 6, w: 6, ci: 64, co: 128, k: 3, s: 1, pad: 'same' }, // K co = 73728 > DIRECT_MAX_FILTER: all on im2col
];

function convCounted<T>(f: () => T): { out: T; calls: number[] } {
  const calls = [0, 0, 0];
  const nat = native!;
  setNativeGemm({
    isa: () => nat.isa(),
    configure: (t, m) => nat.configure(t, m),
    gemm: nat.gemm.bind(nat),
    adam: nat.adam?.bind(nat),
    patches: nat.patches?.bind(nat),
    splits: nat.splits?.bind(nat),
    conv: (heap, mode, ...rest) => {
      calls[mode]++;
      nat.conv!(heap, mode, ...rest);
    },
  });
  try {
    return { out: f(), calls };
  } finally {
    setNativeGemm(nat);
  }
}

test('direct convolutions: every kernel and routing decision against the cpu backend, and with the switch off', { skip }, async () => {
  assert.equal(typeof native!.conv, 'function');
  for (const c of DIRECT_CASES) {
    const info = tf.backend_util.computeConv2DInfo([c.b, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], c.s, 1, c.pad);
    const K = c.k * c.k * c.ci;
    const want = [ConvMode.Forward, ConvMode.Filter, ConvMode.Input].map((m) => (m === ConvMode.Input ? K : c.co) % 8 === 0 && K * c.co <= DIRECT_MAX_FILTER);
    assert.deepEqual(
      [ConvMode.Forward, ConvMode.Filter, ConvMode.Input].map((m) => directConv(info, m) !== null),
      want,
      `routing ${convCaseName(c)}`,
    );
    const conv = () => {
      const x = rand([c.b, c.h, c.w, c.ci], 11) as tf.Tensor4D;
      const w = rand([c.k, c.k, c.ci, c.co], 13) as tf.Tensor4D;
      const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad);
      const r = rand([c.b, info.outHeight, info.outWidth, c.co], 17);
      return [f(x, w), ...tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x, w).mul(r).sum())([x, w])];
    };
    // conv2dTranspose: its forward is an input gradient, its filter gradient the filter one
    const transpose = () => {
      const x = rand([c.b, info.outHeight, info.outWidth, c.co], 19) as tf.Tensor4D;
      const w = rand([c.k, c.k, c.ci, c.co], 23) as tf.Tensor4D;
      const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [c.b, c.h, c.w, c.ci], c.s, c.pad);
      const r = rand([c.b, c.h, c.w, c.ci], 29);
      return [f(x, w), ...tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x, w).mul(r).sum())([x, w])];
    };
    for (const on of [true, false]) {
      setDirectConv(on);
      try {
        let calls: number[] = [];
        await agree(`${on ? 'direct' : 'im2col'} conv2d ${convCaseName(c)}`, () => {
          const r = convCounted(conv);
          calls = r.calls;
          return r.out;
        });
        // conv2d: two forwards (y, and again under tf.grads), one filter and one input gradient
        assert.deepEqual(calls, on ? want.map((d, m) => Number(d) * (m === ConvMode.Forward ? 2 : 1)) : [0, 0, 0], `conv2d's direct calls ${convCaseName(c)}`);
        await agree(`${on ? 'direct' : 'im2col'} conv2dTranspose ${convCaseName(c)}`, () => {
          const r = convCounted(transpose);
          calls = r.calls;
          return r.out;
        });
        // conv2dTranspose: two forwards (input gradients), its input's gradient (a forward) and a filter gradient
        assert.deepEqual(
          calls,
          on ? want.map((d, m) => Number(d) * (m === ConvMode.Input ? 2 : 1)) : [0, 0, 0],
          `conv2dTranspose's direct calls ${convCaseName(c)}`,
        );
      } finally {
        setDirectConv(true);
      }
    }
  }
  const heap = memoryOf(tf.backend() as unknown as WasmBackend).buffer as ArrayBuffer;
  assert.throws(() => native!.conv!(heap, 0, heap.byteLength / 4 - 10, 0, 0, 1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 0, 0, 8), /outside the heap/);
  assert.throws(() => native!.conv!(heap, 0, 0, 0, 0, 1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 0, 0, 12), /multiple of 8/);
});

test('FusedConv2D (bias and activation) through the lab conv, forward and, linear, with gradients', { skip }, async () => {
  const x = () => rand([4, 16, 16, 3], 11) as tf.Tensor4D;
  const w = () => rand([4, 4, 3, 16], 13) as tf.Tensor4D;
  const bias = () => rand([16], 17);
  for (const activation of ['relu', 'leakyrelu', 'linear'] as const) {
    let calls: number[] = [];
    await agree(`fused conv2d ${activation}`, () => {
      const r = convCounted(() => [tf.fused.conv2d({ x: x(), filter: w(), strides: 2, pad: 'same', bias: bias(), activation, leakyreluAlpha: 0.2 })]);
      calls = r.calls;
      return r.out;
    });
    assert.deepEqual(calls, [1, 0, 0], `fused conv2d ${activation}: one direct forward`);
  }
  // a linear fused conv stays fused under a gradient tape (tfjs fuses linear ones there too): the WAE's convs
  await agree('fused conv2d linear, gradients', () => {
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias: b });
    const r = rand([4, 8, 8, 16], 19);
    return [f(x(), w(), bias()), ...tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => f(x, w, b).mul(r).sum())([x(), w(), bias()])];
  });
});

/**
 * The MLP VAE's products at batch 64 (784-512-100 | 50-512-784: forward, dW = x^T dy with A read
 * transposed, dX = dy W^T with B read transposed) and a few smaller ones: at the default
 * threshold (NATIVE_MIN_MACS) those at or above it are split over both threads (splits() counts
 * them) and the rest are not, and either way every float of C is what one thread gives (a split
 * cuts C along rows or columns, each element still one thread's sum over k in the same order).
 */
test('a product is split from NATIVE_MIN_MACS multiply-adds, bit for bit the one-thread result', { skip }, () => {
  assert.equal(typeof native!.splits, 'function');
  const shapes: [number, number, number, boolean, boolean][] = [
    [64, 784, 512, false, false],
    [784, 64, 512, true, false],
    [64, 784, 512, false, true],
    [64, 512, 784, false, false],
    [512, 64, 784, true, false],
    [64, 512, 100, false, false],
    [64, 100, 512, false, true],
    [64, 50, 512, false, false],
    [50, 64, 512, true, false],
    [64, 64, 64, false, false],
    [8, 8, 8, false, false],
    [128, 1024, 512, false, false],
  ];
  const sides = new Set<boolean>();
  try {
    for (const [m, k, n, ta, tb] of shapes) {
      const heap = new ArrayBuffer(4 * (m * k + k * n + m * n));
      const f = new Float32Array(heap);
      for (let i = 0; i < m * k + k * n; i++) f[i] = Math.sin(0.37 * i + 1);
      const [ars, acs] = ta ? [1, m] : [k, 1];
      const [brs, bcs] = tb ? [1, k] : [n, 1];
      const run = (threads: number) => {
        native!.configure(threads, NATIVE_MIN_MACS);
        f.fill(Number.NaN, m * k + k * n);
        const before = native!.splits!();
        native!.gemm(heap, 0, ars, acs, m * k, brs, bcs, m * k + k * n, n, m, k, n);
        return { c: f.slice(m * k + k * n), split: native!.splits!() - before };
      };
      const one = run(1);
      const two = run(2);
      const name = `${m}x${k}x${n}${ta ? ' A^T' : ''}${tb ? ' B^T' : ''}`;
      const above = m * k * n >= NATIVE_MIN_MACS;
      sides.add(above);
      assert.equal(one.split, 0, `${name}: one thread never splits`);
      assert.equal(two.split, above ? 1 : 0, `${name}: split over two threads ${above ? 'from' : 'only from'} 2^${Math.log2(NATIVE_MIN_MACS)}`);
      assert.ok(
        one.c.every((x) => Number.isFinite(x)),
        `${name}: every element written`,
      );
      assert.deepEqual(two.c, one.c, `${name}: the same floats split or not`);
    }
  } finally {
    native!.configure(2, NATIVE_MIN_MACS);
  }
  assert.deepEqual([...sides].sort(), [false, true], 'the shapes lie on both sides of the threshold');
});

/** Blocks this thread for `ms` (no timing asserted: it only gives a late second thread time to run). */
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * A split whose second thread is late (configure's third argument stalls it 3 ms on every block
 * it takes, as a host's other load deschedules it): the first thread takes its blocks over
 * (takeovers() counts them), C is still bit for bit the one-thread result, and the second
 * thread, when it wakes, writes nothing into C after the call returned (C refilled with a
 * marker, then time for every stalled block to finish). The same for an element-wise op.
 */
test('a split product or element-wise op whose second thread is late: taken over, the same floats, nothing written after', { skip }, () => {
  assert.equal(typeof native!.takeovers, 'function');
  const shapes: [number, number, number, boolean, boolean][] = [
    [64, 784, 512, false, false], // cut along N
    [784, 64, 512, true, false], // cut along M
    [97, 300, 131, false, true], // edge tiles
  ];
  try {
    for (const [m, k, n, ta, tb] of shapes) {
      const heap = new ArrayBuffer(4 * (m * k + k * n + m * n));
      const f = new Float32Array(heap);
      for (let i = 0; i < m * k + k * n; i++) f[i] = Math.sin(0.37 * i + 1);
      const [ars, acs] = ta ? [1, m] : [k, 1];
      const [brs, bcs] = tb ? [1, k] : [n, 1];
      const name = `${m}x${k}x${n}`;
      const run = (threads: number, stall: number) => {
        native!.configure(threads, 0, stall);
        f.fill(Number.NaN, m * k + k * n);
        native!.gemm(heap, 0, ars, acs, m * k, brs, bcs, m * k + k * n, n, m, k, n);
        return f.slice(m * k + k * n);
      };
      const one = run(1, 0);
      assert.deepEqual(run(2, 0), one, `${name}: split with no stall`);
      // Whether the second thread gets to take a block before the first has taken them all is
      // the scheduler's call: up to 10 tries for one taken over, each checked.
      let taken = 0;
      for (let t = 0; t < 10 && !taken; t++) {
        sleep(8 * 3 + 10); // a late thread from the previous try finishes its stalled blocks
        const before = native!.takeovers!();
        assert.deepEqual(run(2, 3000), one, `${name}: the same floats, try ${t}`);
        taken = native!.takeovers!() - before;
        f.fill(7, m * k + k * n);
        sleep(8 * 3 + 10);
        assert.ok(
          f.subarray(m * k + k * n).every((x) => x === 7),
          `${name}: nothing written into C after the call returned, try ${t}`,
        );
      }
      assert.ok(taken > 0, `${name}: blocks taken over from the stalled thread in one of 10 tries`);
    }
    // binary: out[300, 517] = a + b (row broadcast), split and stalled
    const outer = 300;
    const inner = 517;
    const heap = new ArrayBuffer(4 * (2 * outer * inner + inner));
    const f = new Float32Array(heap);
    for (let i = 0; i < outer * inner + inner; i++) f[i] = Math.cos(0.91 * i);
    const o = outer * inner + inner;
    const old = native!.opsSplit!(0);
    const add = (threads: number, stall: number) => {
      native!.configure(threads, NATIVE_MIN_MACS, stall);
      f.fill(Number.NaN, o);
      native!.binary!(heap, 0, 0, 0, outer * inner, 1, o, outer, inner);
      return f.slice(o);
    };
    const one = add(1, 0);
    let taken = 0;
    for (let t = 0; t < 10 && !taken; t++) {
      sleep(40);
      const before = native!.takeovers!();
      assert.deepEqual(add(2, 3000), one, `binary: the same floats, try ${t}`);
      taken = native!.takeovers!() - before;
      f.fill(7, o);
      sleep(40);
      assert.ok(
        f.subarray(o).every((x) => x === 7),
        `binary: nothing written after the call returned, try ${t}`,
      );
    }
    assert.ok(taken > 0, 'binary: pieces taken over in one of 10 tries');
    native!.opsSplit!(old);
  } finally {
    native!.configure(2, NATIVE_MIN_MACS, 0);
  }
});

test('an operand reaching outside the heap is refused, not read', { skip }, () => {
  const heap = new ArrayBuffer(4 * 100);
  assert.throws(() => native!.gemm(heap, 0, 10, 1, 50, 10, 1, 0, 10, 10, 10, 10), /outside the heap/); // B ends at 149
  assert.throws(() => native!.gemm(heap, -1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1), /outside the heap/);
  assert.throws(() => native!.gemm(heap, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1), /positive/);
  const f = new Float32Array(heap);
  f.set([1, 2, 3, 4], 0); // A [2,2]
  f.set([5, 6, 7, 8], 4); // B [2,2]
  native!.gemm(heap, 0, 2, 1, 4, 2, 1, 8, 2, 2, 2, 2);
  assert.deepEqual(Array.from(f.subarray(8, 12)), [19, 22, 43, 50]);
});

/**
 * This file again in a child process with VAE_LAB_NATIVE_ISA=isa (the kernel is chosen when the
 * addon loads): every test above passes there, and only the two child-run tests are skipped.
 */
function childRun(isa: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', __filename], {
    env: { ...process.env, VAE_LAB_NATIVE_ISA: isa, NODE_TEST_CONTEXT: undefined },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${isa} run failed:\n${r.stdout}\n${r.stderr}`);
  const count = (what: string) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(r.stdout)?.[1] ?? NaN);
  assert.equal(count('fail'), 0, r.stdout);
  assert.equal(count('skipped'), 2, r.stdout);
  assert.ok(count('pass') >= 6 && count('pass') === count('tests') - 2, r.stdout);
}

test(
  'the AVX2 kernel, where the CPU also has AVX-512',
  { skip: skip || forced ? skip || 'this is the child run' : native!.isa() !== 'avx512' && 'no AVX-512 here: the AVX2 kernel ran above' },
  () => childRun('avx2'),
);

// The portable kernel aarch64 runs (cross-built into the linux-arm64 .vsix), checked here on x64:
// its products at the AVX2 kernel's tolerances, Adam and im2col/col2im bit for bit the wasm ones.
test(
  'the portable (generic) kernel',
  { skip: skip || forced ? skip || 'this is the child run' : native!.isa() === 'generic' && 'the generic kernel ran above' },
  () => childRun('generic'),
);
