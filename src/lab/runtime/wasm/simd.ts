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
 */
import type { WasmBackend } from './heap';
import { assemble, ends, F32, Fn, forTo, I32, loop, op as o, V as v, V128 } from './asm';

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

// adam(x 0, m 1, v 2, g 3, xo 4, mo 5, vo 6, n 7, b1 8, b2 9, ob1 10, ob2 11, step 12, s2 13, eps 14)
// locals: end4 15, end 16 (over x), mi 17, vi 18 (v128), gi 19 (v128), splats 20-26 (v128), ms 27, vs 28 (f32), gs 29 (f32)
const adamBody = (simd: boolean): number[] => {
  const ld = simd ? V.load : op.f32load;
  const st = simd ? V.store : op.f32store;
  const [add, mul, div, sqrt] = simd ? [V.add, V.mul, V.div, V.sqrt] : [op.f32add, op.f32mul, op.f32div, op.f32sqrt];
  const sub = simd ? V.sub : op.f32sub;
  const c = (i: number) => (simd ? op.get(20 + i - 8) : op.get(i)); // b1..eps: splat locals or scalar params
  const [mi, vi, gi] = simd ? [17, 18, 19] : [27, 28, 29];
  return [
    ...op.get(3),
    ...ld,
    ...op.set(gi),
    // mi = m*b1 + g*ob1 ; mo = mi
    ...op.get(1),
    ...ld,
    ...c(8),
    ...mul,
    ...op.get(gi),
    ...c(10),
    ...mul,
    ...add,
    ...op.set(mi),
    ...op.get(5),
    ...op.get(mi),
    ...st,
    // vi = v*b2 + g*g*ob2 ; vo = vi
    ...op.get(2),
    ...ld,
    ...c(9),
    ...mul,
    ...op.get(gi),
    ...op.get(gi),
    ...mul,
    ...c(11),
    ...mul,
    ...add,
    ...op.set(vi),
    ...op.get(6),
    ...op.get(vi),
    ...st,
    // xo = x - step*mi / (sqrt(vi)*s2 + eps)
    ...op.get(4),
    ...op.get(0),
    ...ld,
    ...c(12),
    ...op.get(mi),
    ...mul,
    ...op.get(vi),
    ...sqrt,
    ...c(13),
    ...mul,
    ...c(14),
    ...add,
    ...div,
    ...sub,
    ...st,
  ];
};
const adamPtrs = [0, 1, 2, 3, 4, 5, 6];
const adam: Fn = {
  name: 'adam',
  params: [I32, I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32],
  locals: [I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128, F32, F32, F32],
  body: [
    ...ends(0, 7, 15, 16),
    ...[8, 9, 10, 11, 12, 13, 14].flatMap((p) => [...op.get(p), ...V.splat, ...op.set(20 + p - 8)]),
    ...loop(
      adamPtrs,
      adamPtrs.map(() => 16),
      15,
      adamBody(true),
    ),
    ...loop(
      adamPtrs,
      adamPtrs.map(() => 4),
      16,
      adamBody(false),
    ),
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

/** The loops above, bound to this backend's heap (built once per heap). */
export function simd(backend: WasmBackend): SimdKernels {
  const memory = memoryOf(backend);
  if (cached?.memory !== memory) {
    const mod = new WebAssembly.Module(assemble([addTo, copy, adam, patches('im2col', false), patches('col2im', true)]));
    const k = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as SimdKernels;
    cached = { memory, k };
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
