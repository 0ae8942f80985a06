import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/lab/core/random';
import { estimate, meanAndSe, pairEvalVar, pairedDifference, pairedVerdicts, tCdf, tCritical, tQuantile, verdict } from '../../../src/lab/metrics/stats';
import { verdictMarkdown } from '../../../src/lab/viz/markdown';

const near = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);

test('mean ± se: sample sd / sqrt n; no se from one value', () => {
  const r = meanAndSe([1, 2, 3, 4]);
  assert.equal(r.mean, 2.5);
  // sd = sqrt(((1.5^2 + 0.5^2) * 2) / 3) = sqrt(5/3); se = sd / 2
  assert.ok(Math.abs(r.se - Math.sqrt(5 / 3) / 2) < 1e-12);
  assert.ok(Number.isNaN(meanAndSe([7]).se));
  assert.equal(meanAndSe([7]).mean, 7);
  assert.throws(() => pairedDifference([1, 2], [1]), /pair the same seeds/);
});

test('Student t: the tabled two-sided 95% critical values, the Cauchy cdf, and the normal limit', () => {
  near(tCritical(1), 12.706, 5e-4, 'df 1');
  near(tCritical(2), 4.303, 5e-4, 'df 2');
  near(tCritical(3), 3.182, 5e-4, 'df 3');
  near(tCritical(5), 2.571, 5e-4, 'df 5');
  near(tCritical(10), 2.228, 5e-4, 'df 10');
  near(tCritical(1e6), 1.96, 1e-3, 'df 1e6');
  near(tCritical(Infinity), 1.959964, 1e-6, 'normal');
  near(tQuantile(0.995, 4), 4.604, 5e-4, '99% at df 4');
  near(tQuantile(0.025, 2), -4.303, 5e-4, 'lower tail');
  // df 1 is the Cauchy: P(T <= t) = 1/2 + atan(t) / pi
  for (const t of [-3, -0.5, 0, 0.7, 2, 40]) near(tCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-12, `Cauchy at ${t}`);
  // df 2 has a closed form too: 1/2 + t / (2 sqrt(2 + t^2))
  for (const t of [-2, 0.3, 5]) near(tCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-12, `df 2 at ${t}`);
  assert.ok(tCritical(1.5) > tCritical(2) && tCritical(1.5) < tCritical(1), 'a fractional df falls between its neighbours');
});

test('the hierarchical se: fresh evaluation samples floor the between-seed variance at mean v; a shared sample adds v', () => {
  // between-seed only: d = 1, 2, 3 -> s^2 = 1, se = sqrt(1/3)
  const plain = estimate([1, 2, 3]);
  near(plain.se, Math.sqrt(1 / 3), 1e-12);
  assert.equal(plain.df, 2);
  assert.equal(plain.evalIncluded, false);
  // small evaluation variance, drawn per seed: s^2 = 1 > mean v = 0.01, so the se is unchanged
  near(estimate([1, 2, 3], [0.01, 0.01, 0.01]).se, Math.sqrt(1 / 3), 1e-12);
  // seeds that agree by chance while each value carries evaluation variance 1: se = sqrt(1 / 3), not s / sqrt 3
  const noisy = estimate([1, 1.01, 0.99], [1, 1, 1]);
  near(noisy.se, Math.sqrt(1 / 3), 1e-12);
  assert.ok(noisy.se > 50 * noisy.seSeeds);
  // one evaluation sample shared by every seed: its variance does not average out, se^2 = s^2 / n + mean v
  near(estimate([1, 2, 3], [0.5, 0.5, 0.5], { evalShared: true }).se, Math.sqrt(1 / 3 + 0.5), 1e-12);
  assert.ok(Number.isNaN(estimate([4], [0.1], { evalShared: true }).se), 'one seed gives no interval');
  assert.throws(() => estimate([1, 2], [0.1]), /one per seed/);
});

test('the rule: z > 2 with 3 seeds is not enough (t at df 2 is 4.30); 2 seeds never give a firm verdict', () => {
  // d = 0.5, 1, 1.5: mean 1, se 0.289, z = 3.46 > 2 (the old rule: reproduced), t interval -0.24 to 2.24
  const e = estimate([0.5, 1, 1.5]);
  assert.ok(e.effect / e.se > 2);
  const v = verdict(e, 1);
  assert.equal(v.verdict, 'inconclusive');
  assert.match(v.why, /contains 0/);
  near(v.interval![0], 1 - 4.3027 * e.se, 1e-3);
  // the same spread at 6 seeds: se 0.204, t at df 5 is 2.57, interval 0.48 to 1.52
  assert.equal(verdict(estimate([0.5, 1, 1.5, 0.5, 1, 1.5]), 1).verdict, 'reproduced');
  // 40 se from zero at 2 seeds is still inconclusive
  const two = verdict(estimate([10, 10.5]), 1);
  assert.equal(two.verdict, 'inconclusive');
  assert.match(two.why, /2 seeds \(a firm verdict needs 3\)/);
  assert.equal(verdict(estimate([7]), 1).verdict, 'inconclusive');
});

test('the rule: evaluation noise that dominates turns a between-seed "17 se" into inconclusive', () => {
  // accuracies 0.10 apart on 100 held-out items each: v = 2 * p (1 - p) / 100 ~ 0.005 per seed
  const d = [0.1, 0.11, 0.09];
  const v = d.map(() => (2 * (0.5 * 0.5)) / 100);
  assert.equal(verdict(estimate(d), 1).verdict, 'reproduced', 'between seeds alone it looks firm');
  const e = estimate(d, v);
  near(e.se, Math.sqrt(0.005 / 3), 1e-12);
  assert.equal(verdict(e, 1).verdict, 'inconclusive');
  // with 10,000 items per evaluation the same effect is firm
  assert.equal(
    verdict(
      estimate(
        d,
        d.map(() => (2 * 0.25) / 10000),
      ),
      1,
    ).verdict,
    'reproduced',
  );
});

test('the rule: opposite sign, below the smallest effect counted, and untestable', () => {
  const up = estimate([-3, -2.5, -3.5]); // clearly negative
  assert.equal(verdict(up, 1).verdict, 'not reproduced');
  assert.match(verdict(up, 1).why, /opposite sign/);
  assert.equal(verdict(up, -1).verdict, 'reproduced', 'the same data with a claim that the quantity falls');
  // a real but tiny gain: 0.01 ± 0.0006, interval 0.0076-0.0125, the smallest effect counted 0.05
  const tiny = estimate([0.01, 0.011, 0.009]);
  assert.equal(verdict(tiny, 1, { minEffect: 0.05 }).verdict, 'not reproduced');
  assert.match(verdict(tiny, 1, { minEffect: 0.05 }).why, /below the smallest effect counted \(0\.05\)/);
  assert.equal(verdict(tiny, 1).verdict, 'reproduced', 'with no smallest effect declared it counts');
  // inside the band but not excluding 0: inconclusive, never firm
  assert.equal(verdict(estimate([0.01, -0.01, 0.02]), 1, { minEffect: 0.05 }).verdict, 'inconclusive');
  const u = verdict(up, 1, { precondition: { what: 'base VAE train - test NLL gap >= 2 nats', value: '-0.6 nats', holds: false } });
  assert.equal(u.verdict, 'untestable');
  assert.match(u.why, /untestable at this preset: base VAE train - test NLL gap >= 2 nats fails \(measured -0\.6 nats\)/);
});

test('the rule on simulated reproductions with a known null: the t rule with the shared evaluation sample keeps false "reproduced" near 2.5%', () => {
  // Truth: no effect. Each experiment: 3 seeds, seed effects N(0, 1), and one evaluation sample shared by
  // every seed whose error is N(0, 1) (known v = 1). The old rule (z > 2, between-seed se) calls many of them reproduced.
  const rng = new Rng(11);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  let newFalse = 0,
    oldFalse = 0;
  const N = 4000;
  for (let k = 0; k < N; k++) {
    const shared = normal();
    const d = [0, 1, 2].map(() => normal() + shared);
    if (verdict(estimate(d, [1, 1, 1], { evalShared: true }), 1).verdict === 'reproduced') newFalse++;
    const z = estimate(d);
    if (z.effect / z.se > 2) oldFalse++;
  }
  assert.ok(newFalse / N < 0.03, `new rule false reproduced ${newFalse / N}`);
  assert.ok(oldFalse / N > 0.08, `old rule false reproduced ${oldFalse / N}`);
});

test('paired verdicts: seeds missing a value are left out, evaluation variances add per pair, a bar row carries none, the table escapes |', () => {
  type Row = { row: string; seed: number; agreement?: number; evalVar?: Record<string, number> };
  const rows: Row[] = [
    { row: 'model', seed: 0, agreement: 0.95, evalVar: { agreement: 1e-4 } },
    { row: 'model', seed: 1, agreement: 0.93, evalVar: { agreement: 1e-4 } },
    { row: 'model', seed: 2 },
    { row: 'model', seed: 3, agreement: 0.97, evalVar: { agreement: 1e-4 } },
    ...[0, 1, 2, 3].map((seed) => ({ row: 'bar 0.8', seed, agreement: 0.8, evalVar: { agreement: 0 } })),
  ];
  const claim = { claim: 'samples show their class', a: 'bar 0.8', b: 'model', metric: 'agreement' as const, expected: 1 as const, paper: 'no number' };
  const [v] = pairedVerdicts(rows, [claim]);
  assert.equal(v.n, 3);
  assert.equal(v.df, 2);
  near(v.effect, 0.15, 1e-9);
  near(v.se, 0.01154700538, 1e-9, 'max(s^2 = 4e-4, v = 1e-4) / 3');
  assert.equal(v.verdict, 'reproduced');
  assert.equal(v.evalIncluded, true);
  const md = verdictMarkdown([v]).split('\n');
  assert.equal(md.length, 3);
  assert.match(md[2], /^\| samples show their class \| no number \| 0\.15 ± 0\.01 \(3 seeds, df 2\) \| – \| reproduced \|/);
  const [u] = pairedVerdicts(rows, [claim], () => ({ what: 'baseline class agreement >= 0.8', value: 0.4, holds: false }));
  assert.equal(u.verdict, 'untestable');
  assert.match(verdictMarkdown([u]), /baseline class agreement >= 0.8: 0.4 \(fails\) \| untestable at this preset \|/);
  const [none] = pairedVerdicts(rows, [{ ...claim, b: 'other' }]);
  assert.equal(none.verdict, 'inconclusive');
  assert.match(none.why, /no seed has both/);
  // a row not run yet is no evidence: inconclusive even when its precondition cannot be measured yet
  const [notYet] = pairedVerdicts(rows, [{ ...claim, b: 'other' }], () => ({ what: 'baseline class agreement >= 0.8', value: 'not measured', holds: false }));
  assert.equal(notYet.verdict, 'inconclusive');
  assert.match(notYet.why, /no seed has both .* yet/);
  assert.equal(notYet.precondition?.value, 'not measured');
  assert.match(verdictMarkdown([{ ...none, why: '|effect| = 1.5 se' }]), /\\\|effect\\\| = 1\.5 se/);
});

test("pairEvalVar: per-item scores of the same images give the paired variance; else the rows' variances add", () => {
  // two models that find the same images hard: per-image NLLs 80..120 and the same + 1 +- 0.5
  const a = [80, 120, 95, 105, 100, 90];
  const b = a.map((v, i) => v + 1 + (i % 2 ? 0.5 : -0.5));
  const paired = pairEvalVar({ row: 'a', seed: 0, items: { nll: a } }, { row: 'b', seed: 0, items: { nll: b } }, 'nll');
  near(paired, pairedDifference(a, b).se ** 2, 1e-12);
  near(paired, 0.3 / 6, 1e-12, 'var of 0.5, 1.5, ... is 0.3; over 6 items');
  const unpaired = pairEvalVar({ row: 'a', seed: 0, items: { nll: a } }, { row: 'b', seed: 0, evalVar: { nll: 2 } }, 'nll');
  near(unpaired, meanAndSe(a).se ** 2 + 2, 1e-12);
  assert.ok(unpaired > 100 * paired);
  assert.ok(Number.isNaN(pairEvalVar({ row: 'a', seed: 0 }, { row: 'b', seed: 0, evalVar: { nll: 2 } }, 'nll')), 'unknown when a row has neither');
});
