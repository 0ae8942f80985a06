/**
 * `vae-lab sweep` end to end on the local executor with real `vae-lab train` children: a bad
 * spec is refused before anything runs (exit 2, the key named), a tiny grid trains to done with
 * typed events in every job folder, `status` reports it, and the exit status says done / failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEvents, readSummary } from '../../../src/lab/jobs';
import { ensureBuilt, tinyBase, vaeLab, tempDir } from './helpers';

ensureBuilt();
const tmp = () => tempDir('vae-lab-sweep-cli-');
const specFile = (dir: string, spec: object) => {
  const f = join(dir, 'spec.json');
  writeFileSync(f, JSON.stringify(spec));
  return f;
};

test('a spec with an unknown flag, an empty list or an out-of-range value is refused with the key named; nothing is created', () => {
  const dir = tmp();
  const cases: [object, RegExp][] = [
    [{ seeed: [1] }, /grid key .*'seeed'.*Did you mean 'seed'/],
    [{ seed: [] }, /grid\.seed must be a non-empty list/],
    [{ latent: [0] }, /grid\.latent\[0\]: --latent must be an integer >= 1/],
  ];
  for (const [grid, msg] of cases) {
    const r = vaeLab(['sweep', 'run', specFile(dir, { name: 'bad', command: 'train', base: tinyBase, grid }), '--out', join(dir, 'out')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.ok(!existsSync(join(dir, 'out')));
  }
  const r = vaeLab(['sweep', 'run', specFile(dir, { name: 'x', base: tinyBase, grid: { seed: [1] } }), '--out', join(dir, 'o'), '--partition', 'p']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--partition is a Slurm option; add --executor slurm/);
});

test('a tiny MNIST grid trains to done on 2 processes, with phase/step/done events; status and a second run agree', () => {
  const dir = tmp();
  const spec = specFile(dir, { name: 'cr-tiny', command: 'train', base: tinyBase, grid: { cr: [false, true] } });
  const out = join(dir, 'out');
  const r = vaeLab(['sweep', 'run', spec, '--out', out, '--jobs', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2\/2 done, 0 failed/);
  const s = readSummary(out);
  assert.ok(s);
  assert.deepEqual(
    s.groups.map((g) => [g.key, g.n]),
    [
      ['cr=false', 1],
      ['cr=true', 1],
    ],
  );
  assert.ok(s.groups[1].metrics['test.nll'].mean > 0);
  for (const j of s.jobs) {
    const ev = readEvents(join(out, j.dir)).events;
    const phases = ev.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
    assert.deepEqual(phases, ['load', 'train', 'evaluate']);
    const steps = ev.filter((e) => e.type === 'step');
    assert.ok(steps.length >= 1);
    const last = steps[steps.length - 1];
    assert.ok(last.type === 'step' && last.step === last.totalSteps, 'the last step is recorded');
    assert.equal(ev[ev.length - 1].type, 'done');
  }
  const st = vaeLab(['sweep', 'status', out]);
  assert.equal(st.status, 0);
  assert.match(st.stdout, /2 jobs: 2 done/);
  const again = vaeLab(['sweep', 'run', spec, '--out', out]);
  assert.equal(again.status, 0);
  assert.match(again.stderr, /2 jobs, 0 to run/);
});

test('a job that fails makes the run exit 1 and is named with its log tail', () => {
  const dir = tmp();
  const spec = specFile(dir, { name: 'fails', command: 'train', base: { ...tinyBase, dataset: join(dir, 'no-such-idx-folder') }, grid: { seed: [1] } });
  const r = vaeLab(['sweep', 'run', spec, '--out', join(dir, 'out')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /job seed-1-\w+ failed: /);
  assert.match(r.stderr, /last lines:\n\s+\| /);
  assert.match(r.stderr, /--retry-failed/);
});
