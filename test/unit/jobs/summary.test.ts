/**
 * The sweep summary's maths: numeric leaves by dotted path, mean and standard error over each
 * setting's done jobs (the params without the seed), failed and running jobs counted but not averaged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanSe, numericLeaves, summarize, type JobRecord } from '../../../src/lab/jobs';

test('numeric leaves: nested objects by dotted path; arrays, strings and non-finite numbers left out', () => {
  assert.deepEqual(numericLeaves({ test: { nll: 90.5, K: 5 }, tTest: { nll: 91 }, curve: [1, 2], backend: 'wasm', bad: NaN, seconds: 3 }), {
    'test.nll': 90.5,
    'test.K': 5,
    'tTest.nll': 91,
    seconds: 3,
  });
});

test('mean and standard error: se = sample sd / sqrt(n); one value has no se', () => {
  const xs = [2, 4, 9];
  const s = meanSe(xs);
  const mean = (2 + 4 + 9) / 3;
  const sd = Math.sqrt(((2 - mean) ** 2 + (4 - mean) ** 2 + (9 - mean) ** 2) / 2);
  assert.equal(s.n, 3);
  assert.ok(Math.abs(s.mean - mean) < 1e-12);
  assert.ok(Math.abs((s.se as number) - sd / Math.sqrt(3)) < 1e-12);
  assert.deepEqual(meanSe([7]), { mean: 7, se: null, n: 1 });
});

test('groups: one per setting without the seed; only done jobs with metrics count', () => {
  const job = (id: string, seed: number, cr: boolean, state: JobRecord['state'], nll?: number): JobRecord => ({
    id,
    params: { model: 'vae', seed, cr },
    state,
    dir: `jobs/${id}`,
    ...(nll !== undefined ? { metrics: { test: { nll } } } : {}),
  });
  const s = summarize('t', [
    job('a', 1, false, 'done', 90),
    job('b', 1, true, 'done', 88),
    job('c', 2, false, 'done', 94),
    job('d', 2, true, 'failed'),
    job('e', 3, false, 'running'),
    job('f', 3, true, 'done', 86),
  ]);
  assert.deepEqual(s.counts, { queued: 0, running: 1, done: 4, failed: 1, cancelled: 0 });
  assert.deepEqual(
    s.groups.map((g) => [g.key, g.n, g.jobs]),
    [
      ['cr=false', 2, ['a', 'c', 'e']],
      ['cr=true', 2, ['b', 'd', 'f']],
    ],
  );
  assert.deepEqual(s.groups[0].params, { model: 'vae', cr: false });
  assert.equal(s.groups[0].metrics['test.nll'].mean, 92);
  assert.equal(s.groups[1].metrics['test.nll'].mean, 87);
  assert.equal(s.groups[1].metrics['test.nll'].se, Math.sqrt(2 / 2));
  assert.equal(s.jobs.find((j) => j.id === 'a')?.['metrics' as keyof object], undefined);
});

test('a sweep over seeds only is one group named "all"', () => {
  const s = summarize(
    't',
    [1, 2].map((seed) => ({ id: `s${seed}`, params: { seed, model: 'vae' }, state: 'done' as const, dir: '', metrics: { x: seed } })),
  );
  assert.equal(s.groups.length, 1);
  assert.equal(s.groups[0].key, 'all');
  assert.equal(s.groups[0].metrics.x.mean, 1.5);
});
