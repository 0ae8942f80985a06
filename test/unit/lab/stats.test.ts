import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanAndSe, pairedDifference, verdict } from '../../../src/lab/metrics/stats';

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
