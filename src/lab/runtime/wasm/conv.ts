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
 * straight from P, so P is written once, row by row. im2col and col2im walk the patches in wasm
 * (simd.ts), moving contiguous runs of KW*CI floats with SIMD loops: a JS walk calling wasm
 * once per run cost ~2 ms per pass on a 28x28x1 input, where the runs are 4 floats long.
 * The conv VAE's 14x14x32 -> 7x7x64 layer (batch 64, 103 M multiply-adds): stock wasm Conv2D
 * (XNNPACK) 12.2 ms, im2col (1.2 ms) + P W (6.3 ms) 10.2 ms, output read back in both (A/B
 * in one process, alternating).
 * Where the native addon is in use, im2col and col2im run there (native-gemm.ts `patches`): the
 * same walk, P's rows written whole (no separate zero-fill pass), whole images on two threads.
 * There, most shapes skip P altogether (`direct`): the addon's convDirect reads the forward's
 * patches in place (where they lie inside the image) and otherwise gathers a few patch rows at a
 * time into a buffer that stays in cache, and runs its register tile over them, so P
 * (N K floats: 4 MB for dSprites' first layer at batch 64) is never written out, read back and
 * packed. That pays most where K is small (the first layer's K = 16: the product is a few
 * multiply-adds per float of P, so im2col and packing cost more than it) and for the filter
 * gradients, whose im2col product is a k = N long skinny one (N = 65536 there).
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, free, KernelArgs, stockKernel, view, WasmBackend } from './heap';
import { epilogue, nativeGemmInUse, product } from './matmul';
import { memoryOf, ptr, simd } from './simd';
import { BackendUnsupportedError } from '../errors';
import type { NativeGemm } from '../native-gemm';

type ConvInfo = tfc.backend_util.Conv2DInfo;

function convInfo(xShape: number[], filterShape: number[], attrs: tfc.NamedAttrMap): ConvInfo {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tfc.Conv2DBackpropFilterAttrs;
  const fmt = tfc.backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') {
    throw new BackendUnsupportedError('Conv2D (and its gradients)', 'supports NHWC (channelsLast) only: use dataFormat channelsLast');
  }
  return tfc.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    fmt,
  );
}

/** N output positions (rows of P) and K patch length (columns of P). */
function patchDims(c: ConvInfo): { n: number; k: number } {
  return { n: c.batchSize * c.outHeight * c.outWidth, k: c.filterHeight * c.filterWidth * c.inChannels };
}

/** The geometry arguments of simd.ts's im2col / col2im. */
function geometry(c: ConvInfo): [number, number, number, number, number, number, number, number, number, number, number, number] {
  return [
    c.batchSize,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.outHeight,
    c.outWidth,
    c.filterHeight,
    c.filterWidth,
    c.strideHeight,
    c.strideWidth,
    c.padInfo.top,
    c.padInfo.left,
  ];
}

/** gemm.cc convDirect's modes: y = conv(x, w), the filter gradient, the input gradient. */
export const ConvMode = { Forward: 0, Filter: 1, Input: 2 } as const;
export type ConvMode = (typeof ConvMode)[keyof typeof ConvMode];

/** VAE_LAB_NATIVE_CONV=0 keeps every convolution on im2col + GEMM (the A/B switch of the bench). */
let directOn = process.env.VAE_LAB_NATIVE_CONV !== '0';
export function setDirectConv(on: boolean): void {
  directOn = on;
}

/**
 * The largest filter (K co floats: 256 KB) the direct kernels take. The FactorVAE's and the conv
 * VAE's filters are at most 512 x 64 (128 KB); the WAE's inner ones 2048 x 256 and larger.
 */
export const DIRECT_MAX_FILTER = 1 << 16;

/**
 * The addon when this convolution runs there without P (see the header): it is loaded, has
 * `conv`, the switch is on, the product's columns (co; K for the input gradient) are a
 * multiple of 8, the register tile's width, and the filter fits DIRECT_MAX_FILTER.
 */
export function directConv(c: ConvInfo, mode: ConvMode): NativeGemm | null {
  const native = nativeGemmInUse();
  if (!directOn || !native?.conv) return null;
  const { k } = patchDims(c);
  const cols = mode === ConvMode.Input ? k : c.outChannels;
  if (cols % 8 !== 0 || k * c.outChannels > DIRECT_MAX_FILTER) return null;
  return native;
}

/** Runs convDirect: x, w, y as the mode reads or writes them (gemm.cc Conv). */
function runDirect(native: NativeGemm, backend: WasmBackend, mode: ConvMode, x: tfc.TensorInfo, w: tfc.TensorInfo, y: tfc.TensorInfo, c: ConvInfo): void {
  const at = (t: tfc.TensorInfo) => ptr(backend, t) / 4;
  native.conv!(memoryOf(backend).buffer as ArrayBuffer, mode, at(x), at(w), at(y), ...geometry(c), c.outChannels);
}

/** P[N,K] = im2col(x): zero-filled, then each run of the patch copied into its row. */
function im2col(backend: WasmBackend, x: tfc.TensorInfo, c: ConvInfo): tfc.TensorInfo {
  const { n, k } = patchDims(c);
  const p = alloc(backend, [n, k]);
  const native = nativeGemmInUse();
  if (native?.patches) {
    native.patches(memoryOf(backend).buffer as ArrayBuffer, 0, ptr(backend, x) / 4, ptr(backend, p) / 4, ...geometry(c));
    return p;
  }
  f32(backend, p).fill(0);
  simd(backend).im2col(ptr(backend, x), ptr(backend, p), ...geometry(c));
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
  if (labConvFits(c, ConvMode.Forward) || c.batchSize === 1) return forward(backend, x, filter, c);
  return overBatch(backend, c, ConvMode.Forward, x, c.outShape, (xs) => forward(backend, xs, filter, convInfo(xs.shape, filter.shape, attrs!)));
}

/** Y = conv(x, filter) on the lab's path, direct or im2col + GEMM, whatever its size. */
function forward(backend: WasmBackend, x: tfc.TensorInfo, filter: tfc.TensorInfo, c: ConvInfo): tfc.TensorInfo {
  const direct = directConv(c, ConvMode.Forward);
  if (direct) {
    const y = alloc(backend, c.outShape);
    runDirect(direct, backend, ConvMode.Forward, x, filter, y, c);
    return y;
  }
  const { n, k } = patchDims(c);
  const p = im2col(backend, x, c);
  const y = product(backend, { t: p, transposed: false }, { t: filter, transposed: false }, n, k, c.outChannels); // Y = P W
  free(backend, p);
  return view(y, c.outShape);
}

/**
 * The most floats the lab's conv path may hold beside its input and output: an im2col matrix
 * (N x K) on the im2col path, and for FusedConv2D the epilogue's second copy of the output
 * (bias add, then the activation, each a new tensor). Above it the conv runs over slices of the
 * batch that fit (overBatch; a filter gradient sums its slices'). A classifier scoring 10,000
 * MNIST images in one batch ([10000,28,28,32] -> 64 channels, stride 2) needed a 2.3 GB im2col
 * matrix whole, and ran the wasm heap out of bounds.
 */
export const LAB_CONV_MAX_TEMP_FLOATS = 2 ** 25;
let maxTempFloats = LAB_CONV_MAX_TEMP_FLOATS;

/** Tests: a smaller bound, so that small convs take the paths of large ones. Returns the old one. */
export function setLabConvMaxTempFloats(n: number): number {
  const old = maxTempFloats;
  maxTempFloats = n;
  return old;
}

/** The temporaries (floats) the lab's path for `mode` holds beside its inputs and output. */
function tempFloats(c: ConvInfo, mode: ConvMode, fused = false): number {
  const { n, k } = patchDims(c);
  return (directConv(c, mode) ? 0 : n * k) + (fused ? n * c.outChannels : 0);
}

/** Whether the lab's path for `mode` fits LAB_CONV_MAX_TEMP_FLOATS whole (else it runs over slices of the batch). */
export function labConvFits(c: ConvInfo, mode: ConvMode, fused = false): boolean {
  return tempFloats(c, mode, fused) <= maxTempFloats;
}

/** FusedConv2D: act(conv2d(x, filter) + bias), the conv through conv2D above. */
function fusedConv2D({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const { activation, leakyreluAlpha } = attrs as unknown as tfc.FusedConv2DAttrs;
  if (dilated(attrs) || x.dtype !== 'float32') return stockKernel('FusedConv2D')({ inputs, backend, attrs });
  const c = convInfo(x.shape, filter.shape, attrs!);
  const part = (xs: tfc.TensorInfo, ci: ConvInfo) =>
    epilogue(backend, forward(backend, xs, filter, ci), bias, activation, preluActivationWeights, leakyreluAlpha);
  if (labConvFits(c, ConvMode.Forward, true) || c.batchSize === 1) return part(x, c);
  // PReLU weights may carry a batch axis of their own: those stay whole, on the stock kernel.
  if (preluActivationWeights) return stockKernel('FusedConv2D')({ inputs, backend, attrs });
  return overBatch(backend, c, ConvMode.Forward, x, c.outShape, (xs) => part(xs, convInfo(xs.shape, filter.shape, attrs!)), true);
}

/** How many images a slice of the batch may hold so that its temporaries fit the bound (at least 1). */
function sliceImages(c: ConvInfo, mode: ConvMode, fused = false): number {
  return Math.max(1, Math.floor(maxTempFloats / (tempFloats(c, mode, fused) / c.batchSize)));
}

/** Images [b0, b0 + nb) of an NHWC tensor, copied into a tensor of their own. */
function batchSlice(backend: WasmBackend, t: tfc.TensorInfo, b0: number, nb: number): tfc.TensorInfo {
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = alloc(backend, [nb, ...t.shape.slice(1)]);
  f32(backend, out).set(f32(backend, t).subarray(b0 * per, (b0 + nb) * per));
  return out;
}

/**
 * A conv whose temporaries exceed the bound, over slices of the batch that fit: `part` makes
 * each slice's output (images [b0, b0 + nb) of `outShape`), copied into place. Each image's
 * output depends on that image alone, so the result is the whole batch's (to float rounding: the
 * products may block a smaller batch differently).
 * (Handing it to the stock kernel instead cost the WAE step ~6x: tfjs-backend-wasm's
 * Conv2DBackpropInput is a plain loop on one thread.)
 */
function overBatch(
  backend: WasmBackend,
  c: ConvInfo,
  mode: ConvMode,
  batched: tfc.TensorInfo,
  outShape: number[],
  part: (slice: tfc.TensorInfo) => tfc.TensorInfo,
  fused = false,
): tfc.TensorInfo {
  const chunk = sliceImages(c, mode, fused);
  const per = outShape.slice(1).reduce((a, b) => a * b, 1);
  const out = alloc(backend, outShape);
  for (let b0 = 0; b0 < c.batchSize; b0 += chunk) {
    const nb = Math.min(chunk, c.batchSize - b0);
    const slice = batchSlice(backend, batched, b0, nb);
    const y = part(slice);
    f32(backend, out).set(f32(backend, y), b0 * per);
    free(backend, slice, y);
  }
  return out;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x, dy } = inputs;
  const { filterShape } = attrs as unknown as tfc.Conv2DBackpropFilterAttrs;
  const c = convInfo(x.shape, filterShape, attrs!);
  if (labConvFits(c, ConvMode.Filter) || c.batchSize === 1) return filterGradient(backend, x, dy, filterShape, c);
  // tfjs-backend-wasm has no Conv2DBackpropFilter of its own to hand a large one to (the WAE's
  // 4x4 conv-transposes at 14x14x512 need a 400 MB im2col matrix), so it runs over slices of the
  // batch that fit, summed in batch order: dW is a sum over images.
  const chunk = sliceImages(c, ConvMode.Filter);
  const dw = alloc(backend, filterShape);
  f32(backend, dw).fill(0);
  for (let b0 = 0; b0 < c.batchSize; b0 += chunk) {
    const nb = Math.min(chunk, c.batchSize - b0);
    const xs = batchSlice(backend, x, b0, nb);
    const dys = batchSlice(backend, dy, b0, nb);
    const part = filterGradient(backend, xs, dys, filterShape, convInfo(xs.shape, filterShape, attrs!));
    const sum = f32(backend, dw);
    const add = f32(backend, part);
    for (let i = 0; i < sum.length; i++) sum[i] += add[i];
    free(backend, xs, dys, part);
  }
  return dw;
}

/** dW on the lab's path, direct or im2col + GEMM, whatever its size. */
function filterGradient(backend: WasmBackend, x: tfc.TensorInfo, dy: tfc.TensorInfo, filterShape: number[], c: ConvInfo): tfc.TensorInfo {
  const direct = directConv(c, ConvMode.Filter);
  if (direct) {
    const dw = alloc(backend, filterShape);
    runDirect(direct, backend, ConvMode.Filter, x, dw, dy, c);
    return dw;
  }
  const { n, k } = patchDims(c);
  const p = im2col(backend, x, c);
  const dw = product(backend, { t: p, transposed: true }, { t: dy, transposed: false }, k, n, c.outChannels); // dW = P^T dY
  free(backend, p);
  return view(dw, filterShape);
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { dy, filter } = inputs;
  const { inputShape } = attrs as unknown as tfc.Conv2DBackpropInputAttrs;
  const c = convInfo(inputShape, filter.shape, attrs!);
  if (labConvFits(c, ConvMode.Input) || c.batchSize === 1) return inputGradient(backend, dy, filter, inputShape, c);
  return overBatch(backend, c, ConvMode.Input, dy, inputShape, (dys) => {
    const shape = [dys.shape[0], ...inputShape.slice(1)];
    return inputGradient(backend, dys, filter, shape, convInfo(shape, filter.shape, attrs!));
  });
}

/** dX on the lab's path, direct or GEMM + col2im, whatever its size. */
function inputGradient(backend: WasmBackend, dy: tfc.TensorInfo, filter: tfc.TensorInfo, inputShape: number[], c: ConvInfo): tfc.TensorInfo {
  const direct = directConv(c, ConvMode.Input);
  if (direct) {
    const dx = alloc(backend, inputShape);
    runDirect(direct, backend, ConvMode.Input, dx, filter, dy, c);
    return dx;
  }
  const { n, k } = patchDims(c);
  const cols = product(backend, { t: dy, transposed: false }, { t: filter, transposed: true }, n, c.outChannels, k); // [N,K] = dY W^T
  const dx = alloc(backend, inputShape);
  const native = nativeGemmInUse();
  if (native?.patches) {
    native.patches(memoryOf(backend).buffer as ArrayBuffer, 1, ptr(backend, dx) / 4, ptr(backend, cols) / 4, ...geometry(c));
  } else {
    f32(backend, dx).fill(0);
    simd(backend).col2im(ptr(backend, dx), ptr(backend, cols), ...geometry(c));
  }
  free(backend, cols);
  return dx;
}

export const convKernels = [
  { kernelName: 'Conv2D', kernelFunc: conv2D },
  { kernelName: 'FusedConv2D', kernelFunc: fusedConv2D },
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2DBackpropInput },
];
