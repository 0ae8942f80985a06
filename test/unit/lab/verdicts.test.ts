import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../../src/lab/core/random';
import { VerdictLog } from '../../../src/lab/experiments/verdicts';
import { estimate, tCritical, verdictRow } from '../../../src/lab/metrics/stats';

test('the rule never gives a firm verdict that the before-stop check would flag (n < 3, failing precondition, |effect| / se < t(df))', () => {
  const rng = new Rng(5);
  let firm = 0;
  for (let k = 0; k < 3000; k++) {
    const n = 1 + rng.int(6);
    const d = Array.from({ length: n }, () => rng.uniform(-1, 3) * rng.uniform(0, 1));
    const v = rng.next() < 0.5 ? d.map(() => rng.uniform(0, 0.3)) : undefined;
    const holds = rng.next() < 0.8;
    const r = verdictRow(
      { claim: 'c', paper: '', expected: rng.next() < 0.5 ? 1 : -1, minEffect: rng.uniform(0, 0.5) },
      estimate(d, v, { evalShared: rng.next() < 0.5 }),
      { what: 'regime', value: 1, holds },
    );
    if (r.verdict !== 'reproduced' && r.verdict !== 'not reproduced') continue;
    firm++;
    assert.ok(r.n >= 3, `n ${r.n}`);
    assert.ok(holds);
    assert.ok(r.se === 0 || Math.abs(r.effect) / r.se > tCritical(r.df), `${r.effect} / ${r.se} at df ${r.df}`);
  }
  assert.ok(firm > 100, `the draw reaches firm verdicts too (${firm})`);
});

test('VerdictLog: notebooks/verdicts/<notebook>.json as a list of {claim, paper, effect, se, n, df, precondition, verdict}; a section run again replaces its rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verdicts-'));
  try {
    const file = join(dir, 'verdicts', 'nb.json');
    const log = new VerdictLog(file, 'laptop');
    const e = estimate([1, 1.1, 0.9]);
    const one = verdictRow({ claim: 'a rises', paper: '+1', expected: 1 }, e, { what: 'base above chance', value: 0.4, holds: true });
    const none = verdictRow({ claim: 'b falls', paper: '-2', expected: -1 }, estimate([]));
    assert.equal(log.add('Table 1', [one, none])[0], one, 'returns its rows for the table');
    let rows = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(rows.length, 2);
    assert.deepEqual(Object.keys(rows[0]).slice(0, 8), ['claim', 'paper', 'effect', 'se', 'n', 'df', 'precondition', 'verdict']);
    assert.deepEqual(rows[0].precondition, { what: 'base above chance', value: 0.4, holds: true });
    assert.equal(rows[0].verdict, 'reproduced');
    assert.equal(rows[1].effect, null, 'NaN is written as null');
    assert.equal(rows[1].precondition, null);
    assert.equal(rows[1].verdict, 'inconclusive');
    log.add('Table 4', [one]);
    log.add('Table 1', [none]);
    rows = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(
      rows.map((r: { section: string; claim: string; preset: string }) => [r.section, r.claim, r.preset]),
      [
        ['Table 1', 'b falls', 'laptop'],
        ['Table 4', 'a rises', 'laptop'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
