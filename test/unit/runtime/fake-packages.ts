// Writes fake packages into a temp folder, as "npm install" would, for the runtime tests.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vae-lab-rt-'));
}

export function writePackage(dir: string, name: string, indexJs: string): string {
  const pkg = join(dir, 'node_modules', ...name.split('/'));
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, version: '0.0.0-test', main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), indexJs);
  return pkg;
}

/**
 * A stand-in for tfjs-node(-gpu): requires tfjs like the real one, registers a 'tensorflow'
 * backend (a cpu backend underneath) whose `binding.isUsingGpuDevice()` answers `gpu`.
 */
export function fakeTfjsNode(dir: string, name: string, gpu: boolean): void {
  writePackage(
    dir,
    name,
    `
const core = require('@tensorflow/tfjs-core');
const tf = require('@tensorflow/tfjs');
core.registerBackend('tensorflow', () => {
  const be = new tf.MathBackendCPU();
  be.binding = { isUsingGpuDevice: () => ${gpu} };
  return be;
}, 3);
exports.core = core;
`,
  );
}
