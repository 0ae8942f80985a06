/**
 * Sittings: a sweep's done jobs grouped into the stretches of time they ran in, split where
 * nothing ran for the gap; read from the jobs' own state.json files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupSittings, prepareSweep, sittingsMarkdown, sittingsOf, writeJobStatus, jobDir } from '../../../src/lab/jobs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers';

const min = 60_000;
const t0 = Date.UTC(2026, 11, 6, 14, 0);

test('jobs side by side and back to back are one sitting; a pause longer than the gap starts another', () => {
  const s = groupSittings(
    [
      { id: 'c', start: t0 + 300 * min, end: t0 + 340 * min, host: 'b' },
      { id: 'a', start: t0, end: t0 + 60 * min, host: 'a' },
      { id: 'b', start: t0 + 10 * min, end: t0 + 70 * min, host: 'a' },
      { id: 'd', start: t0 + 90 * min, end: t0 + 100 * min, host: 'a' },
    ],
    30,
  );
  assert.equal(s.length, 2);
  assert.deepEqual(s[0].jobs, ['a', 'b', 'd']);
  assert.equal(s[0].from, t0);
  assert.equal(s[0].to, t0 + 100 * min);
  assert.equal(s[0].jobSeconds, (60 + 60 + 10) * 60);
  assert.deepEqual(s[1].hosts, ['b']);
  // with a 10-minute gap, d (20 min after b ended) is a sitting of its own
  assert.equal(
    groupSittings(
      [
        { id: 'a', start: t0, end: t0 + 60 * min },
        { id: 'd', start: t0 + 80 * min, end: t0 + 90 * min },
      ],
      10,
    ).length,
    2,
  );
  const md = sittingsMarkdown(s);
  assert.match(md, /sitting 1: 2026-12-06 14:00 to 15:40 UTC \(100 min wall, 3 jobs, 130 job-min, on a\)/);
  assert.match(md, /sitting 2: 2026-12-06 19:00 to 19:40 UTC/);
  assert.equal(sittingsMarkdown([]), 'No job has finished yet.');
});

test('sittingsOf reads a sweep folder: only done jobs (state done and a metrics.json) with both times count', () => {
  const dir = tempDir('sittings-');
  const file = prepareSweep({ name: 's', command: 'train', base: { model: 'vae' }, grid: { seed: [0, 1, 2] } }, dir);
  const [a, b, c] = file.jobs.map((j) => jobDir(dir, j.id));
  writeFileSync(join(a, 'metrics.json'), '{}');
  writeJobStatus(a, { state: 'done', attempt: 1, startedAt: t0, endedAt: t0 + 5 * min, host: 'h' });
  writeJobStatus(b, { state: 'failed', attempt: 1, startedAt: t0, endedAt: t0 + 1 * min, host: 'h' });
  writeJobStatus(c, { state: 'running', attempt: 1, startedAt: t0 + 2 * min, host: 'h' });
  const s = sittingsOf(dir);
  assert.equal(s.length, 1);
  assert.deepEqual(s[0].jobs, [file.jobs[0].id]);
  assert.throws(() => sittingsOf(tempDir('not-sweep-')), /not a sweep folder/);
});
