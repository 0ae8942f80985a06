/**
 * The lab's matrix product C[M,N] = op(A) op(B), driving the wasm kernels of gemm.wat
 * over any memory that holds the operands: the wasm backend's heap (matmul.ts) or the shared
 * memory of the second thread (pool.ts). Nothing here knows tfjs.
 *
 * Operands are described by byte steps (`rowStep`, `colStep`) between neighbouring elements
 * of the logical matrix, so a transposed operand costs nothing extra: the packers gather it
 * into the same panels. Blocking: B is taken NCP panels (NCP*NR columns) at a time and K in
 * blocks of KC, so a block of packed B (KC*NCP*NR floats, 256 KB) stays in L2 while every
 * row panel of A streams past it, and one A panel (KC*MR floats, 4 KB) stays in L1 while its
 * tiles sweep the block.
 *
 * Measured here on a 1024^2 float32 product, one core: the kernel alone ~44 GFLOP/s with relaxed
 * SIMD's fused multiply-add, ~31 without; through tf.matMul with packing and read-back
 * (`npm run bench -- runtime`, matmul_gflops) 38-43, where XNNPACK's kernel in
 * tfjs-backend-wasm gave 15-21. Wider tiles (6x8, 4x12, 5x8: 19-23 GFLOP/s) and an unrolled k
 * loop (23-27) were slower under V8: registers spilled (x64 has 16 vector registers).
 */
import { createRequire } from 'node:module';
import { defines, wasmBase64 } from './generated/gemm';

/** The tile's rows and columns, as gemm.wat unrolls them. */
export const { MR, NR } = defines;
const KC = 256;
const NCP = 32;

/** An m x k (or k x n) matrix at `ptr`; element (i, j) at ptr + i*rowStep + j*colStep bytes. */
export interface Operand {
  ptr: number;
  rowStep: number;
  colStep: number;
}

/** A row-major [rows, cols] matrix at ptr, or, when `transposed`, the transpose of one stored [cols, rows]. */
export function operand(ptr: number, rows: number, cols: number, transposed: boolean): Operand {
  return transposed ? { ptr, rowStep: 4, colStep: 4 * rows } : { ptr, rowStep: 4 * cols, colStep: 4 };
}

export const panelsOf = (rows: number, width: number) => Math.ceil(rows / width);
export const packedABytes = (m: number, k: number) => panelsOf(m, MR) * MR * k * 4;
export const packedBBytes = (k: number, n: number) => panelsOf(n, NR) * NR * k * 4;

/** Packs all of op(A) [m,k] into MR-row panels at `ap`. */
export function packA(ex: GemmExports, a: Operand, m: number, k: number, ap: number): void {
  for (let i = 0, p = 0; i < m; i += MR, p++) {
    ex.packA(a.ptr + i * a.rowStep, a.colStep, a.rowStep, ap + p * MR * k * 4, k, Math.min(MR, m - i));
  }
}

/** Packs all of op(B) [k,n] into NR-column panels at `bp`. */
export function packB(ex: GemmExports, b: Operand, k: number, n: number, bp: number): void {
  for (let j = 0, p = 0; j < n; j += NR, p++) {
    ex.packB(b.ptr + j * b.colStep, b.rowStep, b.colStep, bp + p * NR * k * 4, k, Math.min(NR, n - j));
  }
}

/**
 * Row panels [p0, p1) of C = A B from packed A (`ap`) and B (`bp`) into C at `cp` (row stride
 * `ldc` bytes, whole tiles: rows up to p1*MR and columns up to a multiple of NR are written).
 * `cp` is where row panel p0 goes, so a thread can write its panels into its own buffer.
 */
export function multiplyPanels(ex: GemmExports, ap: number, bp: number, cp: number, ldc: number, k: number, n: number, p0: number, p1: number): void {
  const np = panelsOf(n, NR);
  const bstep = NR * k * 4;
  for (let jc = 0; jc < np; jc += NCP) {
    const npan = Math.min(NCP, np - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const b = bp + jc * bstep + pc * NR * 4;
      for (let p = p0; p < p1; p++) {
        ex.panels(ap + (p * k + pc) * MR * 4, b, cp + (p - p0) * MR * ldc + jc * NR * 4, kc, npan, ldc, bstep, pc > 0 ? 1 : 0);
      }
    }
  }
}

// ---- the module: relaxed SIMD where the runtime has it ----

/** gemm.wat's exports (see its header). */
export interface GemmExports {
  panels(ap: number, bp: number, cp: number, kc: number, npan: number, ldc: number, bstep: number, acc: number): void;
  packA(src: number, kStep: number, rStep: number, dst: number, k: number, rows: number): void;
  packB(src: number, kStep: number, cStep: number, dst: number, k: number, cols: number): void;
}

/**
 * gemm.wat assembled at build time (scripts/gen-wasm.mjs): with f32x4.relaxed_madd (`fma`) or
 * f32x4.mul + add, over a plain or a shared (threads) memory import.
 */
export function gemmBytes(fma: boolean, shared: boolean): Uint8Array {
  return new Uint8Array(Buffer.from(wasmBase64[`fma=${fma ? 1 : 0} shared=${shared ? 1 : 0}`], 'base64'));
}

let fmaCache: boolean | undefined;

/**
 * Whether this runtime takes relaxed SIMD's fused multiply-add. Node 22+ and the Node inside
 * VS Code (Electron) have it on; Node 20's V8 has it behind a flag that can be set at run time
 * (it only changes which wasm modules validate). VAE_LAB_WASM_FMA=0 turns it off.
 */
export function hasRelaxedSimd(): boolean {
  if (fmaCache !== undefined) return fmaCache;
  if (process.env.VAE_LAB_WASM_FMA === '0') return (fmaCache = false);
  // the fused build validates only where relaxed SIMD is enabled
  const probe = gemmBytes(true, false);
  if (!WebAssembly.validate(probe)) {
    try {
      (createRequire(__filename)('node:v8') as typeof import('node:v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // no v8 module (a browser): plain SIMD
    }
  }
  return (fmaCache = WebAssembly.validate(probe));
}

const modules = new Map<boolean, WebAssembly.Module>();

/** The compiled kernels for a plain (the backend's heap) or a shared (threads) memory import. */
export function gemmWasm(shared: boolean): WebAssembly.Module {
  let m = modules.get(shared);
  if (!m) {
    m = new WebAssembly.Module(gemmBytes(hasRelaxedSimd(), shared));
    modules.set(shared, m);
  }
  return m;
}

export function instantiateGemm(module: WebAssembly.Module, memory: WebAssembly.Memory): GemmExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports;
}
