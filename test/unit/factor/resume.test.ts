// The comparison's resumable runs: what is skipped, what is trained, what is published, with
// fake runs (a trainOne that writes a metrics.json or fails) instead of training.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isComplete, planRuns, runComparison, type PlannedRun } from '../../../src/lab/experiments/factor-vae/resume';

const metrics = (name: string) => JSON.stringify({ name, disentanglement: { recon: 30, factorVae: 0.5, betaVae: 0.6 } });

/** A fake trainer: writes metrics.json (and a model file) unless told to fail; counts concurrency. */
function fakeTrainer(fail: Set<string> = new Set(), noMetrics: Set<string> = new Set()) {
  const calls: string[] = [];
  let running = 0,
    maxRunning = 0;
  const trainOne = async (run: PlannedRun, folder: string): Promise<boolean> => {
    calls.push(run.name);
    running++;
    maxRunning = Math.max(maxRunning, running);
    assert.deepEqual(fs.readdirSync(folder), [], `${run.name} starts in an empty folder`);
    await new Promise((r) => setTimeout(r, 5));
    fs.writeFileSync(path.join(folder, 'train.log'), 'log');
    fs.mkdirSync(path.join(folder, 'model'));
    if (!noMetrics.has(run.name) && !fail.has(run.name)) fs.writeFileSync(path.join(folder, 'metrics.json'), metrics(run.name));
    running--;
    return !fail.has(run.name);
  };
  return { trainOne, calls, maxRunning: () => maxRunning };
}

test('planRuns: every model and seed, seed by seed, FactorVAE first within a seed, each in its own folder', () => {
  const runs = planRuns('/o', 2);
  assert.equal(runs.length, 10);
  assert.deepEqual(
    runs.slice(0, 5).map((r) => r.name),
    ['factor-vae-10-s0', 'factor-vae-40-s0', 'beta-vae-1-s0', 'beta-vae-4-s0', 'beta-vae-16-s0'],
  );
  assert.ok(runs.slice(5).every((r) => r.seed === 1));
  assert.equal(new Set(runs.map((r) => r.dir)).size, 10);
  assert.equal(runs[0].dir, path.join('/o', 'factor-vae-10-s0'));
  assert.equal(runs[0].partialDir, path.join('/o', '.partial', 'factor-vae-10-s0'));
});

test('runComparison: skips complete runs, trains the rest from empty folders, publishes only runs with metrics.json, and a second start finishes the failures', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fvae-resume-'));
  try {
    const runs = planRuns(out, 2);
    // Three runs already complete (from an earlier session).
    const complete = ['beta-vae-1-s0', 'factor-vae-40-s0', 'beta-vae-16-s1'];
    for (const name of complete) {
      fs.mkdirSync(path.join(out, name), { recursive: true });
      fs.writeFileSync(path.join(out, name, 'metrics.json'), metrics(name));
    }
    // An interrupted attempt left a partial folder; a folder without metrics.json is not complete.
    fs.mkdirSync(path.join(out, '.partial', 'factor-vae-10-s0', 'model'), { recursive: true });
    fs.writeFileSync(path.join(out, '.partial', 'factor-vae-10-s0', 'train.log'), 'stale');
    fs.mkdirSync(path.join(out, 'beta-vae-4-s0'));
    fs.writeFileSync(path.join(out, 'beta-vae-4-s0', 'stale.txt'), 'old');

    const first = fakeTrainer(new Set(['beta-vae-4-s1']), new Set(['factor-vae-10-s1']));
    const p1 = await runComparison(runs, 2, first.trainOne);
    assert.deepEqual(p1.skipped.sort(), [...complete].sort());
    assert.equal(first.calls.length, 7, 'only the incomplete runs are trained');
    assert.ok(!first.calls.some((n) => complete.includes(n)));
    assert.equal(first.maxRunning(), 2, 'two jobs at a time');
    assert.deepEqual(p1.failed.sort(), ['beta-vae-4-s1', 'factor-vae-10-s1']);
    assert.equal(p1.done.length, 5);
    for (const name of p1.done) {
      assert.ok(isComplete(path.join(out, name)), name);
      assert.ok(!fs.existsSync(path.join(out, '.partial', name)), `${name}'s partial folder became its run folder`);
    }
    assert.ok(!fs.existsSync(path.join(out, 'beta-vae-4-s0', 'stale.txt')), 'an incomplete run folder is replaced, not merged');
    for (const name of p1.failed) {
      assert.ok(!fs.existsSync(path.join(out, name)), `${name} is not published`);
      assert.ok(fs.existsSync(path.join(out, '.partial', name, 'train.log')), `${name}'s log stays for reading`);
    }
    // The complete runs were not touched.
    for (const name of complete) assert.equal(JSON.parse(fs.readFileSync(path.join(out, name, 'metrics.json'), 'utf8')).name, name);

    const second = fakeTrainer();
    const p2 = await runComparison(runs, 2, second.trainOne);
    assert.deepEqual(second.calls.sort(), ['beta-vae-4-s1', 'factor-vae-10-s1']);
    assert.equal(p2.skipped.length, 8);
    assert.ok(runs.every((r) => isComplete(r.dir)));

    const third = fakeTrainer();
    const p3 = await runComparison(runs, 2, third.trainOne);
    assert.deepEqual([third.calls.length, p3.skipped.length, p3.failed.length], [0, 10, 0]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('runComparison: one job trains one run at a time', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fvae-resume-'));
  try {
    const t = fakeTrainer();
    const p = await runComparison(planRuns(out, 1), 1, t.trainOne);
    assert.deepEqual([t.maxRunning(), p.done.length], [1, 5]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
