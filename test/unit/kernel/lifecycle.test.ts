/**
 * The kernel's life as the client sees it: a killed kernel ends its running cell with a clear
 * error and the next cell gets a fresh one (restart is the same kill + start); typeCheck 'error'
 * refuses to run a cell with type errors; a missing or old Node is reported with the setting
 * to change.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelClient, NodeNotFoundError, NodeTooOldError } from '../../../src/host/client';
import { ensureBuilt, kernelScript, resultText, run } from './helpers';

const clients: KernelClient[] = [];
function newClient(extra: Partial<ConstructorParameters<typeof KernelClient>[0]> = {}): KernelClient {
  ensureBuilt();
  const c = new KernelClient({ kernelScript, notebookDir: mkdtempSync(join(tmpdir(), 'vae-lab-life-')), backend: 'cpu', ...extra });
  clients.push(c);
  return c;
}
after(() => clients.forEach((c) => c.dispose()));

describe('kernel lifecycle', () => {
  it('turns a kernel killed mid-cell into an error, then runs the next cell in a fresh kernel', async () => {
    const client = newClient();
    await run(client, '(globalThis as any).marker = 1;');
    const firstPid = client.pid!;
    const r = await run(client, 'console.log("started");\nawait new Promise(() => {});', (m) => {
      if (m.type === 'stream' && m.text.includes('started')) process.kill(firstPid, 'SIGKILL');
    });
    assert.equal(r.done.status, 'error');
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].ename, 'KernelDiedError');
    assert.match(r.errors[0].evalue, /died.*SIGKILL/);
    assert.match(r.errors[0].evalue, /fresh kernel/);
    // A fresh process: the old one's globals are gone.
    const next = await run(client, 'typeof (globalThis as any).marker + " " + (1 + 1)');
    assert.equal(next.done.status, 'ok');
    assert.match(resultText(next) ?? '', /undefined 2/);
    assert.notEqual(client.pid, firstPid);
  });

  it("does not run a cell with a type error when typeCheck is 'error'", async () => {
    const client = newClient({ typeCheck: 'error' });
    const r = await run(client, '(globalThis as any).ran = true;\nconst n: number = "x";');
    assert.equal(r.done.status, 'error');
    assert.equal(r.diagnostics.length, 1);
    assert.match(r.errors[0].evalue, /type error/i);
    assert.equal(resultText(await run(client, '(globalThis as any).ran === undefined')), 'true');
  });

  it('says which setting to change when Node is missing or too old', async () => {
    const missing = newClient({ nodePath: '/no/such/node' });
    await assert.rejects(missing.start(), (err: Error) => err instanceof NodeNotFoundError && /vaeLab\.nodePath/.test(err.message));
    const dir = mkdtempSync(join(tmpdir(), 'vae-lab-oldnode-'));
    const old = join(dir, 'node');
    writeFileSync(old, '#!/bin/sh\necho 18.19.0\n');
    chmodSync(old, 0o755);
    const tooOld = newClient({ nodePath: old });
    await assert.rejects(
      tooOld.start(),
      (err: Error) => err instanceof NodeTooOldError && /v18\.19\.0/.test(err.message) && /vaeLab\.nodePath/.test(err.message),
    );
  });
});
