/**
 * The Runs view's model and the sweep follower, on folders written here in the job contract's
 * format (src/lab/jobs/files.ts): a finished sweep, a running one with a half-written events
 * line, a killed job, a lone run, Train CR-VAE's folder of two sweeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobEvent, JobStatus } from '../../../src/lab/jobs/files';
import {
  jobDescription,
  jobsOf,
  ProgressCache,
  readJob,
  readSweep,
  scanWorkspace,
  sweepDescription,
  treeSignature,
  type JobNode,
  type SweepNode,
} from '../../../src/extension/runs/model';
import { SweepFollower } from '../../../src/extension/runs/follower';

const HOST = 'test-host';
const live = new Set<number>([4242]);
const alive = (pid: number) => live.has(pid);

function writeJob(dir: string, o: { status?: JobStatus; events?: JobEvent[]; partial?: string; metrics?: boolean; log?: string }): void {
  mkdirSync(dir, { recursive: true });
  if (o.status) writeFileSync(join(dir, 'state.json'), JSON.stringify(o.status));
  if (o.events) writeFileSync(join(dir, 'events.jsonl'), o.events.map((e) => JSON.stringify(e) + '\n').join('') + (o.partial ?? ''));
  if (o.metrics) writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ test: { nll: 100 } }));
  if (o.log !== undefined) writeFileSync(join(dir, 'log.txt'), o.log);
}

function writeSweep(dir: string, name: string, ids: string[]): void {
  mkdirSync(join(dir, 'jobs'), { recursive: true });
  writeFileSync(
    join(dir, 'sweep.json'),
    JSON.stringify({ name, command: 'train', base: {}, grid: { seed: ids.map((_, i) => i) }, jobs: ids.map((id, i) => ({ id, params: { seed: i } })) }),
  );
}

const step = (s: number, total: number, loss: number): JobEvent => ({ t: s, type: 'step', step: s, totalSteps: total, epoch: 0, terms: { loss } });

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'runs-view-'));
  // A finished sweep: both jobs done with metrics.
  const fin = join(root, 'vae-lab-runs', 'finished');
  writeSweep(fin, 'quick-grid', ['seed-0', 'seed-1']);
  for (const id of ['seed-0', 'seed-1'])
    writeJob(join(fin, 'jobs', id), {
      status: { state: 'done', attempt: 1, executor: 'local' },
      events: [step(10, 10, 90), { t: 11, type: 'done' }],
      metrics: true,
      log: 'ok\n',
    });
  // A running sweep: one job mid-way (its last events line half-written), one queued (no folder yet),
  // one killed after its done event (state still running, process gone, no metrics).
  const run = join(root, 'vae-lab-runs', 'running');
  writeSweep(run, 'live-grid', ['a', 'b', 'c']);
  writeJob(join(run, 'jobs', 'a'), {
    status: { state: 'running', attempt: 1, executor: 'local', pid: 4242, host: HOST },
    events: [{ t: 0, type: 'phase', phase: 'train' }, step(40, 100, 120.5)],
    partial: '{"t":9,"type":"step","step":50,"tot',
    log: 'training\n',
  });
  writeJob(join(run, 'jobs', 'c'), {
    status: { state: 'running', attempt: 1, executor: 'local', pid: 999_999, host: HOST },
    events: [step(100, 100, 99), { t: 5, type: 'done' }],
  });
  // A lone run at the top of the workspace, and a plain folder that is no run.
  writeJob(join(root, 'my-run'), { status: { state: 'failed', attempt: 1, reason: 'exit code 1' }, log: 'boom\n' });
  mkdirSync(join(root, 'src'));
  // Train CR-VAE's layout: a folder of one sweep per model.
  const tr = join(root, 'vae-lab-runs', '2026-12-06-1200-crvae');
  writeSweep(join(tr, 'cr-vae'), 'cr-vae', ['seed-0']);
  writeJob(join(tr, 'cr-vae', 'jobs', 'seed-0'), { status: { state: 'done', attempt: 1 }, metrics: false });
  return root;
}

test('runs view model: sweeps, a Train CR-VAE folder and a lone run are found; plain folders are not', () => {
  const root = workspace();
  const nodes = scanWorkspace([root], { alive, host: HOST });
  assert.deepEqual(
    nodes.map((n) => `${n.kind}:${n.kind === 'job' ? n.id : n.name}`),
    ['folder:2026-12-06-1200-crvae', 'sweep:quick-grid', 'sweep:live-grid', 'job:my-run'],
  );
  const trainFolder = nodes[0];
  assert.ok(trainFolder.kind === 'folder' && trainFolder.children[0].kind === 'sweep');
  assert.equal(jobsOf(nodes).length, 2 + 3 + 1 + 1);
  const lone = nodes[3] as JobNode;
  assert.equal(lone.state, 'failed');
  assert.equal(jobDescription(lone), 'failed: exit code 1');
  assert.ok(lone.hasLog && !lone.hasMetrics);
});

test('runs view model: counts by state, progress from complete event lines only, killed jobs never done', () => {
  const root = workspace();
  const nodes = scanWorkspace([root], { alive, host: HOST });
  const fin = nodes[1] as SweepNode;
  assert.equal(fin.counts.done, 2);
  assert.equal(sweepDescription(fin), '2 done');
  const run = nodes[2] as SweepNode;
  const [a, b, c] = run.jobs;
  assert.equal(a.state, 'running');
  assert.equal(a.progress.step, 40, 'the half-written line is not read');
  assert.equal(jobDescription(a), 'running, step 40/100, epoch 1');
  assert.deepEqual(a.params, { seed: 0 });
  assert.equal(b.state, 'queued', 'a job of the spec without a folder yet is queued');
  // Its done event was written, then it was killed before state.json said done: not done.
  assert.equal(c.state, 'stopped');
  assert.notEqual(c.state, 'done');
  assert.match(jobDescription(c), /^stopped/);
  assert.equal(sweepDescription(run), '1 running, 1 queued, 1 stopped');
  // state.json says done but metrics.json is missing (killed between the two): failed, not done.
  const crv = (nodes[0] as { children: SweepNode[] }).children[0].jobs[0];
  assert.equal(crv.state, 'failed');
});

test('runs view model: a cache reads only new complete lines, and starts over when the file is rewritten', () => {
  const root = workspace();
  const dir = join(root, 'vae-lab-runs', 'running', 'jobs', 'a');
  const seen: number[] = [];
  const cache = new ProgressCache((_, events) => seen.push(events.length));
  assert.equal(cache.read(dir).step, 40);
  appendFileSync(join(dir, 'events.jsonl'), 'alSteps":100,"epoch":1,"terms":{"loss":110}}\n');
  assert.equal(cache.read(dir).step, 50, 'the line completed');
  assert.deepEqual(seen, [2, 1]);
  writeFileSync(join(dir, 'events.jsonl'), JSON.stringify(step(3, 100, 150)) + '\n');
  assert.equal(cache.read(dir).step, 3, 'a retry rewrote the file: read from the start');
});

test('follower: states and curves of the sweeps it follows, new points only once', () => {
  const root = workspace();
  const run = join(root, 'vae-lab-runs', 'running');
  const f = new SweepFollower([run], { alive, host: HOST });
  const sweeps = f.poll();
  assert.equal(sweeps[0].jobs.length, 3);
  assert.equal(f.ended, false);
  const charts = f.changedCharts((d) => d.split('/').pop()!);
  assert.deepEqual(charts.map((c) => c.dir.split('/').pop()).sort(), ['a', 'c']);
  const spec = charts.find((c) => c.dir.endsWith('a'))!.spec as { title: string; data: { values: { step: number; term: string; value: number }[] } };
  assert.equal(spec.title, 'a');
  assert.deepEqual(spec.data.values, [{ step: 40, term: 'loss', value: 120.5, kind: 'step' }]);
  f.poll();
  assert.deepEqual(f.changedCharts(String), [], 'nothing new: no chart update');
  // An epoch's end between two (sparse) step events: drawn at its own step, and the progress moves on.
  appendFileSync(
    join(run, 'jobs', 'a', 'events.jsonl'),
    'alSteps":100,"terms":{"loss":110}}\n' + JSON.stringify({ t: 10, type: 'epoch', epoch: 1, step: 55, terms: { loss: 108 } }) + '\n',
  );
  f.poll();
  const epochSpec = f.changedCharts(String)[0].spec as { data: { values: { step: number; kind: string }[] } };
  assert.deepEqual(
    epochSpec.data.values.filter((p) => p.kind === 'epoch').map((p) => p.step),
    [55],
  );
  assert.equal(f.jobs[0].progress.step, 55);
  // The running job finishes; the queued one is cancelled: every job has ended.
  writeJob(join(run, 'jobs', 'a'), { status: { state: 'done', attempt: 1 }, metrics: true });
  writeJob(join(run, 'jobs', 'b'), { status: { state: 'cancelled', attempt: 0, reason: 'sweep cancel' } });
  f.poll();
  assert.equal(f.ended, true);
  assert.equal(f.jobs[1].state, 'cancelled');
});

test('follower: start() reports changes made after it started (watch or poll)', async () => {
  const root = workspace();
  const run = join(root, 'vae-lab-runs', 'running');
  let latest: SweepNode[] = [];
  let calls = 0;
  const f = new SweepFollower([run], { alive, host: HOST, pollMs: 100, debounceMs: 20 }).start((s) => {
    latest = s;
    calls++;
  });
  try {
    assert.equal(calls, 1, 'a first read at once');
    appendFileSync(join(run, 'jobs', 'a', 'events.jsonl'), 'alSteps":100,"terms":{"loss":110}}\n' + JSON.stringify(step(60, 100, 105)) + '\n');
    const deadline = Date.now() + 5000;
    while (latest[0].jobs[0].progress.step !== 60) {
      if (Date.now() > deadline) assert.fail('the change was not seen');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    f.dispose();
  }
  const after = calls;
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(calls, after, 'no refresh after dispose');
  assert.equal(readSweep(run, { alive, host: HOST }).jobs[0].progress.step, 60);
});

test('runs view model: a job whose training process lives on but whose driver was killed with -9 reads stopped (nobody will write its end)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runs-driver-'));
  const status: JobStatus = { state: 'running', attempt: 1, executor: 'local', host: HOST, pid: 4001, driver: { pid: 4002, host: HOST } };
  writeFileSync(join(dir, 'state.json'), JSON.stringify(status));
  assert.equal(readJob(dir, 'j', undefined, undefined, { host: HOST, alive: (p) => p === 4001 || p === 4002 }).state, 'running');
  assert.equal(readJob(dir, 'j', undefined, undefined, { host: HOST, alive: (p) => p === 4001 }).state, 'stopped');
  assert.equal(readJob(dir, 'j', undefined, undefined, { host: 'another', alive: () => false }).state, 'running', "another machine's job is not judged here");
});

test('runs view model: the tree signature holds still while nothing changes, and moves with a new step or a state', () => {
  const root = workspace();
  const cache = new ProgressCache();
  const scan = () => treeSignature(scanWorkspace([root], { alive, host: HOST, cache }));
  const first = scan();
  assert.equal(scan(), first, 'a second scan of unchanged folders shows the same tree (no redraw)');
  const a = join(root, 'vae-lab-runs', 'running', 'jobs', 'a');
  appendFileSync(join(a, 'events.jsonl'), 'alSteps":100,"epoch":1,"terms":{"loss":110}}\n');
  const moved = scan();
  assert.notEqual(moved, first, 'a completed step line changes what the row shows');
  live.delete(4242);
  try {
    assert.notEqual(scan(), moved, 'the process ending (running -> stopped) changes it');
  } finally {
    live.add(4242);
  }
});
