import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanAndSe, pairedDifference, pairedVerdicts, verdict } from '../../../src/lab/metrics/stats';
import { verdictMarkdown } from '../../../src/lab/viz/markdown';

test('mean ± se: sample sd / sqrt n; no se from one value', () => {
  const r = meanAndSe([1, 2, 3, 4]);
  assert.equal(r.mean, 2.5);
  // sd = sqrt(((1.5^2 + 0.5^2) * 2) / 3) = sqrt(5/3); se = sd / 2
  assert.ok(Math.abs(r.se - Math.sqrt(5 / 3) / 2) < 1e-12);
  assert.ok(Number.isNaN(meanAndSe([7]).se));
  assert.equal(meanAndSe([7]).mean, 7);
});

test('paired difference removes what the pair shares: a large shared seed effect, a steady gain', () => {
  const base = [100, 140, 90];
  const cr = base.map((v, i) => v - 10 + [0.1, -0.1, 0][i]);
  const d = pairedDifference(base, cr);
  assert.ok(Math.abs(d.mean + 10) < 1e-9);
  assert.ok(d.se < 0.1, `paired se ${d.se}`);
  assert.ok(meanAndSe(base).se > 10, 'the unpaired spread is far larger');
  assert.throws(() => pairedDifference([1, 2], [1]), /pair the same seeds/);
});

test("verdict: reproduced beyond 2 se with the paper's sign, not reproduced with the other, inconclusive within", () => {
  assert.equal(verdict(-5, 1, -1).verdict, 'reproduced');
  assert.equal(verdict(5, 1, -1).verdict, 'not reproduced');
  assert.equal(verdict(-1.9, 1, -1).verdict, 'inconclusive');
  assert.equal(verdict(2, 1, 1).verdict, 'inconclusive', 'exactly 2 se is not beyond it');
  assert.equal(verdict(3, 1, 1).verdict, 'reproduced');
  assert.equal(verdict(-3, NaN, -1).verdict, 'inconclusive');
  assert.match(verdict(-3, NaN, -1).why, /fewer than 2 seeds/);
  assert.match(verdict(6, 2, -1).why, /opposite sign.*3\.0 se/);
});

test('paired verdicts on any metric: seeds missing a value are left out, a constant row tests against a bar, the table escapes |', () => {
  type Row = { row: string; seed: number; agreement?: number };
  const rows: Row[] = [
    { row: 'model', seed: 0, agreement: 0.95 },
    { row: 'model', seed: 1, agreement: 0.93 },
    { row: 'model', seed: 2 },
    { row: 'model', seed: 3, agreement: 0.97 },
    ...[0, 1, 2, 3].map((seed) => ({ row: 'bar 0.8', seed, agreement: 0.8 })),
  ];
  const [v] = pairedVerdicts(rows, [{ claim: 'samples show their class', a: 'bar 0.8', b: 'model', metric: 'agreement', expected: 1, paper: 'no number' }]);
  assert.equal(v.n, 3);
  assert.ok(Math.abs(v.effect - 0.15) < 1e-9);
  assert.equal(v.verdict, 'reproduced');
  const md = verdictMarkdown([v]).split('\n');
  assert.equal(md.length, 3);
  assert.match(md[2], /^\| samples show their class \| no number \| 0\.15 ± 0\.01 \(3 seeds\) \| reproduced \|/);
  const [none] = pairedVerdicts(rows, [{ claim: 'c', a: 'bar 0.8', b: 'other', metric: 'agreement', expected: 1, paper: '' }]);
  assert.equal(none.verdict, 'inconclusive');
  assert.match(verdictMarkdown([{ ...none, why: '|effect| = 1.5 se' }]), /\\\|effect\\\| = 1\.5 se/);
});
