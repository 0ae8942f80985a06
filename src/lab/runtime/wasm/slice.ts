/**
 * Slice on the wasm path, copying within the heap.
 *
 * The stock wasm Slice first reads the WHOLE input back to JS (readSync) and then copies the
 * slice out of that copy, so taking 500 images out of 10,000 moves all 10,000, into a fresh JS
 * buffer whose first touch costs a page fault per 4 KB (~14 us each on this VM: ~110 ms for a
 * [10000,28,28,1] input, where the slice itself is 1.5 MB). Here the slice is copied heap to heap:
 * one block when it is contiguous, else one run of the innermost dim per index of the outer dims
 * (row-major), each run at offset sum_d (begin[d] + i[d]) * stride[d] of x.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, KernelArgs, stockKernel } from './heap';

function slice({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x } = inputs;
  if (x.dtype === 'string') return stockKernel('Slice')({ inputs, backend, attrs });
  const { begin, size } = attrs as unknown as tfc.SliceAttrs;
  const [b, s] = tfc.slice_util.parseSliceParams(x as tfc.Tensor, begin, size);
  const out = alloc(backend, s, x.dtype);
  const n = tfc.util.sizeFromShape(s);
  if (n === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const strides = tfc.util.computeStrides(x.shape);
  if (tfc.slice_util.isSliceContinous(x.shape, b, s)) {
    const at = tfc.slice_util.computeFlatOffset(b, strides);
    dst.set(src.subarray(at, at + n));
    return out;
  }
  const rank = x.shape.length;
  const inner = s[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < n; o += inner) {
    let at = b[rank - 1];
    for (let d = 0; d < rank - 1; d++) at += (b[d] + idx[d]) * strides[d];
    dst.set(src.subarray(at, at + inner), o);
    for (let d = rank - 2; d >= 0 && ++idx[d] === s[d]; d--) idx[d] = 0;
  }
  return out;
}

export const sliceKernels = [{ kernelName: 'Slice', kernelFunc: slice }];
