/**
 * Matrix products on the wasm backend, routed to XNNPACK's fast path.
 *
 * The stock wasm BatchMatMul is fast (16-25 GFLOP/s here) only when the batch is 1 and
 * neither input is transposed; otherwise it runs a scalar loop at 0.4-2 GFLOP/s. Every
 * dense-layer gradient is a transposed product (dW = x^T dy, dx = dy W^T), so that loop
 * dominated training. Here a transposed input is first materialised with the (fast)
 * Transpose kernel, a batch whose B is shared is folded into the rows of A
 * ([Ba,M,K]x[1,K,N] = reshape([Ba*M,K]x[K,N])), and any other batch is run one matrix at a
 * time. Each 2-D product goes through `gemm2d`, the one place the thread pool plugs in.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, free, KernelArgs, stockKernel, view, WasmBackend } from './heap';

/** [.., r, c] -> [.., c, r] with the stock Transpose kernel (a new buffer). */
export function transposeLast2(backend: WasmBackend, t: tfc.TensorInfo): tfc.TensorInfo {
  const r = t.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return stockKernel('Transpose')({ inputs: { x: t }, backend, attrs: { perm } });
}

/** A hook that may compute a 2-D product faster (the thread pool); null = not taken. */
export type Gemm2dHook = (backend: WasmBackend, a: tfc.TensorInfo, b: tfc.TensorInfo) => tfc.TensorInfo | null;
let gemmHook: Gemm2dHook | null = null;
export function setGemmHook(h: Gemm2dHook | null): void {
  gemmHook = h;
}

/** C[M,N] = A[M,K] B[K,N] with the stock kernel on its fast path (this thread only). */
export function stockGemm2d(backend: WasmBackend, a: tfc.TensorInfo, b: tfc.TensorInfo): tfc.TensorInfo {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const out = stockKernel('BatchMatMul')({
    inputs: { a: view(a, [1, m, k]), b: view(b, [1, k, n]) },
    backend,
    attrs: { transposeA: false, transposeB: false },
  });
  return view(out, [m, n]);
}

/** C[M,N] = A[M,K] B[K,N]: split across the thread pool when it takes the job, else stock. */
export function gemm2d(backend: WasmBackend, a: tfc.TensorInfo, b: tfc.TensorInfo): tfc.TensorInfo {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  return gemmHook?.(backend, view(a, [m, k]), view(b, [k, n])) ?? stockGemm2d(backend, a, b);
}

/**
 * Cost, in "transposed floats", of one float of B packed by XNNPACK. The stock kernel packs B
 * (creates an operator) on every call with a B it has not seen, and in training B is almost
 * always new (gradients, freshly updated weights). Measured here: ~9.5 ns per packed float,
 * ~4-5 ns per float through the Transpose kernel (in and out), so packing counts 2.
 */
const PACK_COST = 2;

/**
 * op(A) op(B) for 2-D A, B, where op transposes when asked. Returns a new [M,N] buffer.
 * Two ways to get it on the fast path: directly (materialise the transposed inputs, pack
 * op(B)), or as C = (op(B)^T op(A)^T)^T, which packs op(A)^T instead, gets a transposed
 * input for free, and transposes the [N,M] result. Gradients make both shapes common
 * (dx = dy W^T packs all of W directly, only dy flipped), so take the cheaper.
 */
export function gemm(backend: WasmBackend, a: tfc.TensorInfo, b: tfc.TensorInfo, ta: boolean, tb: boolean): tfc.TensorInfo {
  const [m, k] = ta ? [a.shape[1], a.shape[0]] : a.shape;
  const n = tb ? b.shape[0] : b.shape[1];
  const direct = (ta ? m * k : 0) + (tb ? k * n : 0) + PACK_COST * k * n;
  const flipped = (tb ? 0 : k * n) + (ta ? 0 : m * k) + PACK_COST * m * k + m * n;
  if (flipped < direct) {
    const ct = gemmDirect(backend, b, a, !tb, !ta); // C^T = op(B)^T op(A)^T
    const c = transposeLast2(backend, ct);
    free(backend, ct);
    return c;
  }
  return gemmDirect(backend, a, b, ta, tb);
}

function gemmDirect(backend: WasmBackend, a: tfc.TensorInfo, b: tfc.TensorInfo, ta: boolean, tb: boolean): tfc.TensorInfo {
  const at = ta ? transposeLast2(backend, a) : undefined;
  const bt = tb ? transposeLast2(backend, b) : undefined;
  try {
    return gemm2d(backend, at ?? a, bt ?? b);
  } finally {
    free(backend, at, bt);
  }
}

function batchMatMul({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs as unknown as tfc.BatchMatMulAttrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error('BatchMatMul on the wasm backend supports float32 only; cast the inputs first.');
  }
  if (tfc.util.sizeFromShape(a.shape.slice(0, -2)) === 1 && tfc.util.sizeFromShape(b.shape.slice(0, -2)) === 1) {
    // Plain 2-D product (every dense layer and its gradients): pick the cheaper orientation.
    const a2 = view(a, a.shape.slice(-2));
    const b2 = view(b, b.shape.slice(-2));
    const c = gemm(backend, a2, b2, transposeA, transposeB);
    const outer = tfc.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return view(c, [...outer, ...c.shape]);
  }
  const at = transposeA ? transposeLast2(backend, a) : undefined;
  const bt = transposeB ? transposeLast2(backend, b) : undefined;
  try {
    const A = at ?? a;
    const B = bt ?? b;
    const [m, k] = A.shape.slice(-2);
    const [k2, n] = B.shape.slice(-2);
    if (k !== k2) {
      throw new Error(`matMul: inner dimensions ${k} and ${k2} differ (shapes ${a.shape} and ${b.shape}, ` +
        `transposeA=${transposeA}, transposeB=${transposeB}).`);
    }
    const outerA = A.shape.slice(0, -2);
    const outerB = B.shape.slice(0, -2);
    const outer = tfc.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    const ba = tfc.util.sizeFromShape(outerA);
    const bb = tfc.util.sizeFromShape(outerB);
    const outShape = [...outer, m, n];
    if (bb === 1) {
      // B shared by every batch: one [ba*M, K] x [K, N] product.
      return view(gemm2d(backend, view(A, [ba * m, k]), view(B, [k, n])), outShape);
    }
    const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (!sameOuter && ba !== 1) {
      // Mixed broadcasting of batch dims (rare): the stock kernel is correct, only slow.
      return stockKernel('BatchMatMul')({ inputs: { a: A, b: B }, backend, attrs: { transposeA: false, transposeB: false } });
    }
    return perBatch(backend, A, B, ba === 1 ? 1 : bb, bb, m, k, n, outShape);
  } finally {
    free(backend, at, bt);
  }
}

/**
 * One fast product per batch entry; A is shared when it has batch 1. Each B slice gets a
 * fresh buffer: the wasm kernel caches XNNPACK's packed weights by B's tensor id until that
 * tensor is freed, so refilling one buffer would silently reuse the first slice's weights.
 */
function perBatch(backend: WasmBackend, A: tfc.TensorInfo, B: tfc.TensorInfo, ba: number, batch: number,
  m: number, k: number, n: number, outShape: number[]): tfc.TensorInfo {
  const out = alloc(backend, outShape);
  const ai = alloc(backend, [m, k]);
  try {
    for (let i = 0; i < batch; i++) {
      const ia = ba === 1 ? 0 : i;
      const bi = alloc(backend, [k, n]);
      f32(backend, ai).set(f32(backend, A).subarray(ia * m * k, (ia + 1) * m * k));
      f32(backend, bi).set(f32(backend, B).subarray(i * k * n, (i + 1) * k * n));
      const ci = gemm2d(backend, ai, bi);
      f32(backend, out).set(f32(backend, ci), i * m * n);
      free(backend, ci, bi);
    }
  } finally {
    free(backend, ai);
  }
  return out;
}

/**
 * _FusedMatMul (dense layers' forward: act(A B + bias)): transposes materialised first so
 * the stock kernel takes its fast path. Batched fused products are left to the stock kernel.
 */
function fusedMatMul({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const stock = stockKernel('_FusedMatMul');
  if (!transposeA && !transposeB) return stock({ inputs, backend, attrs });
  const at = transposeA ? transposeLast2(backend, inputs.a) : undefined;
  const bt = transposeB ? transposeLast2(backend, inputs.b) : undefined;
  try {
    return stock({
      inputs: { ...inputs, a: at ?? inputs.a, b: bt ?? inputs.b },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
  } finally {
    free(backend, at, bt);
  }
}

export const matMulKernels = [
  { kernelName: 'BatchMatMul', kernelFunc: batchMatMul },
  { kernelName: '_FusedMatMul', kernelFunc: fusedMatMul },
];
