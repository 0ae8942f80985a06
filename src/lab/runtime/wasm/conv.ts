/**
 * Conv2D and its gradients on the wasm backend as matrix products (NHWC, dilation 1).
 *
 * With N = B*OH*OW output positions, K = KH*KW*CI patch length, CO output channels,
 * ih = oh*sh + kh - padTop, iw = ow*sw + kw - padLeft:
 *   forward          Y[n,co] = sum_k P[n,k] W[k,co],  i.e. Y = P W,
 *                    P = im2col(x) [N,K] (zeros where the patch hangs over the padding);
 *   filter gradient  dW[kh,kw,ci,co] = sum_n P[n,(kh,kw,ci)] dY[n,co],  i.e. dW = P^T dY;
 *   input gradient   dX[b,ih,iw,ci] = sum_{kh,kw,co} dY[n,co] W[kh,kw,ci,co],
 *                    i.e. C = dY W^T ([N,K]) then col2im scatter-adds C's rows into dX.
 * conv2dTranspose's forward is the input gradient and its filter gradient the filter one,
 * so both layers train through here. The products are the lab's (matmul.ts), which pack P^T
 * straight from P, so P is written once, row by row. The moves are wasm SIMD loops (simd.ts)
 * over contiguous runs of KW*CI floats (im2col's copies, col2im's scatter-add).
 * The conv VAE's 14x14x32 -> 7x7x64 layer (batch 64, 103 M multiply-adds): stock wasm Conv2D
 * (XNNPACK) 12.2 ms, im2col (1.2 ms) + P W (6.3 ms) 10.2 ms, output read back in both (A/B
 * in one process, alternating).
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, free, KernelArgs, stockKernel, view, WasmBackend } from './heap';
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

/** P[N,K] = im2col(x): zero-filled, then each run of the patch copied into its row. */
function im2col(backend: WasmBackend, x: tfc.TensorInfo, c: ConvInfo): tfc.TensorInfo {
  const n = c.batchSize * c.outHeight * c.outWidth;
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const p = alloc(backend, [n, k]);
  f32(backend, p).fill(0);
  const { copy } = simd(backend);
  const P = ptr(backend, p);
  const X = ptr(backend, x);
  forEachRun(c, (xo, row, ko, len) => copy(P + 4 * (row * k + ko), X + 4 * xo, len));
  return p;
}

const dilated = (attrs: tfc.NamedAttrMap | undefined) => {
  const d = (attrs as unknown as { dilations?: number | [number, number] }).dilations ?? 1;
  return typeof d === 'number' ? d !== 1 : d[0] !== 1 || d[1] !== 1;
};

function conv2D({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x, filter } = inputs;
  if (dilated(attrs) || x.dtype !== 'float32') return stockKernel('Conv2D')({ inputs, backend, attrs });
  const c = convInfo(x.shape, filter.shape, attrs!);
  const n = c.batchSize * c.outHeight * c.outWidth;
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const p = im2col(backend, x, c);
  const y = product(backend, { t: p, transposed: false }, { t: filter, transposed: false }, n, k, c.outChannels); // Y = P W
  free(backend, p);
  return view(y, c.outShape);
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x, dy } = inputs;
  const { filterShape } = attrs as unknown as tfc.Conv2DBackpropFilterAttrs;
  const c = convInfo(x.shape, filterShape, attrs!);
  const n = c.batchSize * c.outHeight * c.outWidth;
  const k = c.filterHeight * c.filterWidth * c.inChannels;
  const p = im2col(backend, x, c);
  const dw = product(backend, { t: p, transposed: true }, { t: dy, transposed: false }, k, n, c.outChannels); // dW = P^T dY
  free(backend, p);
  return view(dw, filterShape);
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
  { kernelName: 'Conv2D', kernelFunc: conv2D },
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2DBackpropInput },
];
