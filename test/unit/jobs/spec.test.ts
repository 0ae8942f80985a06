/**
 * Sweep specs: checked against `vae-lab train`'s own flag table before anything runs (the key
 * named, the nearest flag suggested), expanded one job per grid combination, with ids that are
 * stable, distinct and safe as folder names, and argv arrays that never pass through a shell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpec, expandSpec, jobArgv } from '../../../src/lab/jobs';
import { UnknownNameError } from '../../../src/lab/core/errors';
import { trainFlags } from '../../../src/cli/flags';
import { parseFlags } from '../../../src/cli/args';

const commands = { train: trainFlags() };
const spec = (over: Record<string, unknown> = {}) => ({
  name: 'cr-seeds',
  command: 'train',
  base: { model: 'vae', dataset: 'mnist', preset: 'quick' },
  grid: { seed: [1, 2, 3], cr: [false, true] },
  ...over,
});

test("the issue's example expands to 6 jobs, seed varying slowest, base in every job", () => {
  const f = expandSpec(checkSpec(spec(), commands));
  assert.equal(f.jobs.length, 6);
  assert.deepEqual(
    f.jobs.map((j) => [j.params.seed, j.params.cr]),
    [
      [1, false],
      [1, true],
      [2, false],
      [2, true],
      [3, false],
      [3, true],
    ],
  );
  for (const j of f.jobs) assert.equal(j.params.model, 'vae');
});

test('job ids: stable across expansions, distinct, folder-safe, and different when base differs', () => {
  const a = expandSpec(checkSpec(spec(), commands)).jobs.map((j) => j.id);
  const again = expandSpec(checkSpec(spec(), commands)).jobs.map((j) => j.id);
  assert.deepEqual(a, again);
  assert.equal(new Set(a).size, a.length);
  for (const id of a) assert.match(id, /^[A-Za-z0-9._-]+$/);
  assert.ok(a[0].startsWith('seed-1_cr-false-'), a[0]);
  const other = expandSpec(checkSpec(spec({ base: { model: 'iwae', dataset: 'mnist', preset: 'quick' } }), commands)).jobs.map((j) => j.id);
  for (const id of other) assert.ok(!a.includes(id));
  const odd = expandSpec(checkSpec(spec({ grid: { 'data-dir': ['../a b/c', '/x;rm -rf ~'] } }), commands)).jobs.map((j) => j.id);
  for (const id of odd) assert.match(id, /^[A-Za-z0-9._-]+$/);
  assert.notEqual(odd[0], odd[1]);
});

test('argv: true is the flag, false leaves it out, values stay one word each and parse back to the params', () => {
  const params = { model: 'vae', cr: true, aug: false, seed: 3, 'data-dir': '--evil value; rm -rf /' };
  const argv = jobArgv('train', params, '/tmp/out');
  assert.equal(argv[0], 'train');
  assert.ok(!argv.some((a) => a.startsWith('--aug')));
  const back = parseFlags(argv.slice(1), trainFlags());
  assert.deepEqual(back, { model: 'vae', cr: true, seed: 3, 'data-dir': '--evil value; rm -rf /', out: '/tmp/out' });
});

test('an unknown flag is refused naming the key and the nearest flag', () => {
  assert.throws(
    () => checkSpec(spec({ grid: { sed: [1, 2] } }), commands),
    (e: unknown) => e instanceof UnknownNameError && /grid key/.test(e.message) && /'sed'/.test(e.message) && e.suggestion === 'seed',
  );
  assert.throws(() => checkSpec(spec({ base: { modle: 'vae' } }), commands), /base key.*'modle'.*Did you mean 'model'/);
});

test('empty lists, out-of-range and wrongly typed values, duplicates and reserved keys are refused naming the key', () => {
  assert.throws(() => checkSpec(spec({ grid: { seed: [] } }), commands), /grid\.seed must be a non-empty list/);
  assert.throws(() => checkSpec(spec({ grid: {} }), commands), /"grid" must be an object with at least one/);
  assert.throws(() => checkSpec(spec({ grid: { epochs: [1, 0] } }), commands), /grid\.epochs\[1\]: --epochs must be an integer >= 1, got 0/);
  assert.throws(() => checkSpec(spec({ grid: { lr: [0.001, 2] } }), commands), /grid\.lr\[1\]: --lr must be a number > 0 and <= 1/);
  assert.throws(() => checkSpec(spec({ grid: { cr: ['yes'] } }), commands), /grid\.cr\[0\]: --cr is a switch; use true .* or false/);
  assert.throws(() => checkSpec(spec({ grid: { seed: [1, 1] } }), commands), /grid\.seed lists a value twice/);
  assert.throws(() => checkSpec(spec({ base: { preset: 'quik' } }), commands), /value of base\.preset 'quik'.*Did you mean 'quick'/);
  assert.throws(() => checkSpec(spec({ base: { out: '/tmp/x' } }), commands), /--out is set by the sweep itself/);
  assert.throws(() => checkSpec(spec({ base: { seed: 1, model: 'vae' } }), commands), /grid\.seed: "seed" is also in base/);
  assert.throws(() => checkSpec(spec({ name: 'a b' }), commands), /"name" must be/);
  assert.throws(() => checkSpec(spec({ command: 'trian' }), commands), /Did you mean 'train'/);
});

test('a list of grids joins their jobs in order; a job made by two grids, or a bad grid in the list, is refused naming it', () => {
  const rows = spec({
    grid: [
      { seed: [0, 1, 2], cr: [false, true] },
      { seed: [0, 1, 2], aug: [true] },
      { seed: [0], beta: [0.5, 10] },
    ],
  });
  const f = expandSpec(checkSpec(rows, commands));
  assert.equal(f.jobs.length, 6 + 3 + 2);
  assert.deepEqual(
    f.jobs.slice(6).map((j) => [j.params.seed, j.params.aug ?? j.params.beta]),
    [
      [0, true],
      [1, true],
      [2, true],
      [0, 0.5],
      [0, 10],
    ],
  );
  assert.equal(new Set(f.jobs.map((j) => j.id)).size, f.jobs.length);
  // one grid in a list is the same sweep as that grid alone: same jobs, same ids
  assert.deepEqual(expandSpec(checkSpec(spec({ grid: [spec().grid] }), commands)).jobs, expandSpec(checkSpec(spec(), commands)).jobs);
  // cr false is the flag left out, so {seed 1} and {seed 1, cr false} are one job
  assert.throws(() => checkSpec(spec({ grid: [{ seed: [1] }, { seed: [1, 2], cr: [false] }] }), commands), /grid\[0\] and grid\[1\] both make the job/);
  assert.throws(() => checkSpec(spec({ grid: [] }), commands), /at least one flag name/);
  assert.throws(() => checkSpec(spec({ grid: [{ seed: [1] }, { sed: [2] }] }), commands), /grid\[1\] key.*seed/s);
  assert.throws(() => checkSpec(spec({ grid: [{ seed: [1] }, { epochs: [0] }] }), commands), /grid\[1\]\.epochs\[0\]/);
});
