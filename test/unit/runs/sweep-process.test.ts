/**
 * The host's side of `vae-lab sweep`: spec files, the argv it passes (arrays, no shell), and
 * Cancel ending the driver and the jobs it started even when `sweep cancel` stops nothing
 * (a stand-in CLI here: the real one is tested by the sweeps suite and the e2e).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultOutFolder, onPath, parseSweepSpec } from '../../../src/extension/runs/spec';
import { cliCommand, SweepProcess, sweepRunArgs } from '../../../src/extension/runs/sweepProcess';
import { pidAlive } from '../../../src/lab/jobs/files';

test('sweep spec files: a "grid" object is required; the name comes from the spec, else the file', () => {
  assert.deepEqual(parseSweepSpec('{"name":"cr-seeds","grid":{"seed":[1,2]}}', '/x/a.json'), { name: 'cr-seeds' });
  assert.deepEqual(parseSweepSpec('{"grid":{"seed":[1]}}', '/x/my-grid.json'), { name: 'my-grid' });
  assert.match((parseSweepSpec('{"name":"x"}', '/x/p.json') as { error: string }).error, /needs a "grid" object/);
  assert.match((parseSweepSpec('{"grid":[1]}', '/x/p.json') as { error: string }).error, /needs a "grid" object/);
  assert.deepEqual(parseSweepSpec('{"name":"rows","grid":[{"seed":[1]},{"seed":[1],"cr":[true]}]}', '/x/r.json'), { name: 'rows' });
  assert.match((parseSweepSpec('{', '/x/p.json') as { error: string }).error, /p\.json is not valid JSON/);
  assert.equal(defaultOutFolder('cr seeds/β'), 'vae-lab-runs/cr-seeds-');
  assert.equal(defaultOutFolder('..'), 'vae-lab-runs/sweep');
});

test('sweep argv: the issue surface, as an array', () => {
  assert.deepEqual(sweepRunArgs('s.json', '/o'), ['sweep', 'run', 's.json', '--out', '/o', '--executor', 'local']);
  assert.deepEqual(sweepRunArgs('s.json', '/o', 'slurm', { jobs: 2, retryFailed: true }), [
    'sweep',
    'run',
    's.json',
    '--out',
    '/o',
    '--executor',
    'slurm',
    '--jobs',
    '2',
    '--retry-failed',
  ]);
  const c = cliCommand({ cliScript: '/ext/dist/cli.js', nodePath: '/opt/node', env: { A: '1' } }, ['sweep', 'status', '/o']);
  assert.equal(c.command, '/opt/node');
  assert.deepEqual(c.args, ['/ext/dist/cli.js', 'sweep', 'status', '/o']);
  assert.equal(c.env.A, '1');
});

test('onPath finds executables only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onpath-'));
  writeFileSync(join(dir, 'sbatch'), '#!/bin/sh\n');
  writeFileSync(join(dir, 'plain'), 'x');
  chmodSync(join(dir, 'sbatch'), 0o755);
  assert.equal(onPath('sbatch', dir), true);
  assert.equal(onPath('plain', dir), false);
  assert.equal(onPath('sbatch', ''), false);
});

test('cancel ends the driver and the job it started, even when `sweep cancel` stops nothing', { skip: process.platform === 'win32' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-proc-'));
  const cli = join(dir, 'cli.js');
  // A driver that starts one long job (its child) and waits; `sweep cancel` records that it was asked, and does nothing.
  writeFileSync(
    cli,
    `const { spawn } = require('node:child_process'); const fs = require('node:fs');
const [cmd, sub, a, , out] = process.argv.slice(2);
if (sub === 'cancel') { fs.writeFileSync(a + '/cancel-asked', ''); process.exit(0); }
fs.mkdirSync(out, { recursive: true });
const job = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
fs.writeFileSync(out + '/job.pid', String(job.pid));
console.log('driver up');
setInterval(() => {}, 1000);
`,
  );
  const out = join(dir, 'out');
  mkdirSync(out);
  let output = '';
  const p = new SweepProcess({ cliScript: cli }, sweepRunArgs('spec.json', out), (t) => (output += t));
  const deadline = Date.now() + 10_000;
  while (!existsSync(join(out, 'job.pid')) || !output.includes('driver up')) {
    if (Date.now() > deadline) assert.fail('the stand-in driver did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const jobPid = Number(readFileSync(join(out, 'job.pid'), 'utf8'));
  assert.ok(pidAlive(jobPid));
  const ended = await p.cancel([out], 300);
  assert.ok(existsSync(join(out, 'cancel-asked')), 'the engine was asked first');
  assert.equal(ended.signal, 'SIGTERM');
  assert.equal(p.running, false);
  const gone = Date.now() + 5000;
  while (pidAlive(jobPid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
  assert.equal(pidAlive(jobPid), false, "the job in the driver's process group ended with it");
});
