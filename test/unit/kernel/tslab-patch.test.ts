/**
 * The converter patch (patches/tslab+1.0.22.patch, applied by the kernel build): it applies to
 * the installed tslab, each hunk lands (the options the kernel reads are set), and a converter
 * that no longer matches its context is refused rather than patched blindly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch, parsePatch } from 'diff';

const root = join(__dirname, '../../..');
const patch = readFileSync(join(root, 'patches/tslab+1.0.22.patch'), 'utf8');
const converter = readFileSync(join(root, 'node_modules/tslab/dist/converter.js'), 'utf8');

test('the patch applies to tslab 1.0.22 and sets what the kernel reads', () => {
  assert.equal(JSON.parse(readFileSync(join(root, 'node_modules/tslab/package.json'), 'utf8')).version, '1.0.22');
  assert.equal(parsePatch(patch)[0].hunks.length, 7);
  const out = applyPatch(converter, patch);
  assert.ok(out !== false, 'the patch does not apply');
  for (const needle of [
    'options.emitOnError',
    'options.fileWatchers = fileWatchers',
    'options.lastSourceMap = data',
    'options.lastEsOutput = data',
    'sourceMap: true',
    'getShorthandAssignmentValueSymbol',
  ]) {
    assert.ok(out.includes(needle), `missing ${needle}`);
  }
  assert.match(out, /function forwardTslabPath\(cwd, path\) \{\n\s*return path;/);
});

test('a converter that changed where a hunk applies is refused', () => {
  const changed = converter.replace('if (diag.diagnostics.length > 0) {', 'if (diag.diagnostics.length !== 0) {');
  assert.notEqual(changed, converter);
  assert.equal(applyPatch(changed, patch), false);
});
