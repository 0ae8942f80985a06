// The kernels rewritten as WebAssembly text (simd.wat, gemm.wat) against the opcode-built modules
// they replace (simd.ts's and gemm-code.ts's byte arrays), kept only until this proves them equal:
// every function but gemm's `panels` has the same instruction stream byte for byte, and `panels`
// (which drops four dead stores of the old one's zeroing branch) and every other kernel leave the
// whole memory bit for bit the same on the product shapes of gemm.test.ts and on conv geometries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { legacySimdBytes } from '../../../src/lab/runtime/wasm/simd';
import { wasmBase64 as simdBase64 } from '../../../src/lab/runtime/wasm/generated/simd';
import { wasmBase64 as gemmBase64 } from '../../../src/lab/runtime/wasm/generated/gemm';
import { gemmModule } from '../../../src/lab/runtime/wasm/gemm-code';
import {
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

function uleb(b: Uint8Array, i: number): [number, number] {
  let r = 0;
  for (let s = 0; ; s += 7) {
    const x = b[i++];
    r |= (x & 0x7f) << s;
    if (!(x & 0x80)) return [r >>> 0, i];
  }
}

/** Each function's instructions (its code body less the local declarations), by export order. */
function bodies(b: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 8; i < b.length; ) {
    const id = b[i++];
    const [len, start] = uleb(b, i);
    if (id === 10) {
      let [n, j] = uleb(b, start);
      for (; n > 0; n--) {
        const [size, at] = uleb(b, j);
        let [locals, k] = uleb(b, at);
        for (; locals > 0; locals--) k = uleb(b, k)[1] + 1;
        out.push(Buffer.from(b.subarray(k, at + size)));
        j = at + size;
      }
    }
    i = start + len;
  }
  return out;
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

test('simd.wat and gemm.wat assemble to the old modules’ instructions (gemm’s panels aside)', () => {
  const [oldS, newS] = [bodies(legacySimdBytes()), bodies(b64(simdBase64))];
  assert.equal(newS.length, 4);
  newS.forEach((f, i) => assert.ok(f.equals(oldS[i]), `simd function ${i}`));
  for (const fma of [0, 1]) {
    for (const shared of [0, 1]) {
      const o = bodies(gemmModule({ mr: MR, nr: NR, fma: !!fma }, !!shared));
      const n = bodies(b64(gemmBase64[`fma=${fma} shared=${shared}`]));
      assert.equal(n.length, 3);
      assert.ok(n[1].equals(o[1]) && n[2].equals(o[2]), `packA, packB fma=${fma} shared=${shared}`);
      assert.equal(o[0].length - n[0].length, 34, 'panels: only the 34 bytes of dead row-address stores are gone');
    }
  }
});

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [5, 300, 17],
  [9, 20, 300],
  [13, 513, 259],
  [64, 784, 96],
];

/** Packs op(A), op(B) and multiplies them in a fresh memory with the given module; the whole memory after. */
function product(mod: WebAssembly.Module, shared: boolean, m: number, k: number, n: number, ta: boolean, tb: boolean, acc: boolean): Uint8Array {
  const a = data(m * k, 3);
  const b = data(k * n, 5);
  const ldc = panelsOf(n, NR) * NR * 4;
  const [pa, pb] = [64, 64 + a.byteLength];
  const ap = pb + b.byteLength;
  const bp = ap + packedABytes(m, k);
  const cp = bp + packedBBytes(k, n);
  const pages = Math.ceil((cp + panelsOf(m, MR) * MR * ldc) / 65536) + 1;
  const memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
  const ex = instantiateGemm(mod, memory);
  const heap = new Float32Array(memory.buffer);
  heap.set(a, pa / 4);
  heap.set(b, pb / 4);
  heap.fill(acc ? 0.25 : NaN, cp / 4);
  packA(ex, operand(pa, m, k, ta), m, k, ap);
  packB(ex, operand(pb, k, n, tb), k, n, bp);
  multiplyPanels(ex, ap, bp, cp, ldc, k, n, 0, panelsOf(m, MR));
  if (acc) ex.panels(ap, bp, cp, k, panelsOf(n, NR), ldc, NR * k * 4, 1); // one more pass that adds
  return new Uint8Array(memory.buffer.slice(0));
}

for (const fma of [false, true]) {
  test(
    `gemm.wat leaves memory bit for bit as the old module does (${fma ? 'fused multiply-add' : 'plain SIMD'})`,
    { skip: fma && !hasRelaxedSimd() && 'no relaxed SIMD here' },
    () => {
      for (const shared of [false, true]) {
        const old = new WebAssembly.Module(gemmModule({ mr: MR, nr: NR, fma }, shared));
        const now = new WebAssembly.Module(b64(gemmBase64[`fma=${+fma} shared=${+shared}`]));
        for (const [m, k, n] of shapes) {
          for (const [ta, tb] of [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ]) {
            const acc = m % 2 === 1;
            const what = `${m}x${k}x${n} ta=${ta} tb=${tb} shared=${shared}`;
            assert.ok(Buffer.from(product(now, shared, m, k, n, ta, tb, acc)).equals(Buffer.from(product(old, shared, m, k, n, ta, tb, acc))), what);
          }
        }
      }
    },
  );
}

interface Patches {
  addTo(dst: number, src: number, n: number): void;
  copy(dst: number, src: number, n: number): void;
  im2col(...a: number[]): void;
  col2im(...a: number[]): void;
}

test('simd.wat leaves memory bit for bit as the old module does (addTo, copy, im2col, col2im)', () => {
  // [batch, inH, inW, ci, outH, outW, kh, kw, sh, sw, top, left]: same and valid padding, strides 1 and 2, odd sizes
  const geometries = [
    [2, 5, 5, 3, 5, 5, 3, 3, 1, 1, 1, 1],
    [1, 7, 6, 2, 4, 3, 3, 3, 2, 2, 1, 0],
    [3, 8, 8, 1, 3, 3, 4, 4, 2, 2, 0, 0],
    [1, 4, 9, 5, 2, 5, 5, 5, 2, 2, 2, 2],
  ];
  for (const g of geometries) {
    const [batch, inH, inW, ci, outH, outW, kh, kw] = g;
    const xn = batch * inH * inW * ci;
    const pn = batch * outH * outW * kh * kw * ci;
    const run = (bytes: Uint8Array, name: 'im2col' | 'col2im' | 'addTo' | 'copy') => {
      const memory = new WebAssembly.Memory({ initial: 4 });
      const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as Patches;
      const heap = new Float32Array(memory.buffer);
      const [x, p] = [64, 64 + 4 * xn + 16];
      heap.set(data(xn, 7), x / 4);
      heap.set(data(pn, 11), p / 4);
      if (name === 'im2col' || name === 'col2im') k[name](x, p, ...g);
      else k[name](x + 4, p + 8, xn - 1);
      return Buffer.from(memory.buffer.slice(0));
    };
    for (const name of ['im2col', 'col2im', 'addTo', 'copy'] as const) {
      assert.ok(run(b64(simdBase64), name).equals(run(legacySimdBytes(), name)), `${name} ${g.join(',')}`);
    }
  }
});
