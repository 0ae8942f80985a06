/**
 * Package `exports` as the kernel resolves them for ES-module-only packages (modules.ts, through
 * resolve.exports): the most specific subpath pattern wins, as in Node (the hand-written
 * resolver it replaces took the first pattern that matched), with the import conditions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveExports } from '../../../src/kernel/modules';

test('the longest matching subpath pattern wins, whatever the key order', () => {
  const pkg = { name: 'p', exports: { './*': './dist/*.js', './features/*': './features-impl/*.mjs', './features/internal/*': null } };
  assert.equal(resolveExports(pkg, './features/x'), './features-impl/x.mjs');
  assert.equal(resolveExports(pkg, './other'), './dist/other.js');
  assert.equal(resolveExports(pkg, './features/internal/y'), undefined, 'a null target hides the subpath');
});

test('conditions: import and node before require; sugar for "."; unexported subpaths are not found', () => {
  assert.equal(resolveExports({ exports: { '.': { require: './c.cjs', import: './e.mjs' } } }, '.'), './e.mjs');
  assert.equal(resolveExports({ exports: { node: { import: './n.mjs' }, default: './d.js' } }, '.'), './n.mjs');
  assert.equal(resolveExports({ exports: './only.js' }, '.'), './only.js');
  assert.equal(resolveExports({ exports: { '.': './i.js' } }, './not-there'), undefined);
});
