// tfjs-node-gpu that loads without a CUDA device is native TensorFlow on the CPU, and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initRuntime } from '../../../src/lab/runtime';
import { fakeTfjsNode, tempDir } from './fake-packages';

test('gpu package without a device: skipped with the reason, native CPU used', async () => {
  const dir = tempDir();
  fakeTfjsNode(dir, '@tensorflow/tfjs-node-gpu', false);
  const info = await initRuntime('auto', { moduleDirs: [dir] });
  assert.equal(info.backend, 'tensorflow');
  assert.equal(info.device, 'CPU (TensorFlow native)');
  assert.deepEqual(info.skipped?.[0], { backend: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu loaded but sees no CUDA device' });
  // no GPU here, so no WebGPU hardware adapter either: webgpu is passed over before native CPU
  assert.deepEqual(
    info.skipped?.map((s) => s.backend),
    ['tensorflow-gpu', 'webgpu'],
  );
  assert.equal(tf.getBackend(), 'tensorflow');
});

test('forced tensorflow loads tfjs-node (CPU package) from the notebook folder', async () => {
  // Same process: the 'tensorflow' backend is already registered and is reused, not loaded twice.
  const info = await initRuntime('tensorflow', { moduleDirs: [tempDir()] });
  assert.equal(info.device, 'CPU (TensorFlow native)');
});
