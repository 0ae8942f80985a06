/**
 * `vae-lab sweep run --executor slurm` against a real single-node Slurm (Debian's slurmctld +
 * slurmd + munge), which scripts/slurm-start.sh installs and starts (idempotent: about 1 s when
 * already up). Runs as root or with passwordless sudo; anywhere else it skips and says why.
 * The jobs are tiny real `vae-lab train` runs on MNIST (a few seconds each).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobDir, readJobStatus, readSummary, readTasks, type SlurmRecord } from '../../../src/lab/jobs';
import { findDataset } from '../../../src/lab/data/locate';
import { cliPath, ensureBuilt, root, tinyBase, vaeLab, tempDir } from './helpers';

let skip: string | false = false;
const asRoot = process.getuid?.() === 0;
if (process.platform !== 'linux') skip = 'Slurm tests need Linux';
else if (!asRoot && spawnSync('sudo', ['-n', 'true']).status !== 0)
  skip = 'Slurm tests need root or passwordless sudo (scripts/slurm-start.sh installs and starts the daemons)';

before(() => {
  if (skip) return;
  ensureBuilt();
  const cmd = asRoot ? ['bash', [join(root, 'scripts/slurm-start.sh')]] : ['sudo', ['-n', 'bash', join(root, 'scripts/slurm-start.sh')]];
  const r = spawnSync(cmd[0] as string, cmd[1] as string[], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) skip = `scripts/slurm-start.sh failed (${r.status}): ${(r.stderr || r.stdout).trim().slice(-500)}`;
});

const tmp = () => tempDir('vae-lab-slurm-test-');
const specFile = (dir: string, spec: object) => {
  const f = join(dir, 'spec.json');
  writeFileSync(f, JSON.stringify({ command: 'train', ...spec }));
  return f;
};
const slurmRecord = (out: string) => JSON.parse(readFileSync(join(out, 'slurm.json'), 'utf8')) as SlurmRecord;
/** The process exists and is not a zombie (a daemon's parent here may be a PID 1 that does not reap). */
const alive = (pid: number) => {
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `vae-lab sweep run ... --executor slurm` in the background; resolves with its exit status and stderr. */
function driver(spec: string, out: string, extra: string[] = []) {
  const p = spawn(process.execPath, [cliPath, 'sweep', 'run', spec, '--out', out, '--executor', 'slurm', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  p.stdout.on('data', () => {});
  const done = new Promise<{ status: number | null; stderr: string }>((r) => p.on('close', (status) => r({ status, stderr })));
  return { done };
}

/** Waits until `n` jobs of the sweep report `running` in their own state.json (their tasks started). */
async function untilRunning(out: string, n: number): Promise<number[]> {
  for (let i = 0; i < 600; i++) {
    try {
      const file = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { jobs: { id: string }[] };
      const pids = file.jobs.map((j) => readJobStatus(jobDir(out, j.id))).flatMap((s) => (s.state === 'running' && s.pid ? [s.pid] : []));
      if (pids.length >= n) return pids;
    } catch {
      /* not written yet */
    }
    await sleep(100);
  }
  throw new Error(`${n} jobs never ran in ${out}`);
}

test('a grid finishes on Slurm with its states and exit codes in summary.json; a second run submits and trains nothing', (t) => {
  if (skip) return t.skip(skip);
  const dir = tmp();
  const spec = specFile(dir, { name: 'slurm-grid', base: tinyBase, grid: { seed: [1, 2, 3] } });
  const out = join(dir, 'out');
  const r = vaeLab(['sweep', 'run', spec, '--out', out, '--executor', 'slurm']);
  assert.equal(r.status, 0, r.stderr);
  const s = readSummary(out);
  assert.equal(s?.counts.done, 3);
  const jobId = slurmRecord(out).submissions[0].jobId;
  for (const j of s!.jobs) {
    assert.equal(j.slurm?.jobId, jobId);
    assert.equal(j.slurm?.state, 'COMPLETED');
    assert.equal(j.slurm?.exitCode, '0:0');
  }
  assert.deepEqual([...readTasks(jobId).keys()].sort(), [0, 1, 2]);
  const again = vaeLab(['sweep', 'run', spec, '--out', out, '--executor', 'slurm']);
  assert.equal(again.status, 0);
  assert.match(again.stderr, /3 jobs, 0 to run/);
  assert.equal(slurmRecord(out).submissions.length, 1, 'nothing submitted the second time');
  for (const j of s!.jobs) assert.equal(readJobStatus(join(out, j.dir)).attempt, 1);
});

test('a job that exits non-zero is reported failed with Slurm state and exit code; --retry-failed finishes it', (t) => {
  if (skip) return t.skip(skip);
  const dir = tmp();
  const later = join(dir, 'mnist-later');
  const spec = specFile(dir, { name: 'slurm-fail', base: { ...tinyBase, dataset: later }, grid: { seed: [1, 2] } });
  const out = join(dir, 'out');
  const r = vaeLab(['sweep', 'run', spec, '--out', out, '--executor', 'slurm']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /job seed-1-\w+ failed: .*does not exist/);
  const s = readSummary(out)!;
  for (const j of s.jobs) {
    assert.equal(j.state, 'failed');
    assert.equal(j.slurm?.state, 'FAILED');
    assert.equal(j.slurm?.exitCode, '1:0');
  }
  // The cause fixed: the IDX folder now exists.
  symlinkSync(findDataset('mnist', {})!.dir, later);
  const plain = vaeLab(['sweep', 'run', spec, '--out', out, '--executor', 'slurm']);
  assert.equal(plain.status, 1, 'a plain re-run leaves failed jobs alone');
  const retry = vaeLab(['sweep', 'run', spec, '--out', out, '--executor', 'slurm', '--retry-failed']);
  assert.equal(retry.status, 0, retry.stderr);
  assert.equal(readSummary(out)?.counts.done, 2);
  assert.equal(slurmRecord(out).submissions.length, 2);
});

test('cancel scancels every task: running ones stop, pending ones never start, all are recorded cancelled', async (t) => {
  if (skip) return t.skip(skip);
  const dir = tmp();
  // Long enough to be running when cancelled (minutes at this size); 3 tasks on 2 CPUs: one pends.
  const spec = specFile(dir, { name: 'slurm-cancel', base: { ...tinyBase, epochs: 500 }, grid: { seed: [1, 2, 3] } });
  const out = join(dir, 'out');
  const d = driver(spec, out);
  const pids = await untilRunning(out, 1);
  const c = vaeLab(['sweep', 'cancel', out]);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /scancel \d+/);
  const r = await d.done;
  assert.equal(r.status, 130, r.stderr);
  const s = readSummary(out)!;
  assert.deepEqual(
    s.jobs.map((j) => j.state),
    ['cancelled', 'cancelled', 'cancelled'],
  );
  const jobId = slurmRecord(out).submissions[0].jobId;
  for (const [, info] of readTasks(jobId)) assert.equal(info.state, 'CANCELLED');
  await sleep(500);
  for (const pid of pids) assert.ok(!alive(pid), `train process ${pid} stopped`);
});

test('slurmd killed with -9 and restarted while tasks run: no job is lost or run twice', async (t) => {
  if (skip) return t.skip(skip);
  const dir = tmp();
  const spec = specFile(dir, { name: 'slurm-slurmd', base: { ...tinyBase, epochs: 4, 'train-examples': 1024 }, grid: { seed: [1, 2] } });
  const out = join(dir, 'out');
  const d = driver(spec, out);
  await untilRunning(out, 1);
  const base = process.env.VAE_LAB_SLURM_DIR ?? '/tmp/vae-lab-slurm';
  const slurmd = Number(readFileSync(join(base, 'run/slurmd.pid'), 'utf8'));
  const sudo = (args: string[]) => (asRoot ? spawnSync(args[0], args.slice(1)) : spawnSync('sudo', ['-n', ...args]));
  sudo(['kill', '-9', String(slurmd)]);
  for (let i = 0; i < 50 && alive(slurmd); i++) await sleep(100);
  const gone = !alive(slurmd);
  // Restarted whatever happened above, so the next test (or user) finds a working node.
  const restart = sudo(['bash', join(root, 'scripts/slurm-start.sh')]);
  assert.ok(gone, 'slurmd was killed');
  assert.equal(restart.status, 0, String(restart.stderr));
  const r = await d.done;
  assert.equal(r.status, 0, r.stderr);
  const s = readSummary(out)!;
  assert.equal(s.counts.done, 2);
  for (const j of s.jobs) assert.equal(readJobStatus(join(out, j.dir)).attempt, 1, 'each job ran once');
});

test('a requeued task runs its job again (attempt 2, Slurm restart 1) and the sweep still finishes', async (t) => {
  if (skip) return t.skip(skip);
  const dir = tmp();
  const spec = specFile(dir, { name: 'slurm-requeue', base: { ...tinyBase, epochs: 6, 'train-examples': 1024 }, grid: { seed: [1] } });
  const out = join(dir, 'out');
  const d = driver(spec, out);
  await untilRunning(out, 1);
  const jobId = slurmRecord(out).submissions[0].jobId;
  const rq = asRoot
    ? spawnSync('scontrol', ['requeue', `${jobId}_0`], { encoding: 'utf8' })
    : spawnSync('sudo', ['-n', 'scontrol', 'requeue', `${jobId}_0`], { encoding: 'utf8' });
  assert.equal(rq.status, 0, rq.stderr);
  // Slurm holds a requeued job back about two minutes (its BeginTime), long enough for the old
  // instance to be torn down; started early, a late kill meant for the old instance (same job id)
  // can hit the new one. So wait until the first attempt has ended and its train process is gone.
  const id0 = (JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { jobs: { id: string }[] }).jobs[0].id;
  for (let i = 0; i < 300; i++) {
    const st = readJobStatus(jobDir(out, id0));
    if (st.state !== 'running' && !(st.pid && alive(st.pid))) break;
    await sleep(100);
  }
  await sleep(2000);
  // For the test, start it now.
  const scontrol = (args: string[]) => (asRoot ? spawnSync('scontrol', args) : spawnSync('sudo', ['-n', 'scontrol', ...args]));
  for (let i = 0; i < 100 && readTasks(jobId).get(0)?.state !== 'RUNNING'; i++) {
    scontrol(['update', `JobId=${jobId}_0`, 'StartTime=now']);
    await sleep(200);
  }
  const r = await d.done;
  assert.equal(r.status, 0, r.stderr);
  const s = readSummary(out)!;
  assert.equal(s.jobs[0].state, 'done');
  const st = readJobStatus(join(out, s.jobs[0].dir));
  assert.equal(st.attempt, 2);
  assert.equal(st.slurm?.restarts, 1);
});
