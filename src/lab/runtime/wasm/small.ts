/**
 * Small kernels the wasm backend lacks or gets wrong, as plain loops over heap views.
 *
 * MaxPoolGrad: tfjs 4.22's wasm kernel seeds its running max with the smallest positive
 *   float, so a window whose max is <= 0 (common after a linear layer) routes no gradient.
 *   dx[argmax of window] += dy, with the first maximum in (kh, kw) order winning ties and
 *   padding never chosen, as the cpu backend does.
 * UnsortedSegmentSum: the gradient of gather (out[s] = sum over i with ids[i] = s of x[i]);
 *   missing from the wasm backend.
 * Identity: tfjs's engine clones every tensor a gradient will need (saveTensorsForBackwardMode),
 *   57 clones per MLP VAE step, and the stock wasm kernel copies each one's bytes (~0.6 ms of
 *   the 7 ms step, ~1.3 ms of the conv VAE's 33). Tensors are immutable (a Variable's assign
 *   takes a new buffer), so the clone shares the bytes and counts one more owner, as the cpu
 *   and webgl backends' Identity and wasm's own Reshape do.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, KernelArgs, stockKernel } from './heap';
import { BackendUnsupportedError } from '../errors';

function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tfc.MaxPoolGradAttrs;
  const c = tfc.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = c;
  const dx = alloc(backend, input.shape);
  const DX = f32(backend, dx);
  const X = f32(backend, input);
  const DY = f32(backend, dy);
  DX.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let d = 0; d < ch; d++) {
          let best = -Infinity;
          let at = -1;
          for (let r = 0; r < filterHeight; r++) {
            const ih = oh * strideHeight - c.padInfo.top + r;
            if (ih < 0 || ih >= inHeight) continue;
            for (let s = 0; s < filterWidth; s++) {
              const iw = ow * strideWidth - c.padInfo.left + s;
              if (iw < 0 || iw >= inWidth) continue;
              const i = ((b * inHeight + ih) * inWidth + iw) * ch + d;
              if (X[i] > best || at < 0) {
                best = X[i];
                at = i;
              }
            }
          }
          if (at >= 0) DX[at] += DY[((b * outHeight + oh) * outWidth + ow) * ch + d];
        }
      }
    }
  }
  return dx;
}

function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs as unknown as tfc.UnsortedSegmentSumAttrs;
  if (x.dtype !== 'float32') throw new BackendUnsupportedError('UnsortedSegmentSum', 'supports float32 only: cast the input to float32');
  const rows = tfc.util.sizeFromShape(segmentIds.shape);
  const inner = tfc.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const out = alloc(backend, [numSegments, ...x.shape.slice(segmentIds.shape.length)]);
  const O = f32(backend, out);
  const X = f32(backend, x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  O.fill(0);
  for (let i = 0; i < rows; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue; // as TensorFlow: out-of-range ids are dropped
    const o = s * inner;
    const xi = i * inner;
    for (let j = 0; j < inner; j++) O[o + j] += X[xi + j];
  }
  return out;
}

function identity({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x } = inputs;
  if (x.dtype === 'string') return stockKernel('Identity')({ inputs, backend, attrs });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const smallKernels = [
  { kernelName: 'Identity', kernelFunc: identity },
  { kernelName: 'MaxPoolGrad', kernelFunc: maxPoolGrad },
  { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSum },
];
