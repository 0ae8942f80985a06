/**
 * Errors outside a cell's own flow, through the real kernel process on the wasm backend (whose
 * emscripten glue used to rethrow them and end the process): a throwing timer, a rejection
 * nobody handles, from a cell or from a module it imported, during a cell or after it. Each is
 * an "Uncaught exception" stderr output on the running cell (else the last that ran), its stack
 * in cell lines; no cell fails for it and every variable and tensor survives. Also what a user
 * reads when the kernel does die: the exit code and the end of its stderr, no bundle source.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelClient, type CellMessage } from '../../../src/host/client';
import { lastWords } from '../../../src/host/errors';
import { ensureBuilt, kernelScript, resultText, run } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'vae-lab-stray-'));
let client: KernelClient;
const late: CellMessage[] = [];
const lateStderr = () =>
  late
    .filter((m) => m.type === 'stream' && m.name === 'stderr')
    .map((m) => (m as { text: string }).text)
    .join('');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  writeFileSync(
    join(dir, 'stray.js'),
    'exports.later = () => { setTimeout(() => { throw new Error("from the module"); }, 5); };\nexports.reject = () => { Promise.reject(new Error("module rejection")); };\n',
  );
  ensureBuilt();
  client = new KernelClient({ kernelScript, notebookDir: dir, backend: 'wasm' });
  client.onLateOutput((m) => late.push(m));
  const ready = await client.start();
  assert.equal(ready.runtime?.backend, 'wasm', 'the wasm backend (the one whose glue rethrew) must be the one under test');
});

after(() => client.dispose());

describe('stray errors', () => {
  it('reports a timer that throws after its cell on that cell, mapped to the cell line, and loses nothing', async () => {
    const pid = client.pid;
    const first = await run(client, {
      code: 'import * as tf from "@tensorflow/tfjs";\nconst kept = 41;\nconst t = tf.tensor([1, 2, 3]);\nsetTimeout(() => {\n  throw new Error("late boom");\n}, 20);\n"scheduled"',
      cellNumber: 4,
    });
    assert.equal(first.done.status, 'ok');
    // The timer's error arrives on its own, after the cell's `done`.
    while (!lateStderr()) await sleep(20);
    const text = lateStderr();
    assert.match(text, /^Uncaught exception: Error: late boom\n/);
    assert.match(text, /Cell 4, line 5:9/);
    assert.doesNotMatch(text, /vae-lab-cell-|kernel\.js/);
    const next = await run(client, 'kept + t.sum().dataSync()[0] - 6');
    assert.equal(next.done.status, 'ok', next.errors[0]?.stack);
    assert.equal(resultText(next), '41');
    assert.equal(client.pid, pid);
  });

  it('shows a rejection nobody handles on the cell that runs, which does not fail', async () => {
    late.length = 0;
    const r = await run(client, {
      code: 'Promise.reject(new Error("nobody awaits me"));\nawait new Promise((res) => setTimeout(res, 100));\nkept + 1',
      cellNumber: 6,
    });
    assert.equal(r.done.status, 'ok');
    assert.equal(resultText(r), '42');
    assert.match(r.stderr, /Uncaught exception \(a promise rejection nobody handled\): Error: nobody awaits me\n\s+at Cell 6, line 1:16/);
  });

  it("puts an earlier cell's stray error on the cell running when it fires", async () => {
    // Throws once the next cell has started (polling a flag that cell sets), whatever the delay between cells.
    await run(client, {
      code: 'const poll = setInterval(() => { if ((globalThis as any).go) { clearInterval(poll); throw new Error("fired during the next cell"); } }, 5);',
      cellNumber: 7,
    });
    const r = await run(client, { code: '(globalThis as any).go = true;\nawait new Promise((res) => setTimeout(res, 300));\nkept', cellNumber: 8 });
    assert.equal(r.done.status, 'ok');
    assert.equal(resultText(r), '41');
    assert.match(r.stderr, /Uncaught exception: Error: fired during the next cell\n.*Cell 7, line 1:/);
  });

  it('survives stray errors from a module the cell imported, and rejections of non-errors', async () => {
    late.length = 0;
    const r = await run(client, {
      code: "import { later, reject } from './stray';\nlater();\nreject();\nPromise.reject(42);\nawait new Promise((res) => setTimeout(res, 100));",
      cellNumber: 9,
    });
    assert.equal(r.done.status, 'ok');
    assert.match(r.stderr, /Error: from the module\n\s+at Timeout\._onTimeout \(.*stray\.js:\d+:\d+\)/);
    assert.match(r.stderr, /Error: module rejection/);
    assert.match(r.stderr, /nobody handled\): 42\n/);
    assert.equal(resultText(await run(client, 'kept')), '41');
  });
});

describe('a kernel that dies', () => {
  it('says how it ended and quotes the end of its stderr, not the bundle source', async () => {
    const c = new KernelClient({ kernelScript, notebookDir: dir, backend: 'cpu' });
    const stderr: string[] = [];
    c.onLog((m) => m.level === 'error' && stderr.push(m.text));
    try {
      // Without the kernel's handlers, tfjs's own throw from a timer is fatal: Node prints the
      // bundle line it came from, then the error.
      const r = await run(
        c,
        "import * as tf from '@tensorflow/tfjs';\nprocess.removeAllListeners('uncaughtException');\nsetTimeout(() => tf.tensor([1, 2]).reshape([3]), 0);\nawait new Promise(() => {});",
      );
      assert.equal(r.done.status, 'error');
      const msg = r.errors[0].evalue;
      assert.match(msg, /^The kernel process died \(it exited with code 1\)/);
      assert.match(msg, /fresh kernel/);
      assert.match(msg, /Error: Size\(2\) must match the product of shape 3\n/);
      // Node printed `dist/kernel.js:LINE` and that line of the bundle: neither the message
      // nor the log carries the line itself (in a production build, kilobytes of minified code).
      const printed = stderr.join('');
      const at = /kernel\.js:(\d+)\n/.exec(printed);
      assert.ok(at, `Node printed no source excerpt: ${printed}`);
      const source = readFileSync(kernelScript, 'utf8').split('\n')[Number(at[1]) - 1].trim().slice(0, 60);
      assert.ok(source.length > 0);
      assert.ok(!msg.includes(source), 'the message quotes bundle source');
      if (source.length >= 60) assert.ok(!printed.includes(source), 'the log quotes a long bundle line');
      assert.ok(msg.length < 1000, `${msg.length} characters`);
      // The next run gets a fresh kernel.
      assert.equal(resultText(await run(c, '1 + 1')), '2');
      // A process that writes to its real stderr and exits.
      const exit = await run(c, "require('fs').writeSync(2, 'my last words\\n');\nprocess.exit(3);");
      assert.match(exit.errors[0].evalue, /exited with code 3\)[\s\S]*my last words/);
    } finally {
      c.dispose();
    }
  });

  it('cuts a minified source line out of the quoted stderr', () => {
    const minified = 'var a=1;'.repeat(330);
    const tail = `/x/dist/kernel.js:2\n${minified}\n    ^\n\nError: inside\n    at f (/x/dist/kernel.js:2:10)\n\nNode.js v24.0.0\n`;
    const words = lastWords(tail);
    assert.ok(!words.includes('var a=1'));
    assert.match(words, /^Error: inside\n {4}at f/);
    assert.ok(lastWords('x'.repeat(50) + '\nline\n'.repeat(400)).length <= 601);
    // The buffer kept only the end of the source line; the caret sits far right.
    assert.match(lastWords(`${minified.slice(1000)}\n${' '.repeat(1200)}^\n\nError: cut\n`), /^Error: cut$/);
  });
});
