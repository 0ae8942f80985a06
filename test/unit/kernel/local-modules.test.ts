/**
 * The notebook's own TypeScript and JavaScript files through the real kernel process: local
 * modules that import each other (relative paths up and down, index.ts, a .ts next to a .js of
 * the same name, the `.js` spelling of a .ts import, ES module and CommonJS syntax), a change
 * on disk seen when the importing cell runs again, a type error in a module reported with its
 * file and line, stack frames in a module's TypeScript lines. Also what a cell with a syntax
 * error reports: its type errors too, with positions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelClient } from '../../../src/host/client';
import { ensureBuilt, kernelScript, resultText, run } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'vae-lab-local-'));
const write = (rel: string, text: string) => writeFileSync(join(dir, rel), text);
let client: KernelClient;

before(async () => {
  mkdirSync(join(dir, 'lib/util'), { recursive: true });
  write('a.ts', 'export const a: number = 2;\n');
  // a stale build output next to its source: the .ts is the one that runs (as TypeScript resolves it)
  write('a.js', 'exports.a = -1;\n');
  write(
    'lib/b.ts',
    [
      "import { a } from '../a';",
      "import { u } from './util';",
      "import { twice } from './twice.js';",
      "const { c } = require('./c');",
      'export const b: number = twice(a * 10 + u + c);',
      'export function fail(): never {',
      "  throw new Error('failed in b');",
      '}',
    ].join('\n'),
  );
  write('lib/util/index.ts', 'export const u: number = 100;\n');
  write('lib/twice.ts', 'export function twice(x: number): number {\n  return 2 * x;\n}\n');
  // CommonJS: a .ts file with module.exports, and a .js file that requires a .ts one
  write('lib/c.ts', "module.exports = { c: require('./d').d };\n");
  write('lib/d.js', "exports.d = require('../e').e * 1000;\n");
  write('e.ts', 'export const e = 1;\n');
  ensureBuilt();
  client = new KernelClient({ kernelScript, notebookDir: dir, backend: 'cpu' });
  await client.start();
});

after(() => client.dispose());

describe('local modules', () => {
  it('import each other across folders, in ES module and CommonJS syntax', async () => {
    const r = await run(client, "import { b } from './lib/b';\nb");
    assert.equal(r.done.status, 'ok', r.errors[0]?.stack);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(resultText(r), String(2 * (20 + 100 + 1000)));
  });

  it('map stack frames to the TypeScript lines of the module', async () => {
    const r = await run(client, { code: "import { fail } from './lib/b';\nfail();", cellNumber: 3 });
    assert.equal(r.done.status, 'error');
    assert.match(r.errors[0].stack, /at fail \(.*lib\/b\.ts:7:9\)/);
    assert.match(r.errors[0].stack, /Cell 3, line 2:/);
  });

  it('see a change on disk when the importing cell runs again, and report its type errors with file and line', async () => {
    write('lib/util/index.ts', "export const u: number = 'x'.length + 200;\n");
    const changed = await run(client, "import { b } from './lib/b';\nb");
    assert.equal(resultText(changed), String(2 * (20 + 201 + 1000)));
    write('lib/twice.ts', "export function twice(x: number): number {\n  const two: number = 'two';\n  return 2 * x;\n}\n");
    const typed = await run(client, { code: "const before = 1;\nimport { b } from './lib/b';\nb", cellNumber: 5 });
    const d = typed.diagnostics.find((x) => x.code === 2322);
    assert.ok(d, JSON.stringify(typed.diagnostics));
    assert.match(d.message, /^lib\/twice\.ts, line 2:9: Type 'string' is not assignable to type 'number'/);
    // shown on the cell's import of the local module
    assert.equal(d.start.line, 1);
  });
});

describe('a cell with a syntax error', () => {
  it('reports its type errors too, with positions', async () => {
    const r = await run(client, { code: 'let x + y;', cellNumber: 7 });
    assert.equal(r.done.status, 'error');
    const found = r.diagnostics.map((d) => `${d.start.line}:${d.start.character} ${d.message}`);
    assert.deepEqual(found, ["0:6 ',' expected.", "0:8 Cannot find name 'y'."]);
    assert.match(r.errors[0].stack, /Cell 7, line 1:7: ',' expected[\s\S]*Cell 7, line 1:9: Cannot find name 'y'/);
  });
});
