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
 * so both layers train through here. The products run on XNNPACK's fast path (matmul.ts);
 * the JS loops only move contiguous runs of KW*CI floats.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, free, KernelArgs, view, WasmBackend } from './heap';
import { gemm } from './matmul';

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
 * Walks the (n, kh) rows of the patch matrix: for each, the valid kw range and the offsets
 * of the contiguous run in x (or dx) and in the [N,K] matrix. `run(xOff, pOff, len)` moves
 * `len` floats; `pad(pOff, len)` is called for the parts over the padding.
 */
function forEachRun(c: ConvInfo, run: (xOff: number, pOff: number, len: number) => void,
  pad?: (pOff: number, len: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight: kh, filterWidth: kw,
    strideHeight: sh, strideWidth: sw } = c;
  const { top, left } = c.padInfo;
  const k = kh * kw * ci;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const row = ((b * outHeight + oh) * outWidth + ow) * k;
        const iw0 = ow * sw - left;
        const kw0 = Math.max(0, -iw0);
        const kw1 = Math.min(kw, inWidth - iw0);
        for (let r = 0; r < kh; r++) {
          const ih = oh * sh - top + r;
          const p = row + r * kw * ci;
          if (ih < 0 || ih >= inHeight || kw1 <= kw0) {
            pad?.(p, kw * ci);
            continue;
          }
          if (kw0 > 0) pad?.(p, kw0 * ci);
          run(((b * inHeight + ih) * inWidth + iw0 + kw0) * ci, p + kw0 * ci, (kw1 - kw0) * ci);
          if (kw1 < kw) pad?.(p + kw1 * ci, (kw - kw1) * ci);
        }
      }
    }
  }
}

/** P[N,K] = im2col(x). */
function im2col(backend: WasmBackend, x: tfc.TensorInfo, c: ConvInfo): tfc.TensorInfo {
  const n = c.batchSize * c.outHeight * c.outWidth;
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const p = alloc(backend, [n, k]);
  const P = f32(backend, p);
  const X = f32(backend, x);
  forEachRun(c, (xo, po, len) => {
    if (len < 8) for (let i = 0; i < len; i++) P[po + i] = X[xo + i];
    else P.set(X.subarray(xo, xo + len), po);
  }, (po, len) => P.fill(0, po, po + len));
  return p;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x, dy } = inputs;
  const { filterShape } = attrs as unknown as tfc.Conv2DBackpropFilterAttrs;
  const c = convInfo(x.shape, filterShape, attrs!);
  const n = c.batchSize * c.outHeight * c.outWidth;
  const co = c.outChannels;
  const p = im2col(backend, x, c);
  try {
    // dW = P^T dY; gemm picks the orientation (which operand to transpose and pack).
    return view(gemm(backend, p, view(dy, [n, co]), true, false), filterShape);
  } finally {
    free(backend, p);
  }
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { dy, filter } = inputs;
  const { inputShape } = attrs as unknown as tfc.Conv2DBackpropInputAttrs;
  const c = convInfo(inputShape, filter.shape, attrs!);
  const n = c.batchSize * c.outHeight * c.outWidth;
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const cols = gemm(backend, view(dy, [n, c.outChannels]), view(filter, [k, c.outChannels]), false, true); // [N,K]
  const dx = alloc(backend, inputShape);
  const DX = f32(backend, dx);
  const C = f32(backend, cols);
  DX.fill(0);
  forEachRun(c, (xo, po, len) => {
    for (let i = 0; i < len; i++) DX[xo + i] += C[po + i];
  });
  free(backend, cols);
  return dx;
}

export const convKernels = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2DBackpropInput },
];
