/**
 * The layer rules of ARCHITECTURE.md for the renderers and the viz builders, enforced rather
 * than hoped for: renderers never reach tfjs, vscode or the lab (they draw JSON), the viz
 * builders never touch the DOM or vscode, and the shared payload module imports nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const sources = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ f: `${dir}/${f}`, text: readFileSync(join(root, dir, f), 'utf8') }));
const imports = (text: string) => [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);

test('renderer sources import neither tfjs, vscode nor the lab', () => {
  for (const { f, text } of sources('src/renderers')) {
    for (const spec of imports(text)) {
      assert.ok(!spec.startsWith('@tensorflow') && spec !== 'vscode' && !spec.includes('/lab/'), `${f} imports ${spec}`);
    }
  }
});

test('renderer bundles contain no tfjs (transitively)', async () => {
  const r = await esbuild.build({
    entryPoints: ['grid', 'traversal', 'arrows', 'trainPanel'].map((n) => join(root, `src/renderers/${n}.ts`)),
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    outdir: '/tmp/unused',
    logLevel: 'silent',
  });
  const inputs = Object.keys(r.metafile!.inputs);
  assert.deepEqual(
    inputs.filter((p) => /@tensorflow|src\/lab\//.test(p)),
    [],
  );
});

test('viz builders use no DOM or vscode; mime.ts imports nothing', () => {
  for (const { f, text } of sources('src/lab/viz')) {
    assert.ok(!/\b(document|window)\./.test(text), `${f} touches the DOM`);
    assert.ok(!imports(text).includes('vscode'), `${f} imports vscode`);
  }
  assert.deepEqual(imports(readFileSync(join(root, 'src/common/mime.ts'), 'utf8')), []);
});
