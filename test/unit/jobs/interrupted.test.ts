/**
 * A driver killed with -9 leaves its job `running` with nobody to write its end. The job records
 * its driver's pid and host, so `vae-lab sweep status` shows it as interrupted, and the next
 * `sweep run` stops the training process it left behind and runs the job again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, tempDir, vaeLab } from './helpers';
import { interruptedReason, jobDir, loadSweep, pidAlive, readJobStatus, runSweep, type JobStatus } from '../../../src/lab/jobs';
import { driverSpec } from './fake-driver';

test('interruptedReason: a local running job of this host whose driver or process is gone; not a live one, a Slurm one or another host', () => {
  const host = hostname();
  const running: JobStatus = { state: 'running', attempt: 1, executor: 'local', host, pid: 10, driver: { pid: 20, host } };
  const alive = (dead: number[]) => (pid: number) => !dead.includes(pid);
  assert.equal(interruptedReason(running, { alive: alive([]) }), undefined);
  assert.match(interruptedReason(running, { alive: alive([20]) }) ?? '', /driver \(pid 20 on .*\) is gone/);
  assert.match(interruptedReason(running, { alive: alive([10]) }) ?? '', /process \(pid 10\) is gone/);
  assert.equal(interruptedReason({ ...running, executor: 'slurm' }, { alive: alive([10, 20]) }), undefined);
  assert.equal(interruptedReason({ ...running, host: 'elsewhere', driver: { pid: 20, host: 'elsewhere' } }, { alive: alive([10, 20]) }), undefined);
  assert.equal(interruptedReason({ ...running, state: 'done' }, { alive: alive([10, 20]) }), undefined);
});

test('a driver killed with -9: status shows its job interrupted; the next sweep run stops the orphan and finishes the job', async () => {
  ensureBuilt();
  const dir = tempDir('vae-lab-killed-');
  const file = join(dir, 'go');
  const driver = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fake-driver.ts'), dir, file], { stdio: 'ignore' });
  let s: JobStatus | undefined;
  for (let i = 0; i < 600 && !(s?.state === 'running' && s.pid); i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      s = readJobStatus(jobDir(dir, loadSweep(dir).jobs[0].id));
    } catch {
      /* sweep.json not written yet */
    }
  }
  assert.equal(s?.state, 'running');
  assert.deepEqual(s?.driver, { pid: driver.pid, host: hostname() }, "the driver's pid and host are recorded");
  const orphan = s!.pid!;
  assert.equal(interruptedReason(s!), undefined, 'running while its driver lives');
  driver.kill('SIGKILL');
  await new Promise((r) => driver.once('exit', r));
  assert.ok(pidAlive(orphan), 'the training process outlives its driver');
  const id = loadSweep(dir).jobs[0].id;
  assert.match(interruptedReason(readJobStatus(jobDir(dir, id))) ?? '', new RegExp(`driver \\(pid ${driver.pid} on`));
  const st = vaeLab(['sweep', 'status', dir]);
  assert.equal(st.status, 0, st.stderr);
  assert.match(st.stdout, /0 running.*1 interrupted/);
  assert.match(st.stdout, new RegExp(`interrupted +${id} +interrupted: its driver`));
  writeFileSync(file, '');
  const again = await runSweep(driverSpec(file), dir, { cli: join(__dirname, 'fake-cli.mjs'), jobs: 1 });
  assert.equal(again.counts.done, 1);
  assert.equal(readJobStatus(jobDir(dir, id)).attempt, 2);
  for (let i = 0; i < 40 && pidAlive(orphan); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(!pidAlive(orphan), 'the orphan was stopped before the job ran again');
});
