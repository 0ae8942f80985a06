/**
 * experiments.notebookSweep, the way a notebook gets its runs, with real child processes
 * (test/unit/jobs/fake-cli.mjs stands in for `vae-lab train`): a folder nothing ran in reads as
 * every job missing; a run again tries failed jobs again; VAE_LAB_RUNS_DIR is read, never run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { experiments } from '../../../src/lab';
import { tempDir } from '../jobs/helpers';

const cli = join(__dirname, '../jobs/fake-cli.mjs');

test('notebookSweep: nothing ran yet reads as every job missing; failed jobs run again on the next run; the env folder is only read', async () => {
  const dir = tempDir('vae-lab-nbsweep-');
  const need = join(dir, 'need');
  const specFile = join(dir, 'spec.json');
  writeFileSync(specFile, JSON.stringify({ name: 'nb', command: 'train', base: { mode: 'needs-file', file: need }, grid: { seed: [0, 1] } }));
  const outDir = join(dir, 'runs');
  const o = { specFile, outDir, cli, jobs: 2, log: () => {}, env: {} };
  const none = await experiments.notebookSweep({ ...o, train: false });
  assert.equal(none.source, 'read');
  assert.deepEqual(
    none.missing.map((m) => m.state),
    ['queued', 'queued'],
  );
  const failed = await experiments.notebookSweep(o);
  assert.deepEqual(
    failed.missing.map((m) => m.state),
    ['failed', 'failed'],
  );
  writeFileSync(need, '');
  const env = await experiments.notebookSweep({ ...o, env: { [experiments.RUNS_DIR_ENV]: outDir } });
  assert.equal(env.source, 'env');
  assert.equal(env.missing.length, 2, 'the env folder is read, nothing runs');
  const ran = await experiments.notebookSweep(o);
  assert.equal(ran.source, 'ran');
  assert.deepEqual(ran.missing, [], 'the failed jobs ran again');
  assert.equal(ran.sweep.counts.done, 2);
  assert.deepEqual(
    ran.sweep.jobs.map((j) => (ran.sweep.metrics[j.id] as { seed: number }).seed),
    [0, 1],
  );
  const kept = await experiments.notebookSweep({ ...o, retryFailed: false, train: false });
  assert.equal(kept.sweep.counts.done, 2);
});
