// The lab's wasm Conv2D / Conv2DBackpropFilter / Conv2DBackpropInput against the cpu backend:
// conv2d and conv2dTranspose, forward and both gradients, over stride 1 and 2, same and
// valid padding, odd sizes, batch 1 and 64.
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { agree, rand, setup } from './compare';
import { CONV_CASES, convCaseName } from './conv-cases';
import { setLabConvMaxTempFloats } from '../../../src/lab/runtime/wasm/conv';

before(setup);

test('conv2d forward, input and filter gradients', async () => {
  for (const c of CONV_CASES) {
    await agree(`conv2d ${convCaseName(c)}`, () => {
      const x = rand([c.b, c.h, c.w, c.ci], 11) as tf.Tensor4D;
      const w = rand([c.k, c.k, c.ci, c.co], 13) as tf.Tensor4D;
      const y = tf.conv2d(x, w, c.s, c.pad);
      const r = rand(y.shape, 17);
      const g = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf
          .conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad)
          .mul(r)
          .sum(),
      )([x, w]);
      return [y, ...g];
    });
  }
});

test('conv2dTranspose forward, input and filter gradients', async () => {
  for (const c of CONV_CASES) {
    // conv2dTranspose maps [b, h, w, co] back to [b, H, W, ci] where conv2d maps [b, H, W, ci] to [b, h, w, co].
    const out = c.pad === 'same' ? [c.h * c.s, c.w * c.s] : [(c.h - 1) * c.s + c.k, (c.w - 1) * c.s + c.k];
    const oShape: [number, number, number, number] = [c.b, out[0], out[1], c.ci];
    await agree(`conv2dTranspose ${convCaseName(c)}`, () => {
      const x = rand([c.b, c.h, c.w, c.co], 19) as tf.Tensor4D;
      const w = rand([c.k, c.k, c.ci, c.co], 23) as tf.Tensor4D;
      const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, oShape, c.s, c.pad);
      const y = f(x, w);
      const r = rand(y.shape, 29);
      return [y, ...tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x, w).mul(r).sum())([x, w])];
    });
  }
});

test('explicit numeric padding', async () => {
  await agree('conv2d pad=1', () => {
    const x = rand([2, 6, 7, 3], 31) as tf.Tensor4D;
    const w = rand([3, 3, 3, 4], 37) as tf.Tensor4D;
    const y = tf.conv2d(x, w, 2, 1 as unknown as 'same');
    return [y, ...tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 1 as unknown as 'same').sum())([x, w])];
  });
});

test('a dilated conv2d (left to the stock kernel) still agrees', async () => {
  await agree('conv2d dilation 2', () => {
    const x = rand([2, 9, 8, 3], 41) as tf.Tensor4D;
    const w = rand([3, 3, 3, 4], 43) as tf.Tensor4D;
    return [tf.conv2d(x, w, 1, 'same', 'NHWC', 2)];
  });
});

test('a filter gradient too large for the lab path runs over slices of the batch and still agrees (wasm has no stock one)', async () => {
  // Bound 2000 floats: the im2col path (3 output channels, not a multiple of 8, so not direct)
  // needs 900 floats an image here, so the batch of 5 runs as slices of 2, 2 and 1.
  const old = setLabConvMaxTempFloats(2000);
  try {
    await agree('conv2d filter gradient in batch slices', () => {
      const x = rand([5, 9, 9, 4], 47) as tf.Tensor4D;
      const w = rand([3, 3, 4, 3], 53) as tf.Tensor4D;
      const r = rand([5, 5, 5, 3], 59);
      return tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf
          .conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')
          .mul(r)
          .sum(),
      )([x, w]);
    });
    await agree('conv2dTranspose in batch slices', () => {
      const x = rand([5, 5, 5, 3], 61) as tf.Tensor4D;
      const w = rand([4, 4, 4, 3], 67) as tf.Tensor4D;
      const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [5, 10, 10, 4], 2, 'same');
      const r = rand([5, 10, 10, 4], 71);
      return [f(x, w), ...tf.grads((x: tf.Tensor, w: tf.Tensor) => f(x, w).mul(r).sum())([x, w])];
    });
  } finally {
    setLabConvMaxTempFloats(old);
  }
});
