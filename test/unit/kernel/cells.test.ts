/**
 * Cells through the real kernel process: state between cells, re-declaration, top-level
 * await, results, errors mapped to the user's TypeScript lines, type-check modes, module
 * resolution (CommonJS and ES-module-only packages from the notebook folder), output order
 * and attribution, displays updated in place, one tfjs, completions/hover and renderer
 * messages. One kernel for the whole file (a kernel start costs seconds: the converter and
 * tfjs load).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { KernelClient } from '../../../src/host/client';
import { ensureBuilt, kernelScript, resultText, run, type CellRun } from './helpers';

let client: KernelClient;
const dir = mkdtempSync(join(tmpdir(), 'vae-lab-nb-'));
const error = (r: CellRun) => r.errors[0];
const cell = (code: string, extra: { language?: 'typescript' | 'javascript'; cellNumber?: number } = {}) => ({ code, ...extra });

before(async () => {
  // A CommonJS helper next to the notebook, and an ES-module-only package in its node_modules
  // ("exports" with only an "import" condition: require() cannot load it).
  writeFileSync(join(dir, 'helper.js'), 'exports.triple = (x) => 3 * x;\n');
  const esm = join(dir, 'node_modules', 'esm-only-pkg');
  mkdirSync(esm, { recursive: true });
  writeFileSync(join(esm, 'package.json'), JSON.stringify({ name: 'esm-only-pkg', type: 'module', exports: { '.': { import: './index.js' } } }));
  writeFileSync(join(esm, 'index.js'), 'export const answer = 41 + 1;\nexport default function hello(n) { return `hello ${n}`; }\n');
  ensureBuilt();
  client = new KernelClient({ kernelScript, notebookDir: dir, backend: 'cpu' });
  await client.start();
});

after(() => client.dispose());

describe('cells', () => {
  it('keeps state between cells and shows the last expression', async () => {
    assert.equal((await run(client, 'const a: number = 20;\nlet b = 1;\nfunction f(x: number) { return x + a; }')).done.status, 'ok');
    const r = await run(client, 'f(b) + 1');
    assert.equal(r.done.status, 'ok');
    assert.equal(resultText(r), '22');
  });

  it('lets a re-run cell re-declare const, let, function and class', async () => {
    for (const v of [1, 2]) {
      const r = await run(client, `const k = ${v};\nlet m = k * 10;\nfunction g() { return m; }\nclass C { v = ${v}; }\ng() + new C().v`);
      assert.equal(r.done.status, 'ok', error(r)?.stack);
      assert.equal(resultText(r), String(v * 10 + v));
    }
  });

  it("reads an earlier cell's names through shorthand properties and destructuring", async () => {
    assert.equal((await run(client, "const preset = 'quick';\nlet steps = 3;\nconst opts = { preset: 'paper', steps: 9 };")).done.status, 'ok');
    // `{ preset }` names the earlier cell's variable; `preset:` in a pattern or literal is a
    // property name even though its type came from an earlier cell
    const r = await run(
      client,
      "const { preset: p2 = 'x', steps: s2 } = opts;\n({ steps } = { steps: 4 });\nconst same: typeof opts = { preset: 'y', steps };\nJSON.stringify([{ preset, steps }, p2, s2, same, ((preset: string) => ({ preset }))('arg')])",
    );
    assert.equal(r.done.status, 'ok', error(r)?.stack);
    assert.equal(resultText(r), `'[{"preset":"quick","steps":4},"paper",9,{"preset":"y","steps":4},{"preset":"arg"}]'`);
  });

  it('supports top-level await and keeps names declared after it', async () => {
    const r = await run(client, 'const slow = await new Promise<number>((res) => setTimeout(() => res(7), 20));\nslow * 6');
    assert.equal(resultText(r), '42');
    assert.equal(resultText(await run(client, 'slow + 1')), '8');
  });

  it('maps a thrown error to the line of the TypeScript cell', async () => {
    const code = 'interface P { x: number }\nconst p: P = { x: 1 };\nthrow new Error(`boom ${p.x}`);';
    const r = await run(client, cell(code, { cellNumber: 5 }));
    assert.equal(r.done.status, 'error');
    assert.equal(error(r)?.ename, 'Error');
    assert.equal(error(r)?.evalue, 'boom 1');
    assert.match(error(r).stack, /Cell 5, line 3:7/);
    assert.doesNotMatch(error(r).stack, /kernel\.js/);
  });

  it('maps frames of functions defined in an earlier cell', async () => {
    await run(client, cell('type N = number;\n\nfunction thrower(n: N): never {\n  throw new RangeError("n=" + n);\n}', { cellNumber: 8 }));
    const r = await run(client, cell('thrower(3)', { cellNumber: 9 }));
    assert.equal(error(r)?.ename, 'RangeError');
    assert.match(error(r).stack, /Cell 8, line 4:9/);
    assert.match(error(r).stack, /Cell 9, line 1:1/);
  });

  it("runs a cell with a type error in 'warn' mode and reports the diagnostic", async () => {
    const r = await run(client, 'const s: number = "not a number";\ns.length');
    assert.equal(r.done.status, 'ok');
    assert.equal(resultText(r), '12');
    const diag = { diagnostics: r.diagnostics };
    // Two: the assignment, and .length on what the checker believes is a number.
    assert.equal(diag.diagnostics.length, 2);
    assert.equal(diag.diagnostics[0].severity, 'error');
    assert.equal(diag.diagnostics[0].start.line, 0);
    assert.match(diag.diagnostics[0].message, /not assignable to type 'number'/);
  });

  it('does not run a cell with a syntax error', async () => {
    const r = await run(client, 'globalThis.ranSyntax = 1;\nconst = ;');
    assert.equal(r.done.status, 'error');
    assert.equal(resultText(await run(client, '(globalThis as any).ranSyntax === undefined')), 'true');
  });

  it('runs JavaScript cells', async () => {
    const r = await run(client, cell('const js = [1, 2, 3].map((x) => x * 2);\njs.join(",")', { language: 'javascript' }));
    assert.match(resultText(r) ?? '', /^'?2,4,6'?$/);
  });

  it('requires CommonJS files from the notebook folder and imports ES-module-only packages', async () => {
    const cjs = await run(client, 'const { triple } = require("./helper");\ntriple(5)');
    assert.equal(resultText(cjs), '15', error(cjs)?.stack);
    const esm = await run(client, 'import hello, { answer } from "esm-only-pkg";\nhello(answer)');
    assert.equal(esm.done.status, 'ok', error(esm)?.stack);
    assert.match(resultText(esm) ?? '', /^'?hello 42'?$/);
  });

  it('says clearly when a module is missing', async () => {
    const r = await run(client, 'import * as nope from "no-such-package-xyz";\nnope');
    assert.equal(r.done.status, 'error');
    assert.match(error(r).evalue, /no-such-package-xyz/);
  });

  it('keeps 10,000 interleaved console and process writes in order, in the right cell', async () => {
    const code = [
      'for (let i = 0; i < 10000; i++) {',
      '  if (i % 3 === 0) console.log("o" + i);',
      '  else if (i % 3 === 1) console.error("e" + i);',
      '  else process.stdout.write("w" + i + "\\n");',
      '}',
    ].join('\n');
    const r = await run(client, code);
    assert.equal(r.done.status, 'ok');
    const seen: string[] = [];
    for (const m of r.messages) if (m.type === 'stream') for (const line of m.text.split('\n')) if (line) seen.push(line);
    assert.equal(seen.length, 10000);
    seen.forEach((line, i) => assert.equal(line, `${['o', 'e', 'w'][i % 3]}${i}`));
    for (const m of r.messages) if (m.type === 'stream') assert.equal(m.name, /^e/.test(m.text) ? 'stderr' : 'stdout');
    // Nothing of it leaks into the next cell.
    assert.equal((await run(client, '1')).stdout, '');
  });

  it('attributes output of async work to the cell that started it, even after that cell ended', async () => {
    const late: { execId: string; text: string }[] = [];
    const off = client.onLateOutput((m) => m.type === 'stream' && late.push({ execId: m.execId, text: m.text }));
    const first = await run(client, 'setTimeout(() => console.log("late from first"), 100); "started"');
    const second = await run(client, 'await new Promise((r) => setTimeout(r, 300)); console.log("second")');
    off();
    assert.equal(second.stdout, 'second\n');
    assert.deepEqual(late, [{ execId: first.done.execId, text: 'late from first\n' }]);
  });

  it('shows displays and updates them in place', async () => {
    const r = await run(
      client,
      [
        'const h = display.markdown("**0%**");',
        'for (let i = 1; i <= 3; i++) { await new Promise((r) => setTimeout(r, 5)); h.update(`**${i * 33}%**`); }',
        'display.html("<b>x &amp; y</b>");',
        'display({ "text/html": "<i>i</i>" });',
      ].join('\n'),
    );
    assert.equal(r.done.status, 'ok', error(r)?.stack);
    const displays = r.messages.filter((m) => m.type === 'display');
    assert.equal(displays.length, 6);
    const [first, ...updates] = displays.slice(0, 4);
    assert.ok(first.type === 'display' && first.displayId);
    assert.deepEqual(first.data, { 'text/markdown': '**0%**', 'text/plain': '**0%**' });
    for (const u of updates) assert.ok(u.type === 'display' && u.update === true && u.displayId === first.displayId);
    assert.equal((updates[2] as { data: Record<string, unknown> }).data['text/markdown'], '**99%**');
    const html = displays[4] as { data: Record<string, unknown> };
    assert.equal(html.data['text/plain'], 'x & y');
    assert.equal(typeof (displays[5] as { data: Record<string, unknown> }).data['text/plain'], 'string');
  });

  it('shows an image-shaped tensor as a PNG with a text fallback', async () => {
    const r = await run(client, 'import * as tf from "@tensorflow/tfjs";\ndisplay(tf.linspace(0, 1, 12).reshape([3, 4]));\ntf.zeros([2, 3])');
    assert.equal(r.done.status, 'ok', error(r)?.stack);
    const d = r.messages.find((m) => m.type === 'display');
    assert.ok(d && d.type === 'display');
    const png = Buffer.from(d.data['image/png'] as string, 'base64');
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.equal(png.readUInt32BE(16), 4); // IHDR width
    assert.equal(png.readUInt32BE(20), 3); // IHDR height
    assert.equal(typeof d.data['text/plain'], 'string');
    assert.match(resultText(r) ?? '', /Tensor/);
  });

  it('gives cells the same tfjs instance under every tfjs name', async () => {
    const r = await run(
      client,
      'import * as tf from "@tensorflow/tfjs";\nimport * as core from "@tensorflow/tfjs-core";\n[tf.engine() === core.engine(), tf.getBackend()]',
    );
    assert.equal(resultText(r), "[ true, 'cpu' ]");
  });

  it('shows a MIME bundle result richly, with text/plain added; a display handle is no result', async () => {
    const r = await run(client, '({ "text/markdown": "# hi" })');
    assert.deepEqual(r.result, { 'text/markdown': '# hi', 'text/plain': '[text/markdown]' });
    assert.equal((await run(client, 'display.html("<b>x</b>")')).result, undefined);
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
    assert.deepEqual((await client.rendererMessage('echo', 3)).payload, { got: 3 });
    assert.match((await client.rendererMessage('nobody', 1)).error ?? '', /No handler/);
  });
});
