// The bench's FLOP count (test/bench/flops.ts) against the shapes worked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { layerForwardFlops, stackStepFlops, vaeStepFlops } from '../../bench/flops';
import { convNet, mlpNet } from '../../bench/nets';

test('a dense layer: 2 B in out forward, three times that per step', () => {
  assert.equal(layerForwardFlops('Dense', { units: 5 }, [4, 3], [4, 5]), 2 * 4 * 3 * 5);
  const { flops, shape } = stackStepFlops([tf.layers.dense({ units: 5 })], [4, 3]);
  assert.deepEqual(shape, [4, 5]);
  assert.equal(flops, 3 * 2 * 4 * 3 * 5);
});

test('conv2d counts per output pixel, conv2dTranspose per input pixel', () => {
  // 28x28x1 -> 14x14x32 (4x4, stride 2, same): 14*14 outputs, each 4*4*1 multiply-adds per channel.
  const c = tf.layers.conv2d({ filters: 32, kernelSize: 4, strides: 2, padding: 'same' });
  assert.equal(stackStepFlops([c], [2, 28, 28, 1]).flops, 3 * 2 * 2 * 14 * 14 * 16 * 1 * 32);
  // 7x7x64 -> 14x14x32: every input pixel scatters a 4x4x32 patch per input channel.
  const t = tf.layers.conv2dTranspose({ filters: 32, kernelSize: 4, strides: 2, padding: 'same' });
  const r = stackStepFlops([t], [2, 7, 7, 64]);
  assert.deepEqual(r.shape, [2, 14, 14, 32]);
  assert.equal(r.flops, 3 * 2 * 2 * 7 * 7 * 16 * 64 * 32);
});

test('layers without products count nothing; shapes still flow through them', () => {
  const r = stackStepFlops([tf.layers.flatten(), tf.layers.dense({ units: 10 })], [3, 2, 2, 4]);
  assert.equal(r.flops, 3 * 2 * 3 * 16 * 10);
});

test('the bench nets: the MLP VAE and the conv VAE per step', () => {
  const B = 64;
  const mlp = 2 * B * (784 * 512 + 512 * 100 + 50 * 512 + 512 * 784);
  assert.equal(vaeStepFlops(mlpNet(), B), 3 * mlp);
  const conv =
    2 * B * (14 * 14 * 16 * 1 * 32 + 7 * 7 * 16 * 32 * 64 + 7 * 7 * 64 * 100) + // encoder
    2 * B * (50 * 7 * 7 * 64 + 7 * 7 * 16 * 64 * 32 + 14 * 14 * 16 * 32 * 1); // decoder
  assert.equal(vaeStepFlops(convNet(), B), 3 * conv);
});
