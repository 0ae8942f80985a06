/**
 * The convolution shapes every backend's kernels are checked on (wasm, webgpu): stride 1 and 2,
 * same and valid padding, odd sizes, batch 64, the conv VAE's first layer (runs of 4 floats in
 * im2col) and a channel count of 12.
 */
export interface ConvCase {
  b: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  pad: 'same' | 'valid';
}

export const CONV_CASES: readonly ConvCase[] = [
  { b: 1, h: 7, w: 9, ci: 3, co: 5, k: 3, s: 1, pad: 'same' },
  { b: 1, h: 7, w: 9, ci: 3, co: 5, k: 3, s: 1, pad: 'valid' },
  { b: 2, h: 9, w: 8, ci: 2, co: 4, k: 4, s: 2, pad: 'same' },
  { b: 2, h: 9, w: 9, ci: 3, co: 2, k: 3, s: 2, pad: 'valid' },
  { b: 3, h: 5, w: 6, ci: 1, co: 3, k: 5, s: 1, pad: 'same' },
  { b: 64, h: 14, w: 14, ci: 8, co: 16, k: 4, s: 2, pad: 'same' },
  { b: 64, h: 13, w: 11, ci: 1, co: 8, k: 4, s: 2, pad: 'valid' },
  { b: 64, h: 28, w: 28, ci: 1, co: 32, k: 4, s: 2, pad: 'same' },
  { b: 1, h: 9, w: 7, ci: 3, co: 12, k: 3, s: 1, pad: 'valid' },
];

export const convCaseName = (c: ConvCase): string => `b${c.b} ${c.h}x${c.w}x${c.ci}->${c.co} k${c.k} s${c.s} ${c.pad}`;
