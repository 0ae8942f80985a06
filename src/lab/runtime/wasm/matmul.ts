/**
 * Matrix products on the wasm backend through the lab's own kernels (gemm.ts, gemm.wat).
 *
 * The stock wasm BatchMatMul is fast (15-21 GFLOP/s here, XNNPACK) only when the batch is 1
 * and neither input is transposed; otherwise it runs a scalar loop at 0.4-2 GFLOP/s, and even
 * its fast path packs B afresh on every call with a B it has not seen (in training B is almost
 * always new). The lab's product packs both operands itself, transposed or not, straight from
 * their heap bytes (no Transpose pass); its kernel runs a 1024^2 product at ~44 GFLOP/s
 * (relaxed SIMD) or ~31 (plain SIMD) on one core here. Every 2-D product of the wasm path (dense layers and their
 * gradients, batched products, the conv gradients of conv.ts) comes through `product`, the one
 * place the thread pool plugs in.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, free, KernelArgs, view, WasmBackend } from './heap';
import { GemmExports, instantiateGemm, gemmWasm, MR, multiplyPanels, NR, Operand, operand, packA, packB, packedABytes, packedBBytes, panelsOf } from './gemm';
import { memoryOf, ptr } from './simd';
import { BackendUnsupportedError } from '../errors';
import { InvalidArgumentError } from '../../core/errors';
import type { NativeGemm } from '../native-gemm';

/** One operand of `product`: a tensor's bytes from float `offset`, maybe transposed. */
export interface Mat {
  t: tfc.TensorInfo;
  transposed: boolean;
  offset?: number;
}

/**
 * A hook that may compute a product's row panels on two threads (pool.ts), given its packed
 * operands in the heap (`heap`: a view of all of it); returns false when it does not take the
 * job (a small product, no pool), and the panels are then computed here.
 */
export type PanelsHook = (job: PanelJob) => boolean;
export interface PanelJob {
  heap: Float32Array;
  ex: GemmExports;
  ap: number;
  bp: number;
  cp: number;
  ldc: number;
  m: number;
  k: number;
  n: number;
}
let panelsHook: PanelsHook | null = null;
export function setPanelsHook(h: PanelsHook | null): void {
  panelsHook = h;
}
/** The hook in use (the bench's profile wraps it). */
export function panelsHookInUse(): PanelsHook | null {
  return panelsHook;
}

/**
 * The native product (native-gemm.ts) when loaded: then every product runs there, on the heap
 * in place, and the wasm kernels below are the fallback.
 */
let nativeGemm: NativeGemm | null = null;
export function setNativeGemm(g: NativeGemm | null): void {
  nativeGemm = g;
}
export function nativeGemmInUse(): NativeGemm | null {
  return nativeGemm;
}

let bound: { memory: WebAssembly.Memory; ex: GemmExports } | undefined;

/** The kernels bound to this backend's heap (instantiated once per heap). */
export function heapGemm(backend: WasmBackend): GemmExports {
  const memory = memoryOf(backend);
  if (bound?.memory !== memory) bound = { memory, ex: instantiateGemm(gemmWasm(false), memory) };
  return bound.ex;
}

/** C[m,n] = op(A)[m,k] op(B)[k,n] into a new buffer. */
export function product(backend: WasmBackend, a: Mat, b: Mat, m: number, k: number, n: number): tfc.TensorInfo {
  const out = alloc(backend, [m, n]);
  if (m === 0 || n === 0) return out;
  if (k === 0) {
    f32(backend, out).fill(0);
    return out;
  }
  const at = (x: Mat, rows: number, cols: number): Operand => operand(ptr(backend, x.t) + 4 * (x.offset ?? 0), rows, cols, x.transposed);
  if (nativeGemm) {
    const [pa, pb] = [at(a, m, k), at(b, k, n)];
    nativeGemm.gemm(
      memoryOf(backend).buffer as ArrayBuffer,
      pa.ptr / 4,
      pa.rowStep / 4,
      pa.colStep / 4,
      pb.ptr / 4,
      pb.rowStep / 4,
      pb.colStep / 4,
      ptr(backend, out) / 4,
      n,
      m,
      k,
      n,
    );
    return out;
  }
  const mp = panelsOf(m, MR);
  const np = panelsOf(n, NR);
  // Whole tiles are written, so C goes through a padded buffer unless the shape is tile-aligned.
  const direct = m % MR === 0 && n % NR === 0;
  const ap = alloc(backend, [packedABytes(m, k) / 4]);
  const bp = alloc(backend, [packedBBytes(k, n) / 4]);
  const cpad = direct ? undefined : alloc(backend, [mp * MR * np * NR]);
  const ex = heapGemm(backend);
  packA(ex, at(a, m, k), m, k, ptr(backend, ap));
  packB(ex, at(b, k, n), k, n, ptr(backend, bp));
  const c = cpad ?? out;
  const ldc = direct ? n * 4 : np * NR * 4;
  const job: PanelJob = { heap: new Float32Array(memoryOf(backend).buffer), ex, ap: ptr(backend, ap), bp: ptr(backend, bp), cp: ptr(backend, c), ldc, m, k, n };
  if (!panelsHook?.(job)) multiplyPanels(ex, job.ap, job.bp, job.cp, ldc, k, n, 0, mp);
  if (cpad) {
    const heap = job.heap;
    const src = ptr(backend, cpad) / 4;
    const dst = ptr(backend, out) / 4;
    for (let r = 0; r < m; r++) heap.copyWithin(dst + r * n, src + r * (ldc / 4), src + r * (ldc / 4) + n);
  }
  free(backend, ap, bp, cpad);
  return out;
}

function batchMatMul({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs as unknown as tfc.BatchMatMulAttrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new BackendUnsupportedError('BatchMatMul', 'supports float32 only: cast the inputs to float32');
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, k] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const [k2, n] = transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
  if (k !== k2) {
    throw new InvalidArgumentError(
      `matMul: inner dimensions ${k} and ${k2} differ (shapes ${a.shape} and ${b.shape}, ` +
        `transposeA=${transposeA}, transposeB=${transposeB}); transpose one input or fix the shapes.`,
    );
  }
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = tfc.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const ba = tfc.util.sizeFromShape(outerA);
  const bb = tfc.util.sizeFromShape(outerB);
  const outShape = [...outer, m, n];
  if (bb === 1 && !transposeA) {
    // B shared by every batch entry: one [ba*M, K] x [K, N] product.
    return view(product(backend, { t: a, transposed: false }, { t: b, transposed: transposeB }, ba * m, k, n), outShape);
  }
  // One product per batch entry, the operands read in place at their offsets.
  const batch = tfc.util.sizeFromShape(outer);
  const ia = batchIndex(outerA, outer);
  const ib = batchIndex(outerB, outer);
  const out = alloc(backend, outShape);
  for (let i = 0; i < batch; i++) {
    const ci = product(backend, { t: a, transposed: transposeA, offset: ia(i) * m * k }, { t: b, transposed: transposeB, offset: ib(i) * k * n }, m, k, n);
    f32(backend, out).set(f32(backend, ci), i * m * n);
    free(backend, ci);
  }
  return out;
}

/**
 * Which batch entry of an operand with batch dims `dims` serves entry i (row-major) of the
 * broadcast batch `outer`: dims are aligned to the right, and a dim of 1 (or a missing one)
 * repeats its only entry. With both sides broadcast ([2,1] against [1,3]) entry i = (p, q) reads
 * A's p and B's q; counting i modulo each side's size instead (as the stock kernels do) gives
 * only max(2, 3) distinct products for six entries.
 */
export function batchIndex(dims: number[], outer: number[]): (i: number) => number {
  const lead = outer.length - dims.length;
  return (i: number) => {
    let at = 0;
    let stride = 1;
    for (let d = outer.length - 1; d >= lead; d--) {
      const coord = i % outer[d];
      i = (i - coord) / outer[d];
      const size = dims[d - lead];
      if (size !== 1) at += coord * stride;
      stride *= size;
    }
    return at;
  };
}

/**
 * _FusedMatMul (dense layers' forward: act(A B + bias)): the product here, then the stock
 * kernel's epilogue is replayed with tfjs's own ops on the result (bias add, activation), so
 * every activation tfjs supports keeps its exact definition.
 */
interface FusedAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

function fusedMatMul({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { a, b, bias, preluActivationWeights } = inputs;
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as FusedAttrs;
  const y = batchMatMul({ inputs: { a, b }, backend, attrs: { transposeA, transposeB } as unknown as tfc.NamedAttrMap });
  return epilogue(backend, y, bias, activation, preluActivationWeights, leakyreluAlpha);
}

/** act(y + bias) with the backend's stock kernels, freeing intermediates (also conv.ts's FusedConv2D). */
export function epilogue(
  backend: WasmBackend,
  y: tfc.TensorInfo,
  bias: tfc.TensorInfo | undefined,
  activation: string | undefined,
  prelu: tfc.TensorInfo | undefined,
  alpha: number | undefined,
): tfc.TensorInfo {
  let out = y;
  const run = (name: string, inputs: Record<string, tfc.TensorInfo>, attrs: tfc.NamedAttrMap = {}) => {
    const k = tfc.getKernel(name, 'wasm');
    // Internal: tfjs-backend-wasm registers every stock kernel the epilogue runs.
    if (!k) throw new Error(`wasm kernel '${name}' is not registered`);
    const next = k.kernelFunc({ inputs, backend: backend as unknown as tfc.KernelBackend, attrs }) as tfc.TensorInfo;
    free(backend, out);
    out = next;
  };
  if (bias) run('Add', { a: out, b: bias });
  switch (activation ?? 'linear') {
    case 'linear':
      break;
    case 'relu':
      run('Relu', { x: out });
      break;
    case 'relu6':
      run('Relu6', { x: out });
      break;
    case 'elu':
      run('Elu', { x: out });
      break;
    case 'sigmoid':
      run('Sigmoid', { x: out });
      break;
    case 'leakyrelu':
      run('LeakyRelu', { x: out }, { alpha: alpha ?? 0.2 });
      break;
    case 'prelu':
      run('Prelu', { x: out, alpha: prelu! });
      break;
    default:
      throw new BackendUnsupportedError('fused matMul', `does not support the activation '${activation}': apply it as its own op after the product`);
  }
  return out;
}

export const matMulKernels = [
  { kernelName: 'BatchMatMul', kernelFunc: batchMatMul },
  { kernelName: '_FusedMatMul', kernelFunc: fusedMatMul },
];
