/**
 * The lab's conv path holds temporaries the stock kernels do not (an im2col matrix; for
 * FusedConv2D a second copy of the output), so above LAB_CONV_MAX_TEMP_FLOATS it runs the conv
 * over slices of the batch (kernels-conv.test.ts checks those against the cpu backend). Without
 * that, a classifier scoring 10,000 MNIST images in one batch ran the wasm heap out of bounds
 * (the label-relevant notebook at laptop).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ConvMode, LAB_CONV_MAX_TEMP_FLOATS, labConvFits } from '../../../src/lab/runtime/wasm/conv';

const info = (x: [number, number, number, number], f: [number, number, number, number], stride: number) =>
  tf.backend_util.computeConv2DInfo(x, f, stride, 1, 'same', undefined, false, 'channelsLast');

test('a 10,000-image classifier conv is over the bound in every mode (so it runs in batch slices); the training-size convs fit whole', () => {
  const big = info([10000, 28, 28, 32], [3, 3, 32, 64], 2); // im2col 1.96M x 288 floats
  for (const mode of [ConvMode.Forward, ConvMode.Filter, ConvMode.Input]) assert.equal(labConvFits(big, mode), false, `mode ${mode}`);
  assert.equal(labConvFits(big, ConvMode.Forward, true), false);
  // The same layer at a training batch of 64, and a WAE-sized conv (16384 x 1024 floats of im2col).
  const small = info([64, 28, 28, 32], [3, 3, 32, 64], 2);
  for (const mode of [ConvMode.Forward, ConvMode.Filter, ConvMode.Input]) assert.equal(labConvFits(small, mode), true, `mode ${mode}`);
  assert.equal(labConvFits(small, ConvMode.Forward, true), true);
  assert.equal(labConvFits(info([64, 32, 32, 64], [4, 4, 64, 128], 2), ConvMode.Forward), true);
});

test('the bound is on the temporaries: just over it runs in slices, the fused epilogue counts its output', () => {
  // im2col floats n*k with n = B*H*W (stride 1, same) and k = 9: pick B so n*k crosses the bound.
  const perImage = 32 * 32 * 9;
  const fitsB = Math.floor(LAB_CONV_MAX_TEMP_FLOATS / perImage);
  assert.equal(labConvFits(info([fitsB, 32, 32, 1], [3, 3, 1, 8], 1), ConvMode.Forward), true);
  assert.equal(labConvFits(info([fitsB + 1, 32, 32, 1], [3, 3, 1, 8], 1), ConvMode.Forward), false);
  // Fused adds the output (n*co floats) to the im2col matrix (without the native direct path, as here).
  assert.equal(labConvFits(info([fitsB, 32, 32, 1], [3, 3, 1, 8], 1), ConvMode.Forward, true), false);
});
