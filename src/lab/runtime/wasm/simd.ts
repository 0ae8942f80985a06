/**
 * A few hand-assembled WebAssembly SIMD loops that run on the wasm backend's own heap.
 *
 * The lab's kernels used to move floats with JS loops over heap views (col2im's scatter-add,
 * Adam's update): profiled here, a JS typed-array loop costs ~3-6 ns per float while the
 * backend's wasm ops cost ~1-2. The module is written as opcodes (asm.ts).
 * It imports the backend's WebAssembly.Memory, so it reads and writes tensors in place at
 * their heap offsets (`ptr`), and sees the heap grow. Arguments are byte offsets and counts.
 *
 *   addTo(dst, src, n)          dst[i] += src[i], i < n                       (col2im)
 *   copy(dst, src, n)           dst[i] = src[i], i < n
 *   im2col(x, p, geometry...) / col2im(dx, p, geometry...)                  (conv.ts; see patches)
 *   adam(x, m, v, g, xo, mo, vo, n, b1, b2, ob1, ob2, step, s2, eps)         (adam.ts)
 *     mo = b1 m + ob1 g;  vo = b2 v + ob2 g^2;  xo = x - step mo / (sqrt(vo) s2 + eps)
 *     (readable source: adam.wat, WebAssembly text assembled by wabt at build time)
 */
import type { WasmBackend } from './heap';
import { assemble, ends, Fn, forTo, I32, loop, op as o, V as v } from './asm';
import { wasmBase64 as adamWasmBase64 } from './generated/adam';

const op = { ...o, f32load: o.f32load(), f32store: o.f32store() };
const V = { ...v, load: v.load(), store: v.store() };

// addTo(dst 0, src 1, n 2); locals end4 3, end 4
const addTo: Fn = {
  name: 'addTo',
  params: [I32, I32, I32],
  locals: [I32, I32],
  body: [
    ...ends(0, 2, 3, 4),
    ...loop([0, 1], [16, 16], 3, [...op.get(0), ...op.get(0), ...V.load, ...op.get(1), ...V.load, ...V.add, ...V.store]),
    ...loop([0, 1], [4, 4], 4, [...op.get(0), ...op.get(0), ...op.f32load, ...op.get(1), ...op.f32load, ...op.f32add, ...op.f32store]),
  ],
};

// copy(dst 0, src 1, n 2); locals end4 3, end 4
const copy: Fn = {
  name: 'copy',
  params: [I32, I32, I32],
  locals: [I32, I32],
  body: [
    ...ends(0, 2, 3, 4),
    ...loop([0, 1], [16, 16], 3, [...op.get(0), ...op.get(1), ...V.load, ...V.store]),
    ...loop([0, 1], [4, 4], 4, [...op.get(0), ...op.get(1), ...op.f32load, ...op.f32store]),
  ],
};

/**
 * The patch walk of im2col / col2im (conv.ts), NHWC: for every output position n = (b, oh, ow)
 * and filter row r, the run of (kw1 - kw0) * ci floats of x at (b, oh*sh - top + r, iw0 + kw0)
 * and of the patch row P[n] at (r*kw + kw0)*ci, where iw0 = ow*sw - left and [kw0, kw1) is the
 * part of the filter row inside the image; rows above or below the image are skipped (zeros
 * of P, dropped from dx). im2col copies x's run into P; col2im adds P's run into x.
 * params: x 0, p 1, batch 2, inH 3, inW 4, ci 5, outH 6, outW 7, kh 8, kw 9, sh 10, sw 11, top 12, left 13
 */
const ADD_TO = 0;
const COPY = 1;
function patches(name: string, intoX: boolean): Fn {
  const [X, P, BATCH, INH, INW, CI, OUTH, OUTW, KH, KW, SH, SW, TOP, LEFT] = [...Array(14).keys()];
  const [B, OH, OW, R, IW0, KW0, KW1, LEN, IH, PROW, KB, T] = [...Array(12).keys()].map((i) => 14 + i);
  const mul = (a: number, b: number) => [...op.get(a), ...op.get(b), ...op.mul];
  const run = [
    // ih = oh*sh - top + r; skip rows outside the image
    ...mul(OH, SH),
    ...op.get(TOP),
    ...op.sub,
    ...op.get(R),
    ...op.add,
    ...op.set(IH),
    ...op.get(IH),
    ...op.i32(0),
    ...op.geS,
    ...op.get(IH),
    ...op.get(INH),
    ...op.ltS,
    ...op.and,
    ...op.ifElse([
      // x address: X + (((b*inH + ih)*inW + iw0 + kw0)*ci)*4, into T
      ...mul(B, INH),
      ...op.get(IH),
      ...op.add,
      ...op.get(INW),
      ...op.mul,
      ...op.get(IW0),
      ...op.add,
      ...op.get(KW0),
      ...op.add,
      ...op.get(CI),
      ...op.mul,
      ...op.i32(4),
      ...op.mul,
      ...op.get(X),
      ...op.add,
      ...op.set(T),
      // p address: prow + ((r*kw + kw0)*ci)*4
      ...(intoX ? op.get(T) : []),
      ...mul(R, KW),
      ...op.get(KW0),
      ...op.add,
      ...op.get(CI),
      ...op.mul,
      ...op.i32(4),
      ...op.mul,
      ...op.get(PROW),
      ...op.add,
      ...(intoX ? [] : op.get(T)),
      ...op.get(LEN),
      ...op.call(intoX ? ADD_TO : COPY),
    ]),
  ];
  const position = [
    ...mul(OW, SW),
    ...op.get(LEFT),
    ...op.sub,
    ...op.set(IW0),
    // kw0 = max(0, -iw0); kw1 = min(kw, inW - iw0)
    ...op.i32(0),
    ...op.get(IW0),
    ...op.sub,
    ...op.tee(T),
    ...op.i32(0),
    ...op.get(T),
    ...op.i32(0),
    ...op.gtS,
    ...op.select,
    ...op.set(KW0),
    ...op.get(INW),
    ...op.get(IW0),
    ...op.sub,
    ...op.tee(T),
    ...op.get(KW),
    ...op.get(T),
    ...op.get(KW),
    ...op.ltS,
    ...op.select,
    ...op.set(KW1),
    ...op.get(KW1),
    ...op.get(KW0),
    ...op.gtS,
    ...op.ifElse([...op.get(KW1), ...op.get(KW0), ...op.sub, ...op.get(CI), ...op.mul, ...op.set(LEN), ...forTo(R, KH, run)]),
    ...op.get(PROW),
    ...op.get(KB),
    ...op.add,
    ...op.set(PROW),
  ];
  return {
    name,
    params: new Array(14).fill(I32),
    locals: new Array(12).fill(I32),
    body: [
      ...op.get(P),
      ...op.set(PROW),
      ...mul(KH, KW),
      ...op.get(CI),
      ...op.mul,
      ...op.i32(4),
      ...op.mul,
      ...op.set(KB), // bytes per patch row
      ...forTo(B, BATCH, forTo(OH, OUTH, forTo(OW, OUTW, position))),
    ],
  };
}

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
let adamCompiled: WebAssembly.Module | undefined;

/** adam.wat, assembled by wabt at build time (scripts/gen-wasm.mjs), compiled once. */
function adamModule(): WebAssembly.Module {
  return (adamCompiled ??= new WebAssembly.Module(Buffer.from(adamWasmBase64, 'base64')));
}

/** The opcode-built module (kept until simd.wat is proven equal; see wasm-equal.test.ts). */
export function legacySimdBytes(): Uint8Array {
  return assemble([addTo, copy, patches('im2col', false), patches('col2im', true)]);
}

/** The loops above, bound to this backend's heap (built once per heap). */
export function simd(backend: WasmBackend): SimdKernels {
  const memory = memoryOf(backend);
  if (cached?.memory !== memory) {
    const mod = new WebAssembly.Module(assemble([addTo, copy, patches('im2col', false), patches('col2im', true)]));
    const ops = new WebAssembly.Instance(mod, { env: { memory } }).exports;
    const adam = new WebAssembly.Instance(adamModule(), { env: { memory } }).exports;
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
