/**
 * A few WebAssembly SIMD loops that run on the wasm backend's own heap.
 *
 * The lab's kernels used to move floats with JS loops over heap views (col2im's scatter-add,
 * Adam's update): profiled here, a JS typed-array loop costs ~3-6 ns per float while the
 * backend's wasm ops cost ~1-2. The loops are written as WebAssembly text (simd.wat, adam.wat)
 * and assembled by wabt at build time (scripts/gen-wasm.mjs -> generated/*.ts).
 * Each module imports the backend's WebAssembly.Memory, so it reads and writes tensors in place at
 * their heap offsets (`ptr`), and sees the heap grow. Arguments are byte offsets and counts.
 *
 *   addTo(dst, src, n)          dst[i] += src[i], i < n                       (col2im)
 *   copy(dst, src, n)           dst[i] = src[i], i < n
 *   im2col(x, p, geometry...) / col2im(dx, p, geometry...)                  (conv.ts; simd.wat says how)
 *   adam(x, m, v, g, xo, mo, vo, n, b1, b2, ob1, ob2, step, s2, eps)         (adam.ts, adam.wat)
 *     mo = b1 m + ob1 g;  vo = b2 v + ob2 g^2;  xo = x - step mo / (sqrt(vo) s2 + eps)
 */
import type { WasmBackend } from './heap';
import { wasmBase64 as adamWasmBase64 } from './generated/adam';
import { wasmBase64 as simdWasmBase64 } from './generated/simd';

export interface SimdKernels {
  addTo(dst: number, src: number, n: number): void;
  copy(dst: number, src: number, n: number): void;
  adam(
    x: number,
    m: number,
    v: number,
    g: number,
    xo: number,
    mo: number,
    vo: number,
    n: number,
    b1: number,
    b2: number,
    ob1: number,
    ob2: number,
    step: number,
    s2: number,
    eps: number,
  ): void;
  im2col(
    x: number,
    p: number,
    batch: number,
    inH: number,
    inW: number,
    ci: number,
    outH: number,
    outW: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    top: number,
    left: number,
  ): void;
  col2im(
    dx: number,
    p: number,
    batch: number,
    inH: number,
    inW: number,
    ci: number,
    outH: number,
    outW: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    top: number,
    left: number,
  ): void;
}

interface Internals {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(id: unknown): { memoryOffset: number } };
}

let cached: { memory: WebAssembly.Memory; k: SimdKernels } | undefined;
let compiled: { simd: WebAssembly.Module; adam: WebAssembly.Module } | undefined;

/** simd.wat and adam.wat, assembled by wabt at build time (scripts/gen-wasm.mjs), compiled once. */
function modules(): { simd: WebAssembly.Module; adam: WebAssembly.Module } {
  return (compiled ??= {
    simd: new WebAssembly.Module(Buffer.from(simdWasmBase64, 'base64')),
    adam: new WebAssembly.Module(Buffer.from(adamWasmBase64, 'base64')),
  });
}

/** The loops, bound to this backend's heap (instantiated once per heap). */
export function simd(backend: WasmBackend): SimdKernels {
  const memory = memoryOf(backend);
  if (cached?.memory !== memory) {
    const ops = new WebAssembly.Instance(modules().simd, { env: { memory } }).exports;
    const adam = new WebAssembly.Instance(modules().adam, { env: { memory } }).exports;
    cached = { memory, k: { ...ops, ...adam } as unknown as SimdKernels };
  }
  return cached.k;
}

/** The backend's heap. */
export function memoryOf(backend: WasmBackend): WebAssembly.Memory {
  return (backend as unknown as Internals).wasm.asm.memory;
}

/** Byte offset of a tensor's data in the heap. */
export function ptr(backend: WasmBackend, t: { dataId: unknown }): number {
  return (backend as unknown as Internals).dataIdMap.get(t.dataId).memoryOffset;
}
