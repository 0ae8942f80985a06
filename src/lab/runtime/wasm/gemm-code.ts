/**
 * The lab's matrix-product kernels, as a wasm SIMD module (opcodes through asm.ts).
 *
 * C[M,N] = A[M,K] B[K,N] the way BLAS libraries do it (Goto & van de Geijn): A is packed
 * into row panels of MR rows stored k-major (Ap[k][r]), B into column panels of NR columns
 * stored k-major (Bp[k][c]), both zero-padded to whole panels. An MR x NR tile of C lives in
 * MR*NR/4 f32x4 registers while k runs: per k, NR/4 vector loads of B, MR one-float splat
 * loads of A (v128.load32_splat, with the offsets folded into the instruction), and MR*NR/4
 * multiply-adds, so the loop is all arithmetic and two pointer bumps. With f32x4.relaxed_madd
 * the multiply-add is one fused instruction where the CPU has FMA; without relaxed SIMD it is
 * f32x4.mul then f32x4.add (same throughput on CPUs with separate add and multiply ports).
 *
 * Exports (byte offsets, counts):
 *   panels(ap, bp, cp, kc, npan, ldc, bstep, acc)
 *       for p < npan: C tile at cp + p*NR*4 (row stride ldc) (+)= Ap[0:kc] x Bp_p[0:kc],
 *       Bp_p = bp + p*bstep; acc = 0 overwrites the tile, else adds to it.
 *   packA(src, kStep, rStep, dst, k, rows)   Ap[kk][r] = src[kk*kStep + r*rStep], r < rows, zero to MR
 *   packB(src, kStep, cStep, dst, k, cols)   Bp[kk][c] = src[kk*kStep + c*cStep], c < cols, zero to NR
 * Steps are in bytes, so one packer serves a matrix and its transpose (swap the steps).
 */
import { assemble, Fn, I32, op, V, V128 } from './asm';

export interface GemmShape {
  /** Rows of a C tile (rows of an A panel). */
  mr: number;
  /** Columns of a C tile (columns of a B panel), a multiple of 4. */
  nr: number;
  /** Use f32x4.relaxed_madd (needs relaxed SIMD). */
  fma: boolean;
}

/** The micro-kernel sweeping a row of panels (see the file comment). */
function panels({ mr, nr, fma }: GemmShape): Fn {
  const nv = nr / 4;
  // params: ap 0, bp 1, cp 2, kc 3, npan 4, ldc 5, bstep 6, acc 7
  // i32 locals: a 8, b 9, end 10, c 11, cEnd 12, row 13
  const [AP, BP, CP, KC, NPAN, LDC, BSTEP, ACC] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [A, B, END, C, CEND, ROW] = [8, 9, 10, 11, 12, 13];
  const acc = (r: number, v: number) => 14 + r * nv + v;
  const breg = (v: number) => 14 + mr * nv + v;
  const areg = 14 + mr * nv + nv;
  const i32s = 6;
  const v128s = mr * nv + nv + 1;

  const rowAddr = (r: number) => (r === 0 ? op.get(C) : [...op.get(C), ...op.get(LDC), ...op.i32(r), ...op.mul, ...op.add]);
  const forTile = (f: (r: number, v: number) => number[]) =>
    [...Array(mr).keys()].flatMap((r) => [...rowAddr(r), ...op.set(ROW), ...[...Array(nv).keys()].flatMap((v) => f(r, v))]);
  const load = forTile((r, v) => [...op.get(ROW), ...V.load(v * 16), ...op.set(acc(r, v))]);
  const zero = forTile((r, v) => [...V.zero, ...op.set(acc(r, v))]);
  const store = forTile((r, v) => [...op.get(ROW), ...op.get(acc(r, v)), ...V.store(v * 16)]);

  // One k step. (Unrolling it, with the offsets folded into the loads, measured slower: V8 then
  // spilled registers.)
  const step = [
    ...[...Array(nv).keys()].flatMap((v) => [...op.get(B), ...V.load(v * 16), ...op.set(breg(v))]),
    ...[...Array(mr).keys()].flatMap((r) => [
      ...op.get(A),
      ...V.loadSplat(r * 4),
      ...op.set(areg),
      ...[...Array(nv).keys()].flatMap((v) =>
        fma
          ? [...op.get(areg), ...op.get(breg(v)), ...op.get(acc(r, v)), ...V.madd, ...op.set(acc(r, v))]
          : [...op.get(acc(r, v)), ...op.get(areg), ...op.get(breg(v)), ...V.mul, ...V.add, ...op.set(acc(r, v))],
      ),
    ]),
  ];
  const kLoop = [
    0x02,
    0x40,
    0x03,
    0x40,
    ...op.get(A),
    ...op.get(END),
    ...op.geU,
    0x0d,
    1,
    ...step,
    ...op.get(A),
    ...op.i32(mr * 4),
    ...op.add,
    ...op.set(A),
    ...op.get(B),
    ...op.i32(nr * 4),
    ...op.add,
    ...op.set(B),
    0x0c,
    0,
    0x0b,
    0x0b,
  ];

  const body = [
    ...op.get(CP),
    ...op.set(C),
    ...op.get(CP),
    ...op.get(NPAN),
    ...op.i32(nr * 4),
    ...op.mul,
    ...op.add,
    ...op.set(CEND),
    ...op.get(AP),
    ...op.get(KC),
    ...op.i32(mr * 4),
    ...op.mul,
    ...op.add,
    ...op.set(END), // end = ap + kc*mr*4
    0x02,
    0x40,
    0x03,
    0x40,
    ...op.get(C),
    ...op.get(CEND),
    ...op.geU,
    0x0d,
    1,
    ...op.get(AP),
    ...op.set(A),
    ...op.get(BP),
    ...op.set(B),
    ...op.get(ACC),
    ...op.ifElse(load, zero),
    ...kLoop,
    ...store,
    ...op.get(C),
    ...op.i32(nr * 4),
    ...op.add,
    ...op.set(C),
    ...op.get(BP),
    ...op.get(BSTEP),
    ...op.add,
    ...op.set(BP),
    0x0c,
    0,
    0x0b,
    0x0b,
  ];
  return {
    name: 'panels',
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [...new Array(i32s).fill(I32), ...new Array(v128s).fill(V128)],
    body,
  };
}

/**
 * pack(src 0, kStep 1, lStep 2, dst 3, k 4, count 5): dst[kk][l] = src[kk*kStep + l*lStep]
 * for l < count, zeros up to `width`. Full panels (count = width, a multiple of 4) take a
 * vector path: rows contiguous in l (lStep 4) are copied a vector at a time; rows contiguous in
 * k (kStep 4: a plain A, a transposed B) are read as 4x4 blocks and transposed in registers
 * (i8x16.shuffle), four k at a time. Whatever is left goes through the scalar loop.
 */
function pack(name: string, width: number): Fn {
  const [SRC, KSTEP, LSTEP, DST, K, COUNT] = [0, 1, 2, 3, 4, 5];
  const [D, DEND, S, L, LEND, WEND, END4] = [6, 7, 8, 9, 10, 11, 12];
  const vreg = (i: number) => 13 + i; // v0..v3 13-16, t0..t3 17-20
  const rowBytes = width * 4;
  const full = [...op.get(COUNT), ...op.i32(width), ...op.eq];
  const copyRows = [
    ...op.get(LSTEP),
    ...op.i32(4),
    ...op.eq,
    ...full,
    ...op.and,
    0x04,
    0x40, // if: vector copy of every row, then return
    0x02,
    0x40,
    0x03,
    0x40,
    ...op.get(D),
    ...op.get(DEND),
    ...op.geU,
    0x0d,
    1,
    ...[...Array(width / 4).keys()].flatMap((v) => [...op.get(D), ...op.get(S), ...V.load(v * 16), ...V.store(v * 16)]),
    ...op.get(D),
    ...op.i32(rowBytes),
    ...op.add,
    ...op.set(D),
    ...op.get(S),
    ...op.get(KSTEP),
    ...op.add,
    ...op.set(S),
    0x0c,
    0,
    0x0b,
    0x0b,
    0x0f, // return
    0x0b,
  ];
  // 4x4 transpose: t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2 = c0 d0 c1 d1, t3 = c2 d2 c3 d3;
  // then w0 = a0 b0 c0 d0 = (t0, t2)[0 1 4 5], w1 = (t0, t2)[2 3 6 7], w2, w3 likewise from t1, t3.
  const block = (g: number) => [
    ...[0, 1, 2, 3].flatMap((r) => [...op.get(S), ...op.get(LSTEP), ...op.i32(4 * g + r), ...op.mul, ...op.add, ...V.load(), ...op.set(vreg(r))]),
    ...op.get(vreg(0)),
    ...op.get(vreg(1)),
    ...V.shuffle32(0, 4, 1, 5),
    ...op.set(vreg(4)),
    ...op.get(vreg(0)),
    ...op.get(vreg(1)),
    ...V.shuffle32(2, 6, 3, 7),
    ...op.set(vreg(5)),
    ...op.get(vreg(2)),
    ...op.get(vreg(3)),
    ...V.shuffle32(0, 4, 1, 5),
    ...op.set(vreg(6)),
    ...op.get(vreg(2)),
    ...op.get(vreg(3)),
    ...V.shuffle32(2, 6, 3, 7),
    ...op.set(vreg(7)),
    ...op.get(D),
    ...op.get(vreg(4)),
    ...op.get(vreg(6)),
    ...V.shuffle32(0, 1, 4, 5),
    ...V.store(g * 16),
    ...op.get(D),
    ...op.get(vreg(4)),
    ...op.get(vreg(6)),
    ...V.shuffle32(2, 3, 6, 7),
    ...V.store(rowBytes + g * 16),
    ...op.get(D),
    ...op.get(vreg(5)),
    ...op.get(vreg(7)),
    ...V.shuffle32(0, 1, 4, 5),
    ...V.store(2 * rowBytes + g * 16),
    ...op.get(D),
    ...op.get(vreg(5)),
    ...op.get(vreg(7)),
    ...V.shuffle32(2, 3, 6, 7),
    ...V.store(3 * rowBytes + g * 16),
  ];
  const transposeRows = [
    ...op.get(KSTEP),
    ...op.i32(4),
    ...op.eq,
    ...full,
    ...op.and,
    0x04,
    0x40,
    ...op.get(DST),
    ...op.get(K),
    ...op.i32(-4),
    ...op.and,
    ...op.i32(rowBytes),
    ...op.mul,
    ...op.add,
    ...op.set(END4),
    0x02,
    0x40,
    0x03,
    0x40,
    ...op.get(D),
    ...op.get(END4),
    ...op.geU,
    0x0d,
    1,
    ...[...Array(width / 4).keys()].flatMap(block),
    ...op.get(D),
    ...op.i32(4 * rowBytes),
    ...op.add,
    ...op.set(D),
    ...op.get(S),
    ...op.i32(16),
    ...op.add,
    ...op.set(S),
    0x0c,
    0,
    0x0b,
    0x0b,
    0x0b, // the last k % 4 rows: the scalar loop below
  ];
  const scalarRow = [
    ...op.get(S),
    ...op.set(L),
    // lend = d + count*4, wend = d + width*4; the copy walks the dst pointer
    ...op.get(D),
    ...op.get(COUNT),
    ...op.i32(4),
    ...op.mul,
    ...op.add,
    ...op.set(LEND),
    ...op.get(D),
    ...op.i32(rowBytes),
    ...op.add,
    ...op.set(WEND),
    0x02,
    0x40,
    0x03,
    0x40,
    ...op.get(D),
    ...op.get(LEND),
    ...op.geU,
    0x0d,
    1,
    ...op.get(D),
    ...op.get(L),
    ...op.f32load(),
    ...op.f32store(),
    ...op.get(D),
    ...op.i32(4),
    ...op.add,
    ...op.set(D),
    ...op.get(L),
    ...op.get(LSTEP),
    ...op.add,
    ...op.set(L),
    0x0c,
    0,
    0x0b,
    0x0b,
    0x02,
    0x40,
    0x03,
    0x40,
    ...op.get(D),
    ...op.get(WEND),
    ...op.geU,
    0x0d,
    1,
    ...op.get(D),
    ...op.f32const0,
    ...op.f32store(),
    ...op.get(D),
    ...op.i32(4),
    ...op.add,
    ...op.set(D),
    0x0c,
    0,
    0x0b,
    0x0b,
    ...op.get(S),
    ...op.get(KSTEP),
    ...op.add,
    ...op.set(S),
  ];
  return {
    name,
    params: [I32, I32, I32, I32, I32, I32],
    locals: [...new Array(7).fill(I32), ...new Array(8).fill(V128)],
    body: [
      ...op.get(DST),
      ...op.set(D),
      ...op.get(SRC),
      ...op.set(S),
      ...op.get(DST),
      ...op.get(K),
      ...op.i32(rowBytes),
      ...op.mul,
      ...op.add,
      ...op.set(DEND),
      ...(width % 4 === 0 ? [...copyRows, ...transposeRows] : []),
      0x02,
      0x40,
      0x03,
      0x40,
      ...op.get(D),
      ...op.get(DEND),
      ...op.geU,
      0x0d,
      1,
      ...scalarRow,
      0x0c,
      0,
      0x0b,
      0x0b,
    ],
  };
}

export function gemmModule(shape: GemmShape, shared: boolean): Uint8Array {
  return assemble([panels(shape), pack('packA', shape.mr), pack('packB', shape.nr)], { shared });
}

export interface GemmExports {
  panels(ap: number, bp: number, cp: number, kc: number, npan: number, ldc: number, bstep: number, acc: number): void;
  packA(src: number, kStep: number, rStep: number, dst: number, k: number, rows: number): void;
  packB(src: number, kStep: number, cStep: number, dst: number, k: number, cols: number): void;
}
