/**
 * Interrupt keeps the kernel and its state: a synchronous infinite loop (in the cell's own
 * script, and after a top-level await), and an async loop that watches `signal`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelClient } from '../../../src/host/client';
import { ensureBuilt, kernelScript, resultText, run } from './helpers';

describe('interrupt', () => {
  let client: KernelClient;

  before(async () => {
    ensureBuilt();
    client = new KernelClient({ kernelScript, notebookDir: mkdtempSync(join(tmpdir(), 'vae-lab-int-')), backend: 'cpu' });
    await client.start();
    await run(client, 'let counter = 41;');
  });
  after(() => client.dispose());

  /** Runs `code`, interrupts once it has printed 'started', returns the run. */
  async function runAndInterrupt(code: string) {
    return run(client, code, (m) => {
      if (m.type === 'stream' && m.text.includes('started')) client.interrupt();
    });
  }

  it('breaks a synchronous while(true) and keeps state', async () => {
    const pid = client.pid;
    const r = await runAndInterrupt('counter++;\nconsole.log("started");\nwhile (true) {}');
    assert.equal(r.done.status, 'interrupted');
    assert.equal(client.pid, pid, 'same process');
    assert.equal(resultText(await run(client, 'counter')), '42');
  });

  it('breaks a busy loop that runs after a top-level await', async () => {
    const pid = client.pid;
    const r = await runAndInterrupt('await new Promise((r) => setTimeout(r, 5));\ncounter++;\nconsole.log("started");\nwhile (true) {}');
    assert.equal(r.done.status, 'interrupted');
    assert.equal(client.pid, pid, 'same process');
    assert.equal(resultText(await run(client, 'counter')), '43');
    // The kernel still runs async work normally afterwards.
    assert.equal(resultText(await run(client, 'await new Promise((r) => setTimeout(() => r("later"), 5))')), "'later'");
  });

  it('aborts the signal of an async loop, which stops', async () => {
    const r = await runAndInterrupt(
      'let ticks = 0;\nwhile (!signal.aborted) {\n  await new Promise((r) => setTimeout(r, 2));\n  if (++ticks === 3) console.log("started");\n}\n"finished"',
    );
    assert.equal(r.done.status, 'interrupted');
    const settled = await run(client, 'const before = ticks;\nawait new Promise((r) => setTimeout(r, 50));\n[before > 0, ticks - before <= 1]');
    assert.equal(resultText(settled), '[ true, true ]');
  });

  it('survives repeated interrupts of async cells (no SIGINT lands between two awaits)', async () => {
    const pid = client.pid;
    for (let round = 0; round < 5; round++) {
      const r = await runAndInterrupt(
        'let spins = 0;\nfor (;;) {\n  if (signal.aborted) break;\n  await null;\n  if (++spins % 100 === 0) await new Promise((r) => setImmediate(r));\n  if (spins === 300) console.log("started");\n}',
      );
      assert.equal(r.done.status, 'interrupted');
    }
    assert.equal(client.pid, pid, 'same process');
    assert.equal(resultText(await run(client, 'typeof counter')), "'number'");
  });

  it('sends no SIGINT when the cell ends through its signal', async () => {
    await run(client, 'let sigints = 0;\nprocess.on("SIGINT", () => sigints++);');
    const r = await runAndInterrupt('console.log("started");\nwhile (!signal.aborted) await new Promise((r) => setTimeout(r, 5));');
    assert.equal(r.done.status, 'interrupted');
    // Longer than the client's grace period before it would send SIGINT.
    assert.equal(resultText(await run(client, 'await new Promise((r) => setTimeout(r, 600));\nsigints')), '0');
  });
});
