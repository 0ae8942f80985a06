/**
 * The optional native matrix product (native/gemm.cc: AVX-512 or AVX2 + FMA, picked at run
 * time by the CPU's features; on aarch64 a portable kernel GCC vectorizes to NEON, also
 * selectable on x64 with VAE_LAB_NATIVE_ISA=generic), plugged into the wasm path's one product
 * routine (matmul.ts).
 * wasm SIMD is 128 bits wide; a 512-bit FMA does four times the work per instruction, so on
 * such a CPU the products run 2-4x faster natively. The addon reads and writes the wasm heap in
 * place (it is an ArrayBuffer): no copies.
 *
 * Like tfjs-node, it may be absent: not built (`npm run build:native`), another platform than
 * Linux x64/arm64, an x64 CPU with neither AVX2 nor AVX-512, or VAE_LAB_NATIVE=0. Then the wasm
 * kernels run, unchanged.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface NativeGemm {
  /** 'avx512', 'avx2' or 'generic' (portable); null on an x64 CPU with neither AVX2 nor AVX-512. */
  isa(): string | null;
  /**
   * Threads for one product (1 or 2), and the multiply-adds from which a product is split;
   * stallUs (tests only) makes the second thread sleep that long on every block it takes.
   */
  configure(threads: number, minMacs: number, stallUs?: number): void;
  /** C = op(A) op(B) in `heap`; offsets, steps (element to element) and sizes in floats. */
  gemm(
    heap: ArrayBuffer,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    c: number,
    ldc: number,
    m: number,
    k: number,
    n: number,
  ): void;
  /**
   * Adam's update of n weights in `heap` (offsets in floats), the wasm kernel's arithmetic in the
   * same order (simd.ts adam), on two threads for large variables. Absent in an older build.
   */
  adam?(
    heap: ArrayBuffer,
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
  /**
   * im2col (intoX 0: P = patches of x, written whole) or col2im (1: x zeroed, then P's runs
   * added), the wasm kernels' walk (simd.ts patches) over whole images on two threads; offsets
   * in floats, then batch, inH, inW, ci, outH, outW, kh, kw, sh, sw, top, left. Absent in an older build.
   */
  patches?(heap: ArrayBuffer, intoX: number, x: number, p: number, ...geometry: number[]): void;
  /**
   * A convolution without the im2col matrix (gemm.cc convDirect): mode 0 y = conv(x, w), 1 w =
   * the filter gradient from x and dy (in y), 2 x = the input gradient from w and dy (in y);
   * offsets in floats, then the geometry as for `patches`, then co. The product's columns (co,
   * or kh kw ci for mode 2) must be a multiple of 8. Absent in an older build.
   */
  conv?(heap: ArrayBuffer, mode: number, x: number, w: number, y: number, ...geometryAndCo: number[]): void;
  /** How many products were split over both threads since the addon loaded (tests, profile). Absent in an older build. */
  splits?(): number;
  /** Blocks the first thread computed itself because the second was late (tests, profile). Absent in an older build. */
  takeovers?(): number;
  /**
   * out[outer, inner] = a op b (op 0 +, 1 -, 2 *, 3 /), each operand read in a mode: 0 the
   * whole [outer, inner], 1 a row [inner] repeated, 2 a column [outer] repeated, 3 one float
   * (native/ops.cc); offsets in floats. Absent in an older build.
   */
  binary?(heap: ArrayBuffer, op: number, a: number, aMode: number, b: number, bMode: number, out: number, outer: number, inner: number): void;
  /** out = softplus(x) (op 0), sigmoid(x) (1), exp(x) (2), log1p(x) (3) or relu(x) (4) over n floats; offsets in floats. Absent in an older build. */
  unary?(heap: ArrayBuffer, op: number, x: number, out: number, n: number): void;
  /** out[c] = sum over r of x[r, c] for x [rows, cols] (a sum over leading axes); offsets in floats. Absent in an older build. */
  colsum?(heap: ArrayBuffer, x: number, out: number, rows: number, cols: number): void;
  /** out = x > 0 ? dy : dy * (nanStep && x is NaN ? NaN : alpha): relu's / leaky relu's gradient; offsets in floats. Absent in an older build. */
  mask?(heap: ArrayBuffer, x: number, dy: number, out: number, n: number, alpha: number, nanStep: number): void;
  /**
   * Sets the work from which binary, unary and colsum use both threads (floats; a unary op's
   * float counts 256, its expf/logf costing that many additions' time); returns the previous value.
   */
  opsSplit?(n?: number): number;
}

const FILE = 'vae_lab_gemm.node';

/**
 * The per-platform prebuilt inside a .vsix (dist/prebuilds/<platform>-<arch>/, put there by
 * scripts/package.mjs for the targets that have one), next to the bundle (dist/), or where
 * node-gyp builds it, seen from dist/ or from src/lab/runtime.
 */
export function nativeGemmCandidates(): string[] {
  return [
    join(__dirname, 'prebuilds', `${process.platform}-${process.arch}`, FILE),
    join(__dirname, FILE),
    join(__dirname, '..', 'native', 'build', 'Release', FILE),
    join(__dirname, '..', '..', '..', 'native', 'build', 'Release', FILE),
  ];
}

let cached: { gemm: NativeGemm | null; why: string } | undefined;

/**
 * What the status bar adds when the products run on wasm because the addon is not in use, from
 * loadNativeGemm's `why`: every reason but the user's own VAE_LAB_NATIVE=0 (no prebuilt for
 * this platform, none built, one that fails to load here, a CPU without AVX2), kept short.
 */
export function nativeNote(why: string): string | undefined {
  if (!why || why === 'VAE_LAB_NATIVE=0') return undefined;
  if (why.startsWith('no native GEMM for ')) return why;
  if (why.includes(' not built')) return `${FILE} not built`;
  if (why.includes(' failed to load: ')) return 'native GEMM failed to load';
  if (why.includes('neither AVX-512 nor AVX2')) return 'no native GEMM for this CPU (no AVX2)';
  return 'no native GEMM';
}

/** The addon, or null with the reason it is not used. Loaded once. */
export function loadNativeGemm(): { gemm: NativeGemm | null; why: string } {
  if (cached) return cached;
  if (process.env.VAE_LAB_NATIVE === '0') return (cached = { gemm: null, why: 'VAE_LAB_NATIVE=0' });
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) {
    return (cached = { gemm: null, why: `no native GEMM for ${process.platform}-${process.arch}` });
  }
  const file = nativeGemmCandidates().find((f) => existsSync(f));
  if (!file) return (cached = { gemm: null, why: `${FILE} not built (npm run build:native)` });
  try {
    const g = createRequire(__filename)(file) as NativeGemm;
    if (!g.isa()) return (cached = { gemm: null, why: 'this CPU has neither AVX-512 nor AVX2 with FMA' });
    return (cached = { gemm: g, why: '' });
  } catch (e) {
    return (cached = { gemm: null, why: `${file} failed to load: ${(e as Error).message}` });
  }
}
