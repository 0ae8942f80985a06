/**
 * The names `vae-lab` exports, snapshotted: the top level and each namespace one level down
 * (two for `experiments`), read from the bundle esbuild builds of src/lab/index.ts. Adding or
 * removing an export is a deliberate change to exports.json; after one, regenerate it with
 *   UPDATE_EXPORTS=1 node --import tsx --test test/unit/lab/exports.test.ts
 * and review the diff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(__dirname, '../../..');
const snapshot = join(__dirname, 'exports.json');

/** `{ name: [] }` for a plain export, `{ name: { ...its names } }` for a namespace. */
type Names = { [name: string]: string[] | Names };

function namesOf(mod: Record<string, unknown>, nested: Record<string, number>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(mod).sort()) {
    const v = mod[k] as Record<string, unknown>;
    const depth = nested[k];
    if (depth === undefined) out[k] = [];
    else
      out[k] =
        depth === 1
          ? Object.keys(v).sort()
          : Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((n) => [n, Object.keys(v[n] as object).sort()]),
            );
  }
  return out;
}

test('vae-lab exports exactly the committed names (test/unit/lab/exports.json)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vae-lab-exports-'));
  try {
    await esbuild.build({
      entryPoints: [join(root, 'src/lab/index.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: join(dir, 'lab.js'),
      external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
      logLevel: 'silent',
      absWorkingDir: root,
      nodePaths: [join(root, 'node_modules')],
    });
    const lab = require(join(dir, 'lab.js')) as Record<string, unknown>;
    const namespaces = { data: 1, nets: 1, models: 1, train: 1, metrics: 1, viz: 1, experiments: 2, tf: 0 };
    const actual = namesOf(lab, Object.fromEntries(Object.entries(namespaces).filter(([, d]) => d > 0)));
    assert.ok(typeof lab.tf === 'object' && 'tensor' in (lab.tf as object), "tf is the TensorFlow.js namespace (its names are tfjs's, not snapshotted)");
    if (process.env.UPDATE_EXPORTS) writeFileSync(snapshot, JSON.stringify(actual, null, 1) + '\n');
    const expected = JSON.parse(readFileSync(snapshot, 'utf8')) as Names;
    assert.deepEqual(actual, expected, "vae-lab's exports changed: if deliberate, regenerate exports.json (see the top of this file)");
    const top = Object.keys(actual).filter((k) => !(k in namespaces));
    assert.ok(top.length <= 60, `${top.length} top-level names: keep the flat surface to a few dozen, the rest in namespaces`);
    for (const internal of ['mix32', 'parseNpyHeader', 'windowAt']) assert.ok(!(internal in lab), `${internal} is an internal, not a top-level export`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
