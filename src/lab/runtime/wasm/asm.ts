/**
 * A minimal WebAssembly encoder for the lab's hand-written kernels (simd.ts, gemm-code.ts).
 *
 * There is no C-to-wasm compiler in this toolchain, so the few loops the lab needs in wasm
 * are written as opcodes here. A module imports one memory (`env.memory`): the wasm
 * backend's heap (so kernels read and write tensors in place), or a shared memory that a
 * worker thread instantiates the same module over (pool.ts). Functions take i32 byte
 * offsets, counts and f32 scalars; nothing is exported but functions.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const str = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

/** memarg: alignment exponent and a constant byte offset added to the address. */
const mem = (align: number, offset: number) => [align, ...uleb(offset)];
const simdOp = (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm];

export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  and: [0x71],
  eq: [0x46],
  ltS: [0x48],
  gtS: [0x4a],
  geS: [0x4e],
  geU: [0x4f],
  /** select(a, b, cond): a when cond != 0, else b. */
  select: [0x1b],
  call: (f: number) => [0x10, ...uleb(f)],
  f32load: (offset = 0) => [0x2a, ...mem(2, offset)],
  f32store: (offset = 0) => [0x38, ...mem(2, offset)],
  f32const0: [0x43, 0, 0, 0, 0],
  f32add: [0x92],
  f32sub: [0x93],
  f32mul: [0x94],
  f32div: [0x95],
  f32sqrt: [0x91],
  /** if (cond) { then } else { otherwise }, no result. */
  ifElse: (then: number[], otherwise: number[] = []) => [0x04, 0x40, ...then, ...(otherwise.length ? [0x05, ...otherwise] : []), 0x0b],
};

export const V = {
  load: (offset = 0) => simdOp(0x00, ...mem(4, offset)),
  /** v128.load32_splat: one float from memory into all four lanes. */
  loadSplat: (offset = 0) => simdOp(0x09, ...mem(2, offset)),
  store: (offset = 0) => simdOp(0x0b, ...mem(4, offset)),
  zero: simdOp(0x0c, ...new Array(16).fill(0)), // v128.const 0
  splat: simdOp(0x13),
  sqrt: simdOp(0xe3),
  add: simdOp(0xe4),
  sub: simdOp(0xe5),
  mul: simdOp(0xe6),
  div: simdOp(0xe7),
  /** i8x16.shuffle picking 32-bit lanes of (a, b): lane i of the result is lane lanes[i] of a ++ b (0-7). */
  shuffle32: (...lanes: number[]) => simdOp(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
  /** f32x4.relaxed_madd(a, b, c) = a * b + c, fused where the CPU has FMA (relaxed SIMD). */
  madd: simdOp(0x105),
};

/** `while (ptrs[0] < end) { body; ptrs[j] += steps[j] }` over i32 locals (byte pointers). */
export function loop(ptrs: number[], steps: number[], end: number, body: number[]): number[] {
  return [
    0x02,
    0x40,
    0x03,
    0x40, // block loop
    ...op.get(ptrs[0]),
    ...op.get(end),
    ...op.geU,
    0x0d,
    1, // br_if 1 when done
    ...body,
    ...ptrs.flatMap((p, j) => [...op.get(p), ...op.i32(steps[j]), ...op.add, ...op.set(p)]),
    0x0c,
    0,
    0x0b,
    0x0b, // br 0; end; end
  ];
}

/** `for (local[i] = 0; local[i] < local[end]; local[i]++) { body }` (signed). */
export function forTo(i: number, end: number, body: number[]): number[] {
  return [
    ...op.i32(0),
    ...op.set(i),
    0x02,
    0x40,
    0x03,
    0x40,
    ...op.get(i),
    ...op.get(end),
    ...op.geS,
    0x0d,
    1,
    ...body,
    ...op.get(i),
    ...op.i32(1),
    ...op.add,
    ...op.set(i),
    0x0c,
    0,
    0x0b,
    0x0b,
  ];
}

/** end4 = base + (n & ~3) * 4 and end = base + n * 4, into locals. */
export function ends(base: number, n: number, end4: number, end: number): number[] {
  return [
    ...op.get(base),
    ...op.get(n),
    ...op.i32(-4),
    ...op.and,
    ...op.i32(4),
    ...op.mul,
    ...op.add,
    ...op.set(end4),
    ...op.get(base),
    ...op.get(n),
    ...op.i32(4),
    ...op.mul,
    ...op.add,
    ...op.set(end),
  ];
}

export interface Fn {
  name: string;
  params: number[];
  locals: number[];
  body: number[];
}

export interface MemoryImport {
  /** A shared memory (threads) must be imported as shared, with a maximum. */
  shared?: boolean;
  maxPages?: number;
}

export function assemble(fns: Fn[], memory: MemoryImport = {}): Uint8Array {
  const types = fns.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0]);
  const limits = memory.shared ? [0x03, 0x00, ...uleb(memory.maxPages ?? 65536)] : [0x00, 0x00];
  const imports = [[...str('env'), ...str('memory'), 0x02, ...limits]];
  const code = fns.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const body = [...locals, ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(code)),
  ]);
}
