/**
 * One kernel, many cells: output order and ownership, re-declaration, top-level await,
 * imports (ES-module-only and CommonJS packages from the notebook folder, one tfjs), error
 * line mapping, type errors in 'warn' mode, the display API, completions and renderer messages.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { KernelClient, type CellMessage } from '../../../src/kernel/client';
import { ensureBuilt, kernelScript, resultText, run } from './helpers';

/** A notebook folder with an ES-module-only package, a CommonJS package and a local CommonJS file. */
function makeNotebookDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vae-lab-cells-'));
  const esm = join(dir, 'node_modules/esm-only');
  mkdirSync(esm, { recursive: true });
  writeFileSync(join(esm, 'package.json'), JSON.stringify({ name: 'esm-only', type: 'module', exports: { '.': { import: './index.js' } } }));
  writeFileSync(join(esm, 'index.js'), 'export const kind = "esm:" + typeof require; export default function twice(x) { return 2 * x; }\n');
  const cjs = join(dir, 'node_modules/cjs-pkg');
  mkdirSync(cjs, { recursive: true });
  writeFileSync(join(cjs, 'package.json'), JSON.stringify({ name: 'cjs-pkg', main: 'main.js' }));
  writeFileSync(join(cjs, 'main.js'), 'exports.where = __dirname;\n');
  writeFileSync(join(dir, 'helper.cjs'), 'module.exports = { add: (a, b) => a + b };\n');
  return dir;
}

describe('cells', () => {
  let client: KernelClient;
  let dir: string;
  const late: CellMessage[] = [];

  before(async () => {
    ensureBuilt();
    dir = makeNotebookDir();
    client = new KernelClient({ kernelScript, notebookDir: dir, backend: 'cpu' });
    client.onLateOutput((m) => late.push(m));
    await client.start();
  });
  after(() => client.dispose());

  it('keeps 10,000 interleaved stdout/stderr lines in order, in the right cell', async () => {
    const r = await run(
      client,
      [
        'for (let i = 0; i < 10000; i++) {',
        '  if (i % 3 === 0) console.log("o" + i);',
        '  else if (i % 3 === 1) console.error("e" + i);',
        '  else process.stdout.write("w" + i + "\\n");',
        '}',
      ].join('\n'),
    );
    assert.equal(r.done.status, 'ok');
    const lines: string[] = [];
    for (const m of r.messages) {
      if (m.type !== 'stream') continue;
      for (const l of m.text.split('\n').filter(Boolean)) lines.push(`${m.name}:${l}`);
    }
    const expected = Array.from({ length: 10000 }, (_, i) => (i % 3 === 1 ? `stderr:e${i}` : `stdout:${i % 3 === 0 ? 'o' : 'w'}${i}`));
    assert.deepEqual(lines, expected);
    const next = await run(client, '"next"');
    assert.equal(next.messages.filter((m) => m.type === 'stream').length, 0);
  });

  it('attributes output of async work to the cell that started it, even after it ended', async () => {
    const a = await run(client, 'setTimeout(() => console.log("late from A"), 50);\n"a"');
    const b = await run(client, 'await new Promise((r) => setTimeout(r, 300));\nconsole.log("from B");');
    assert.equal(b.stdout, 'from B\n');
    const lateA = late.find((m) => m.type === 'stream' && m.text.includes('late from A'));
    assert.ok(lateA, 'late output arrived');
    assert.equal(lateA.execId, a.done.execId);
  });

  it('re-declares const, let, function and class when a cell is run again', async () => {
    const cell = 'const k = 1;\nlet v = k + 1;\nfunction f() { return v; }\nclass C { n = f(); }\nnew C().n';
    assert.equal(resultText(await run(client, cell)), '2');
    const again = await run(client, cell);
    assert.equal(again.done.status, 'ok');
    assert.deepEqual(again.errors, []);
    assert.equal(resultText(await run(client, 'const k = "changed";\nk')), "'changed'");
    assert.equal(resultText(await run(client, 'f() + k')), "'2changed'");
  });

  it('supports top-level await and shows the last expression', async () => {
    const r = await run(client, 'const t = await new Promise<number>((r) => setTimeout(() => r(7), 10));\nt * 6');
    assert.equal(resultText(r), '42');
  });

  it('maps error stack frames to the cell line of the TypeScript source', async () => {
    const r = await run(client, { code: 'type Id = string;\ninterface Box { id: Id }\nthrow new Error("boom");', cellNumber: 17 });
    assert.equal(r.done.status, 'error');
    assert.equal(r.errors[0].evalue, 'boom');
    assert.match(r.errors[0].stack, /Cell 17, line 3:\d+/);
    assert.doesNotMatch(r.errors[0].stack, /vae-lab-cell|kernel\.js/);
    // A frame in a function defined by an earlier cell points at that cell.
    await run(client, { code: 'function thrower(): never {\n  throw new RangeError("deep");\n}', cellNumber: 18 });
    const deep = await run(client, { code: '\nthrower();', cellNumber: 19 });
    assert.match(deep.errors[0].stack, /Cell 18, line 2:\d+[\s\S]*Cell 19, line 2:\d+/);
  });

  it('shows a type error as a diagnostic and runs the cell anyway (typeCheck warn)', async () => {
    const r = await run(client, 'const s: string = 5;\ns');
    assert.equal(r.done.status, 'ok');
    assert.equal(resultText(r), '5');
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0].start.line, 0);
    assert.match(r.diagnostics[0].message, /not assignable to type 'string'/);
  });

  it('imports an ES-module-only package and requires CommonJS from the notebook folder', async () => {
    const esm = await run(client, 'import twice, { kind } from "esm-only";\n[twice(21), kind]');
    assert.equal(esm.done.status, 'ok', JSON.stringify(esm.errors));
    assert.equal(resultText(esm), "[ 42, 'esm:undefined' ]");
    const cjs = await run(client, 'const { where } = require("cjs-pkg");\nconst helper = require("./helper.cjs");\n[where, helper.add(2, 3)]');
    assert.equal(resultText(cjs), `[ '${join(dir, 'node_modules/cjs-pkg')}', 5 ]`);
    const missing = await run(client, 'require("no-such-package")');
    assert.match(missing.errors[0].evalue, /Cannot find module 'no-such-package'.*npm install no-such-package/);
  });

  it('gives cells the same tfjs instance under every tfjs name', async () => {
    const r = await run(client, 'import * as tf from "@tensorflow/tfjs";\nimport * as core from "@tensorflow/tfjs-core";\n[tf.engine() === core.engine(), tf.getBackend()]');
    assert.equal(resultText(r), "[ true, 'cpu' ]");
  });

  it('displays tensors as PNG, with a text fallback, and updates outputs in place', async () => {
    const r = await run(client, 'import * as tf from "@tensorflow/tfjs";\nconst img = tf.zeros([2, 3, 5, 1]);\ndisplay(img);\nimg.dispose();');
    const png = Buffer.from(r.displays[0].data['image/png'] as string, 'base64');
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    // 2 images of 3x5 tile into a 2x1 grid with a 1-pixel gap: 11 x 3.
    assert.equal(png.readUInt32BE(16), 11);
    assert.equal(png.readUInt32BE(20), 3);
    const idat = png.indexOf('IDAT');
    const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    assert.equal(raw.length, 3 * (11 + 1));
    assert.match(r.displays[0].data['text/plain'] as string, /Tensor float32 \[2, 3, 5, 1\]/);

    const u = await run(client, 'const h = display.html("<b>1%</b>");\nh.update("<b>100%</b>");');
    assert.equal(u.displays.length, 2);
    assert.equal(u.displays[1].displayId, u.displays[0].displayId);
    assert.equal(u.displays[1].update, true);
    assert.equal(u.displays[1].data['text/html'], '<b>100%</b>');
    assert.equal(u.displays[1].data['text/plain'], '100%');
    assert.equal(u.result, undefined, 'a display handle is not shown as the result');
  });

  it('shows a MIME bundle result richly, with text/plain added', async () => {
    const r = await run(client, '({ "text/markdown": "# hi" })');
    assert.deepEqual(r.result, { 'text/markdown': '# hi', 'text/plain': '[text/markdown]' });
  });

  it('answers completions and hovers from the cells so far', async () => {
    await run(client, 'const learningRate = 0.001;');
    const c = await client.complete('learn', 5);
    assert.ok(c.items.some((i) => i.label === 'learningRate'));
    const h = await client.hover('learningRate', 3);
    assert.match(h.text ?? '', /learningRate: 0.001|learningRate: number/);
  });

  it('routes renderer messages to handlers the lab registered through the CellHost', async () => {
    // The lab reaches the host through src/common/display.ts, which keeps it under this symbol.
    await run(client, '(globalThis as any)[Symbol.for("vae-lab.cell-host")].onRendererMessage("echo", (p: any) => ({ got: p }));');
    const reply = await client.rendererMessage('echo', 3);
    assert.deepEqual(reply.payload, { got: 3 });
    const none = await client.rendererMessage('nobody', 1);
    assert.match(none.error ?? '', /No handler/);
  });
});
