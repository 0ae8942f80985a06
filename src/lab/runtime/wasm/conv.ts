/**
 * Conv2D gradients on the wasm backend as matrix products (NHWC, dilation 1).
 *
 * With N = B*OH*OW output positions, K = KH*KW*CI patch length, CO output channels,
 * ih = oh*sh + kh - padTop, iw = ow*sw + kw - padLeft:
 *   filter gradient  dW[kh,kw,ci,co] = sum_n P[n,(kh,kw,ci)] dY[n,co],  i.e. dW = P^T dY,
 *                    P = im2col(x) (zeros where the patch hangs over the padding);
 *   input gradient   dX[b,ih,iw,ci] = sum_{kh,kw,co} dY[n,co] W[kh,kw,ci,co],
 *                    i.e. C = dY W^T ([N,K]) then col2im scatter-adds C's rows into dX.
 * conv2dTranspose's forward is the input gradient and its filter gradient the filter one,
 * so both layers train through here. The products run on XNNPACK's fast path (matmul.ts).
 * The moves are wasm SIMD loops (simd.ts) over contiguous runs of KW*CI floats: im2col writes
 * P^T directly (a strided scatter), so the product needs no Transpose of P (it cost ~9 ms of
 * ~30 per filter gradient of the conv VAE's 14x14x32 layer), and col2im's scatter-add ran
 * ~5x faster than the JS loop it replaced.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, free, KernelArgs, view, WasmBackend } from './heap';
import { product } from './matmul';
import { ptr, simd } from './simd';

type ConvInfo = tfc.backend_util.Conv2DInfo;

function convInfo(xShape: number[], filterShape: number[], attrs: tfc.NamedAttrMap): ConvInfo {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tfc.Conv2DBackpropFilterAttrs;
  const fmt = tfc.backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') {
    throw new Error('Conv2D gradients on the wasm backend support NHWC (channelsLast) only; use dataFormat channelsLast.');
  }
  return tfc.backend_util.computeConv2DInfo(xShape as [number, number, number, number],
    filterShape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, fmt);
}

/**
 * Walks the (n, kh) rows of the patch matrix: for each, the valid kw range, and calls
 * `run(xOff, n, kOff, len)`: x (or dx) floats [xOff, xOff+len) are P[n, kOff..kOff+len).
 * Parts of a patch over the padding are skipped (they are zeros of P / dropped from dX).
 */
function forEachRun(c: ConvInfo, run: (xOff: number, n: number, kOff: number, len: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight: kh, filterWidth: kw,
    strideHeight: sh, strideWidth: sw } = c;
  const { top, left } = c.padInfo;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const n = (b * outHeight + oh) * outWidth + ow;
        const iw0 = ow * sw - left;
        const kw0 = Math.max(0, -iw0);
        const kw1 = Math.min(kw, inWidth - iw0);
        if (kw1 <= kw0) continue;
        for (let r = 0; r < kh; r++) {
          const ih = oh * sh - top + r;
          if (ih < 0 || ih >= inHeight) continue;
          run(((b * inHeight + ih) * inWidth + iw0 + kw0) * ci, n, (r * kw + kw0) * ci, (kw1 - kw0) * ci);
        }
      }
    }
  }
}

/** P^T[K,N] = im2col(x)^T: zero-filled, then each run scattered down a column (stride N). */
function im2colT(backend: WasmBackend, x: tfc.TensorInfo, c: ConvInfo): tfc.TensorInfo {
  const n = c.batchSize * c.outHeight * c.outWidth;
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const pt = alloc(backend, [k, n]);
  f32(backend, pt).fill(0);
  const { scatter } = simd(backend);
  const P = ptr(backend, pt);
  const X = ptr(backend, x);
  const stride = 4 * n;
  forEachRun(c, (xo, row, ko, len) => scatter(P + 4 * (ko * n + row), stride, X + 4 * xo, len));
  return pt;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x, dy } = inputs;
  const { filterShape } = attrs as unknown as tfc.Conv2DBackpropFilterAttrs;
  const c = convInfo(x.shape, filterShape, attrs!);
  const n = c.batchSize * c.outHeight * c.outWidth;
  const pt = im2colT(backend, x, c);
  try {
    const k = c.filterHeight * c.filterWidth * c.inChannels;
    const dw = product(backend, { t: pt, transposed: false }, { t: dy, transposed: false }, k, n, c.outChannels); // dW = P^T dY
    return view(dw, filterShape);
  } finally {
    free(backend, pt);
  }
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { dy, filter } = inputs;
  const { inputShape } = attrs as unknown as tfc.Conv2DBackpropInputAttrs;
  const c = convInfo(inputShape, filter.shape, attrs!);
  const n = c.batchSize * c.outHeight * c.outWidth;
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const cols = product(backend, { t: dy, transposed: false }, { t: filter, transposed: true }, n, c.outChannels, k); // [N,K] = dY W^T
  const dx = alloc(backend, inputShape);
  f32(backend, dx).fill(0);
  const { addTo } = simd(backend);
  const DX = ptr(backend, dx);
  const C = ptr(backend, cols);
  forEachRun(c, (xo, row, ko, len) => addTo(DX + 4 * xo, C + 4 * (row * k + ko), len));
  free(backend, cols);
  return dx;
}

export const convKernels = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2DBackpropInput },
];
