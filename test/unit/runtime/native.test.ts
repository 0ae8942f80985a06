// tfjs-node(-gpu) found at run time register on the lab's one tfjs-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { requireShared, resolvePackage } from '../../../src/lab/runtime/native';
import { PackageNotFoundError } from '../../../src/lab/runtime/errors';
import { initRuntime, describeRuntime } from '../../../src/lab/runtime';
import { fakeTfjsNode, tempDir, writePackage } from './fake-packages';

test('a package that requires @tensorflow/tfjs-core registers on the lab engine (one tfjs-core)', () => {
  const dir = tempDir();
  writePackage(
    dir,
    'fake-tfjs-plugin',
    `
const core = require('@tensorflow/tfjs-core');
core.registerBackend('fake-plugin', () => new (require('@tensorflow/tfjs').MathBackendCPU)(), 0);
exports.engine = core.engine();
`,
  );
  const mod = requireShared('fake-tfjs-plugin', [dir]) as { engine: unknown };
  assert.equal(mod.engine, tf.engine(), 'the plugin saw another tfjs-core');
  assert.ok(tf.findBackendFactory('fake-plugin'), 'backend not registered on the lab engine');
});

test('a package missing from every folder is a typed error naming the folders', () => {
  const dir = tempDir();
  assert.throws(
    () => resolvePackage('@tensorflow/tfjs-node', [dir]),
    (e: unknown) => e instanceof PackageNotFoundError && e.message.includes(dir),
  );
});

test('auto picks tfjs-node-gpu from the extra module dirs when it sees a CUDA device', async () => {
  const storage = tempDir();
  fakeTfjsNode(storage, '@tensorflow/tfjs-node-gpu', true);
  const info = await initRuntime('auto', { moduleDirs: [tempDir(), storage] });
  assert.equal(info.backend, 'tensorflow');
  assert.match(info.device, /^GPU/);
  assert.equal(info.skipped, undefined);
  assert.equal(tf.getBackend(), 'tensorflow');
  assert.match(describeRuntime(), /tfjs: tensorflow — GPU/);
});
