// The lab's product kernels (src/lab/runtime/wasm/gemm.wat, driven by gemm.ts) on a plain wasm memory, against a
// float64 reference: every transpose combination, edges that are not whole tiles, K past one
// k-block (the accumulate path), N past one column block, and both the fused multiply-add
// (relaxed SIMD) and the plain SIMD builds, over plain and shared memories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  gemmBytes,
  hasRelaxedSimd,
  instantiateGemm,
  MR,
  multiplyPanels,
  NR,
  operand,
  packA,
  packB,
  packedABytes,
  packedBBytes,
  panelsOf,
} from '../../../src/lab/runtime/wasm/gemm';
import { data } from './compare';

function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a[ta ? l * m + i : i * k + l] * b[tb ? j * k + l : l * n + j];
      c[i * n + j] = s;
    }
  }
  return c;
}

/** C = op(A) op(B) through pack + multiplyPanels; returns C's m x n values (ldc padded to whole tiles). */
function run(fma: boolean, shared: boolean, m: number, k: number, n: number, ta: boolean, tb: boolean) {
  const a = data(m * k, 3);
  const b = data(k * n, 5);
  const ldc = panelsOf(n, NR) * NR * 4;
  const pa = 64;
  const pb = pa + a.byteLength;
  const ap = pb + b.byteLength;
  const bp = ap + packedABytes(m, k);
  const cp = bp + packedBBytes(k, n);
  const bytes = cp + panelsOf(m, MR) * MR * ldc;
  const pages = Math.ceil(bytes / 65536) + 1;
  const memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
  const ex = instantiateGemm(new WebAssembly.Module(gemmBytes(fma, shared)), memory);
  const heap = new Float32Array(memory.buffer);
  heap.set(a, pa / 4);
  heap.set(b, pb / 4);
  heap.fill(NaN, cp / 4); // every C element we read must have been written
  packA(ex, operand(pa, m, k, ta), m, k, ap);
  packB(ex, operand(pb, k, n, tb), k, n, bp);
  multiplyPanels(ex, ap, bp, cp, ldc, k, n, 0, panelsOf(m, MR));
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) c.set(heap.subarray(cp / 4 + i * (ldc / 4), cp / 4 + i * (ldc / 4) + n), i * n);
  return { c, ref: reference(a, b, m, k, n, ta, tb), k };
}

function check(what: string, { c, ref, k }: { c: Float32Array; ref: Float64Array; k: number }) {
  // Inputs in [-1, 1): each sum of k products is within k * 2^-23 * k of exact, give or take.
  for (let i = 0; i < c.length; i++) {
    const err = Math.abs(c[i] - ref[i]);
    assert.ok(err <= 1e-6 * k + 1e-6, `${what}: C[${i}] = ${c[i]}, expected ${ref[i]} (error ${err})`);
  }
}

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [5, 300, 17],
  [9, 20, 300],
  [13, 513, 259],
  [64, 784, 96],
];

for (const fma of [false, true]) {
  test(
    `products match a float64 reference (${fma ? 'fused multiply-add' : 'plain SIMD'})`,
    { skip: fma && !hasRelaxedSimd() && 'no relaxed SIMD here' },
    () => {
      for (const [m, k, n] of shapes) {
        for (const [ta, tb] of [
          [false, false],
          [true, false],
          [false, true],
          [true, true],
        ]) {
          check(`${m}x${k}x${n} ta=${ta} tb=${tb}`, run(fma, false, m, k, n, ta, tb));
        }
      }
    },
  );
}

test('the shared-memory build (the second thread) computes the same products', () => {
  const fma = hasRelaxedSimd();
  for (const [m, k, n] of shapes) {
    const plain = run(fma, false, m, k, n, false, true);
    const shared = run(fma, true, m, k, n, false, true);
    assert.deepEqual(shared.c, plain.c, `${m}x${k}x${n}`);
  }
});

test('row panels can be computed in parts into separate buffers (how the work is split)', () => {
  const [m, k, n] = [37, 70, 29];
  const whole = run(hasRelaxedSimd(), false, m, k, n, false, false).c;
  const memory = new WebAssembly.Memory({ initial: 64 });
  const ex = instantiateGemm(new WebAssembly.Module(gemmBytes(hasRelaxedSimd(), false)), memory);
  const heap = new Float32Array(memory.buffer);
  const ldc = panelsOf(n, NR) * NR * 4;
  const [pa, pb] = [0, m * k * 4];
  const ap = pb + k * n * 4;
  const bp = ap + packedABytes(m, k);
  const c1 = bp + packedBBytes(k, n);
  const c2 = c1 + panelsOf(m, MR) * MR * ldc;
  heap.set(data(m * k, 3), pa / 4);
  heap.set(data(k * n, 5), pb / 4);
  packA(ex, operand(pa, m, k, false), m, k, ap);
  packB(ex, operand(pb, k, n, false), k, n, bp);
  const h = 4;
  multiplyPanels(ex, ap, bp, c1, ldc, k, n, 0, h);
  multiplyPanels(ex, ap, bp, c2, ldc, k, n, h, panelsOf(m, MR)); // panel h lands at c2
  for (let i = 0; i < m; i++) {
    const row = i < h * MR ? heap.subarray(c1 / 4 + i * (ldc / 4)) : heap.subarray(c2 / 4 + (i - h * MR) * (ldc / 4));
    assert.deepEqual(row.subarray(0, n), whole.subarray(i * n, (i + 1) * n), `row ${i}`);
  }
});
