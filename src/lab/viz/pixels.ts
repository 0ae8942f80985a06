/**
 * Tensors -> the compact uint8 HWC image stacks of the renderer payloads (common/mime.ts).
 */
import * as tf from '../tf';
import type { ImageShape } from '../../common/mime';
import { InvalidArgumentError } from '../core/errors';

export interface ImageStack {
  shape: ImageShape;
  count: number;
  /** count * height * width * channels bytes, HWC per image. */
  pixels: Uint8Array;
}

/**
 * NHWC floats in [0, 1] (values outside are clipped) to uint8 pixels. Does not dispose `x`.
 * Reads asynchronously: a backend such as webgpu cannot read a tensor synchronously.
 */
export async function toImageStack(x: tf.Tensor4D): Promise<ImageStack> {
  const [count, height, width, channels] = x.shape;
  if (channels !== 1 && channels !== 3)
    throw new InvalidArgumentError(`images must have 1 or 3 channels (gray or RGB), got ${channels}: pass [n, h, w, 1] or [n, h, w, 3]`);
  const bytes = tf.tidy(() => x.clipByValue(0, 1).mul(255).round().cast('int32'));
  try {
    return { shape: { height, width, channels }, count, pixels: Uint8Array.from(await bytes.data()) };
  } finally {
    bytes.dispose();
  }
}

/** The images [start, end) of a stack, without copying. */
export function sliceStack(s: ImageStack, start: number, end: number): ImageStack {
  const size = s.shape.height * s.shape.width * s.shape.channels;
  return { shape: s.shape, count: end - start, pixels: s.pixels.subarray(start * size, end * size) };
}
