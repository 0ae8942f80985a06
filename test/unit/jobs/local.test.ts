/**
 * The job engine on the local executor, with real child processes (fake-cli.mjs stands in for
 * `vae-lab train` and ends as its flags say): done only when the process exited 0 and left
 * metrics.json, failures named with their reason and log, a second run skipping done jobs,
 * --retry-failed re-running failed ones, cancel from another caller stopping every process,
 * events readable while and after a job runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers';
import {
  cancelSweep,
  checkSpec,
  failureReport,
  jobDir,
  loadSweep,
  readEvents,
  readJobStatus,
  readSummary,
  runSweep,
  type ParamSpec,
  type SweepSpec,
} from '../../../src/lab/jobs';

const cli = join(__dirname, 'fake-cli.mjs');
const flags: ParamSpec[] = [
  { name: 'mode', type: 'string', choices: ['ok', 'fail', 'nometrics', 'sleep', 'needs-file'] },
  { name: 'seed', type: 'number', range: { min: 0, integer: true } },
  { name: 'value', type: 'number', range: { min: 0 } },
  { name: 'file', type: 'string' },
];
const mk = (grid: Record<string, unknown>, base: Record<string, unknown> = {}): SweepSpec => checkSpec({ name: 't', base, grid }, { train: flags });
const tmp = () => tempDir('vae-lab-sweep-');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a grid runs to done on a pool of 2; summary.json groups by setting; a second run runs nothing', async () => {
  const dir = tmp();
  const spec = mk({ value: [1, 3], seed: [0, 1] }, { mode: 'ok' });
  const s = await runSweep(spec, dir, { cli, jobs: 2 });
  assert.equal(s.counts.done, 4);
  const onDisk = readSummary(dir);
  assert.deepEqual(onDisk?.counts, s.counts);
  assert.deepEqual(
    onDisk?.groups.map((g) => [g.key, g.n, g.metrics['nested.twice'].mean, g.metrics.seed.mean]),
    [
      ['value=1', 2, 2, 0.5],
      ['value=3', 2, 6, 0.5],
    ],
  );
  for (const j of s.jobs) {
    const st = readJobStatus(join(dir, j.dir));
    assert.equal(st.attempt, 1);
    assert.equal(st.exitCode, 0);
    const ev = readEvents(join(dir, j.dir)).events;
    assert.deepEqual(
      ev.map((e) => e.type),
      ['phase', 'step', 'step', 'step', 'done'],
    );
  }
  const log: string[] = [];
  const again = await runSweep(spec, dir, { cli, jobs: 2, log: (l) => log.push(l) });
  assert.equal(again.counts.done, 4);
  assert.match(log[0], /4 jobs, 0 to run/);
  for (const j of again.jobs) assert.equal(readJobStatus(join(dir, j.dir)).attempt, 1, 'a done job is not run again');
  const loaded = loadSweep(dir);
  assert.equal(Object.keys(loaded.metrics).length, 4);
});

test('done only when complete: exit 0 without metrics.json is failed; a non-zero exit is failed with its reason and log', async () => {
  const dir = tmp();
  const s = await runSweep(mk({ mode: ['ok', 'nometrics', 'fail'] }), dir, { cli, jobs: 3 });
  assert.deepEqual(
    s.jobs.map((j) => [j.params.mode, j.state]),
    [
      ['ok', 'done'],
      ['nometrics', 'failed'],
      ['fail', 'failed'],
    ],
  );
  assert.match(s.jobs[1].reason ?? '', /exited 0 without writing metrics\.json/);
  assert.match(s.jobs[2].reason ?? '', /the loss went to NaN/);
  assert.equal(readJobStatus(join(dir, s.jobs[2].dir)).exitCode, 3);
  const report = failureReport(dir, s);
  assert.match(report, /job mode-fail-\w+ failed: the loss went to NaN/);
  assert.match(report, /\| fake failure: the loss went to NaN/);
  // A state.json that says done without metrics.json (a hand-copied or truncated folder) reads failed.
  writeFileSync(join(dir, s.jobs[1].dir, 'state.json'), JSON.stringify({ state: 'done', attempt: 1 }));
  assert.equal(readJobStatus(join(dir, s.jobs[1].dir)).state, 'failed');
});

test('failed jobs are skipped on a plain re-run and re-run with retryFailed once their cause is fixed', async () => {
  const dir = tmp();
  const need = join(dir, 'data-ready');
  const spec = mk({ seed: [0, 1] }, { mode: 'needs-file', file: need });
  const first = await runSweep(spec, dir, { cli });
  assert.equal(first.counts.failed, 2);
  writeFileSync(need, '');
  const plain = await runSweep(spec, dir, { cli });
  assert.equal(plain.counts.failed, 2, 'without retryFailed the failed jobs stay failed');
  for (const j of plain.jobs) assert.equal(readJobStatus(join(dir, j.dir)).attempt, 1);
  const retried = await runSweep(spec, dir, { cli, retryFailed: true });
  assert.equal(retried.counts.done, 2);
  for (const j of retried.jobs) {
    assert.equal(readJobStatus(join(dir, j.dir)).attempt, 2);
    const log = readFileSync(join(dir, j.dir, 'log.txt'), 'utf8');
    assert.equal(log.match(/--- vae-lab sweep: job/g)?.length, 2, 'the log keeps both attempts');
  }
});

test('cancel from another caller stops every running process; the rest end cancelled; a re-run finishes them', async () => {
  const dir = tmp();
  const spec = mk({ seed: [0, 1, 2] }, { mode: 'sleep' });
  const run = runSweep(spec, dir, { cli, jobs: 2 });
  const ids = () => loadSweep(dir).jobs;
  let running: number[] = [];
  for (let i = 0; i < 200 && running.length < 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      running = ids()
        .map((j) => readJobStatus(jobDir(dir, j.id)))
        .filter((s) => s.state === 'running' && s.pid)
        .map((s) => s.pid as number);
    } catch {
      /* sweep.json not written yet */
    }
  }
  assert.equal(running.length, 2, 'two jobs running before the cancel');
  const r = cancelSweep(dir);
  assert.deepEqual(r.killed.sort(), [...running].sort());
  const s = await run;
  assert.deepEqual(
    s.jobs.map((j) => j.state),
    ['cancelled', 'cancelled', 'cancelled'],
  );
  assert.match(s.jobs[2].reason ?? '', /before it started/);
  for (const pid of running) assert.ok(!alive(pid), `process ${pid} is gone`);
  assert.ok(existsSync(join(dir, 'cancel-requested')));
  // The next run clears the cancel and runs cancelled jobs again (now finishing).
  const again = await runSweep(mk({ seed: [0, 1, 2] }, { mode: 'ok' }), dir, { cli, jobs: 2 });
  assert.equal(again.counts.done, 3);
});

test('an AbortSignal (Ctrl-C in the CLI) cancels the running jobs', async () => {
  const dir = tmp();
  const ac = new AbortController();
  const run = runSweep(mk({ seed: [0] }, { mode: 'sleep' }), dir, { cli, signal: ac.signal });
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (existsSync(join(dir, 'sweep.json')) && loadSweep(dir).counts.running === 1) break;
  }
  const pid = readJobStatus(jobDir(dir, loadSweep(dir).jobs[0].id)).pid as number;
  ac.abort();
  const s = await run;
  assert.equal(s.jobs[0].state, 'cancelled');
  assert.ok(!alive(pid));
});
