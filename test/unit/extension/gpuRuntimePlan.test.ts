import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gpuModuleDirs, gpuRuntimeDir, gpuUnsupportedReason, npmInstallInvocation, GPU_PACKAGE_VERSION } from '../../../src/extension/gpuRuntimePlan';

test('kernels get the node_modules folder only once tfjs-node-gpu is installed there', () => {
  const storage = '/home/u/.config/Code/User/globalStorage/vae-lab.vae-lab';
  const modules = join(gpuRuntimeDir(storage), 'node_modules');
  assert.deepEqual(
    gpuModuleDirs(storage, () => false),
    [],
  );
  const seen: string[] = [];
  assert.deepEqual(
    gpuModuleDirs(storage, (p) => (seen.push(p), true)),
    [modules],
  );
  assert.equal(seen[0], join(modules, '@tensorflow', 'tfjs-node-gpu'));
});

test('only Linux and Windows on x64 can install the GPU build', () => {
  assert.equal(gpuUnsupportedReason('linux', 'x64'), undefined);
  assert.equal(gpuUnsupportedReason('win32', 'x64'), undefined);
  assert.match(gpuUnsupportedReason('darwin', 'arm64') ?? '', /x64/);
  assert.match(gpuUnsupportedReason('darwin', 'x64') ?? '', /Linux and Windows/);
});

test('npm installs the pinned version into the given prefix, via a shell only on Windows', () => {
  const linux = npmInstallInvocation('/s/gpu-runtime', 'linux');
  assert.equal(linux.command, 'npm');
  assert.equal(linux.shell, false);
  assert.deepEqual(linux.args.slice(-3), ['--prefix', '/s/gpu-runtime', `@tensorflow/tfjs-node-gpu@${GPU_PACKAGE_VERSION}`]);
  const win = npmInstallInvocation('C:\\s', 'win32');
  assert.equal(win.command, 'npm.cmd');
  assert.equal(win.shell, true);
});

test('the GPU package is pinned to the bundled tfjs version (one tfjs-core for both)', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  assert.equal(GPU_PACKAGE_VERSION, pkg.devDependencies['@tensorflow/tfjs']);
});
