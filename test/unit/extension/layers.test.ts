/**
 * The extension host never loads tfjs or the lab (ARCHITECTURE.md): a native addon or a crash
 * there would take VS Code's extension host down. Checked on what esbuild actually bundles
 * from src/extension/extension.ts, so type-only imports pass and runtime imports fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(__dirname, '../../..');

test('the extension host bundle contains no tfjs and no lab code (but the node-only data download)', async () => {
  const result = await esbuild.build({
    entryPoints: [join(root, 'src/extension/extension.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(
    inputs.some((p) => p.startsWith('src/extension/')),
    'the bundle should hold the extension sources',
  );
  // The data-set download code may run in the host (a progress notification with Cancel): it is
  // node built-ins only (and the lab's error base it throws). The CR-VAE presets are plain data the
  // Train CR-VAE pick describes (a type import from nets, erased). Anything else of the lab, tfjs above all, must stay out.
  const hostSafe = new Set([
    'src/lab/experiments/cr-vae/presets.ts',
    'src/lab/core/errors.ts',
    'src/lab/data/catalog.ts',
    'src/lab/data/download.ts',
    'src/lab/data/errors.ts',
    'src/lab/data/locate.ts',
    // The job files' contract (node:fs only): the Runs view and Train CR-VAE follow runs through it.
    'src/lab/jobs/files.ts',
  ]);
  const forbidden = inputs.filter((p) => p.includes('@tensorflow') || (p.startsWith('src/lab/') && !hostSafe.has(p)) || p.startsWith('src/renderers/'));
  assert.deepEqual(forbidden, []);
});
