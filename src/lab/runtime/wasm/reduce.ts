/**
 * Sum over leading axes on the wasm path, as one matrix product.
 *
 * A bias gradient sums dY [B, H, W, C] over B, H and W. The stock wasm Sum reduces innermost
 * axes only, so it first moves the reduced axes inward with a Transpose: a full pass with a
 * strided write, profiled here at ~0.4 ms for the conv VAE's [64,14,14,32] and 3.3 ms of its
 * 33 ms step over its eight Sums. With R = the product of the reduced (leading) dims and C the
 * rest, x is already a row-major [R, C] matrix and the sum is
 *   out[c] = sum_r x[r, c] = (1_R^T X)[c],
 * one [1, R] x [R, C] product through matmul.ts (native or wasm GEMM), summing in float32 as the
 * stock kernel does. A sum over no elements is 0 (the stock kernel leaves that output unwritten:
 * whatever the heap held). Any other Sum (innermost axes, all axes, non-float32) stays stock.
 * Where the native addon is in use, its colsum (native/ops.cc) sums the rows instead, on both
 * threads for large inputs: the product packs x into 16-column panels, so a bias gradient of
 * 1 to 16 channels (the FactorVAE nets' [64,64,64,1] and [64,32,32,16]) cost ~3-11 ms a Sum in
 * packing and zero padding for a sum that streams x once.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, free, KernelArgs, stockKernel, view } from './heap';
import { nativeGemmInUse, product } from './matmul';
import { memoryOf, ptr } from './simd';
import { nativeOpsOn } from './elementwise';

function sum({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x } = inputs;
  const { axis, keepDims } = attrs as unknown as tfc.SumAttrs;
  const rank = x.shape.length;
  const axes = [...tfc.util.parseAxisParam(axis, x.shape)].sort((a, b) => a - b);
  const lead = axes.length;
  const leading = x.dtype === 'float32' && lead > 0 && lead < rank && axes.every((a, i) => a === i);
  const rows = tfc.util.sizeFromShape(x.shape.slice(0, lead));
  const cols = tfc.util.sizeFromShape(x.shape.slice(lead));
  if (rows * cols === 0) {
    const kept = x.shape.flatMap((d, i) => (!axes.includes(i) ? [d] : keepDims ? [1] : []));
    const out = alloc(backend, kept, x.dtype);
    backend.typedArrayFromHeap(out).fill(0);
    return out;
  }
  if (!leading) return stockKernel('Sum')({ inputs, backend, attrs });
  const shape = keepDims ? x.shape.map((d, i) => (i < lead ? 1 : d)) : x.shape.slice(lead);
  const nat = nativeOpsOn() ? nativeGemmInUse() : null;
  if (nat?.colsum) {
    const out = alloc(backend, shape);
    nat.colsum(memoryOf(backend).buffer as ArrayBuffer, ptr(backend, x) / 4, ptr(backend, out) / 4, rows, cols);
    return out;
  }
  const ones = alloc(backend, [rows]);
  f32(backend, ones).fill(1);
  const y = product(backend, { t: ones, transposed: false }, { t: x, transposed: false }, 1, rows, cols);
  free(backend, ones);
  return view(y, shape);
}

/**
 * Mean over leading axes (batch norm's statistics: tf.moments over B, H and W) with the native
 * addon: its column sum, then each of the C sums divided by R. The stock wasm Mean transposes
 * the reduced axes inward first (the WAE step profiled Mean at 3%). The cpu backend divides
 * first and sums after; the two differ by float32 rounding only. Anything else stays stock.
 */
function mean({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x } = inputs;
  const { axis, keepDims } = attrs as unknown as tfc.MeanAttrs;
  const rank = x.shape.length;
  const axes = [...tfc.util.parseAxisParam(axis, x.shape)].sort((a, b) => a - b);
  const lead = axes.length;
  const rows = tfc.util.sizeFromShape(x.shape.slice(0, lead));
  const cols = tfc.util.sizeFromShape(x.shape.slice(lead));
  const nat = nativeOpsOn() ? nativeGemmInUse() : null;
  const leading = x.dtype === 'float32' && lead > 0 && lead < rank && axes.every((a, i) => a === i);
  if (!nat?.colsum || !leading || rows * cols === 0) return stockKernel('Mean')({ inputs, backend, attrs });
  const out = alloc(backend, keepDims ? x.shape.map((d, i) => (i < lead ? 1 : d)) : x.shape.slice(lead));
  nat.colsum(memoryOf(backend).buffer as ArrayBuffer, ptr(backend, x) / 4, ptr(backend, out) / 4, rows, cols);
  const o = f32(backend, out);
  for (let c = 0; c < cols; c++) o[c] = o[c] / rows;
  return out;
}

export const reduceKernels = [
  { kernelName: 'Sum', kernelFunc: sum },
  { kernelName: 'Mean', kernelFunc: mean },
];
