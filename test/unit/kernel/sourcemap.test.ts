/**
 * Source-map lookups (sourcemap.ts over @jridgewell/trace-mapping) on a map TypeScript writes:
 * a generated position maps back to its TypeScript line and column; code before a line's
 * first mapped token maps to that token; a line the map does not cover gives nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ts from '@tslab/typescript-for-tslab';
import { lookup, parseMap } from '../../../src/kernel/sourcemap';

test('maps transpiled JavaScript positions back to the TypeScript source', () => {
  const src = 'const a: number = 1;\ninterface I { x: number }\nconst b = (x: I): number =>\n  x.x + a;\nthrow new Error("here " + b({ x: 2 }));\n';
  const out = ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES2022, sourceMap: true, module: ts.ModuleKind.CommonJS } });
  const map = parseMap(out.sourceMapText!);
  const js = out.outputText.split('\n');
  const at = (needle: string): [number, number] => {
    const line = js.findIndex((l) => l.includes(needle));
    return [line, js[line].indexOf(needle)];
  };
  assert.deepEqual(lookup(map, ...at('throw')), [4, 0]);
  assert.deepEqual(lookup(map, ...at('x.x + a')), [3, 2]);
  const [l, c] = at('b = (x)');
  assert.equal(lookup(map, l, c)?.[0], 2);
  assert.equal(lookup(map, js.length + 5, 0), undefined);
});
