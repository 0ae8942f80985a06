import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DECLARED_PAIR, seedsForPower, verdictFor, verdictMarkdown, verdictTable, type ComparisonPoint } from '../../../src/lab/experiments/factor-vae/compare';

/** Points of one setting: metric values `v` (one per seed), recon `recon`, `heldOut` votes behind each accuracy. */
function setting(family: 'beta-VAE' | 'FactorVAE', weight: number, recon: number, v: number[], heldOut = 800): ComparisonPoint[] {
  return v.map((x, seed) => ({ family, weight, seed, recon: recon + seed * 0.1, factorVae: x, betaVae: x, heldOut: { factorVae: heldOut, betaVae: heldOut } }));
}

test('the declared pair, not the best one: gamma 40 vs beta 4 paired by seed, whatever the other settings score', () => {
  assert.deepEqual(DECLARED_PAIR, { factorVae: 40, betaVae: 4 });
  const pts = [
    ...setting('beta-VAE', 1, 20, [0.3, 0.31, 0.3]),
    ...setting('beta-VAE', 4, 30, [0.55, 0.6, 0.5]),
    ...setting('beta-VAE', 16, 31, [0.9, 0.9, 0.9]),
    ...setting('FactorVAE', 10, 31, [0.95, 0.95, 0.95]),
    ...setting('FactorVAE', 40, 31, [0.8, 0.85, 0.75]),
  ];
  const r = verdictFor(pts, 'factorVae', 0.2, 'paper');
  // d = 0.25 at every seed: the between-seed sd is 0, the evaluation variance carries the se
  assert.ok(Math.abs(r.effect - 0.25) < 1e-12);
  const v = (0.8 * 0.2 + 0.55 * 0.45 + 0.85 * 0.15 + 0.6 * 0.4 + 0.75 * 0.25 + 0.5 * 0.5) / 800 / 3;
  assert.ok(Math.abs(r.se - Math.sqrt(v / 3)) < 1e-12, `se ${r.se}`);
  assert.equal(r.verdict, 'reproduced');
  assert.equal(r.precondition?.holds, true);
  assert.match(r.ours, /gamma 40\) 0\.800 vs beta-VAE \(beta 4\) 0\.550/);
  assert.ok(r.seedsNeeded !== undefined && r.seedsNeeded <= 3, `tight seeds need few: ${r.seedsNeeded}`);
});

test('verdict: a reversal is not reproduced; z > 2 at 2 seeds is inconclusive; models at chance are untestable', () => {
  const reversed = [...setting('beta-VAE', 4, 30, [0.7, 0.71, 0.72]), ...setting('FactorVAE', 40, 30, [0.5, 0.52, 0.5])];
  assert.equal(verdictFor(reversed, 'factorVae', 0.2, '').verdict, 'not reproduced');
  // the laptop run's beta-VAE metric: a gap near 4 se at 2 seeds reads inconclusive now
  const two = [...setting('beta-VAE', 4, 30, [0.6, 0.62]), ...setting('FactorVAE', 40, 30, [0.66, 0.7])];
  const t = verdictFor(two, 'betaVae', 0.2, '');
  assert.equal(t.verdict, 'inconclusive');
  assert.match(t.why, /2 seeds \(a firm verdict needs 3\)/);
  const noisy = [...setting('beta-VAE', 4, 30, [0.4, 0.7, 0.5]), ...setting('FactorVAE', 40, 30, [0.5, 0.6, 0.8])];
  const n = verdictFor(noisy, 'factorVae', 0.2, '');
  assert.equal(n.verdict, 'inconclusive');
  assert.match(n.why, /contains 0/);
  assert.ok(n.seedsNeeded! > 10, `seed sd 0.2, effect 0.1: ${n.seedsNeeded} seeds`);
  const atChance = [...setting('beta-VAE', 4, 30, [0.19, 0.21, 0.2]), ...setting('FactorVAE', 40, 30, [0.6, 0.62, 0.61])];
  const u = verdictFor(atChance, 'factorVae', 0.2, '');
  assert.equal(u.verdict, 'untestable');
  assert.match(u.why, /both models above chance \+ 0\.05 \(0\.25\) fails \(measured gamma 0\.610, beta 0\.200\)/);
  const other = [...setting('beta-VAE', 4, 30, [0.3]), ...setting('FactorVAE', 10, 30, [0.9])];
  assert.equal(verdictFor(other, 'factorVae', 0.2, '').verdict, 'inconclusive', 'gamma 10 is not the declared pair');
  assert.equal(verdictFor(other, 'factorVae', 0.2, '').n, 0);
});

test('seedsForPower: n = (1.96 + 0.84)^2 sd^2 / effect^2 for paired seeds, at least 3', () => {
  assert.equal(seedsForPower(0.1, 0.1), 8);
  assert.equal(seedsForPower(0.2, 0.1), 32);
  assert.equal(seedsForPower(0.001, 0.1), 3);
});

test('verdictTable: one row per metric, rendered as the lab table plus the pair in words', () => {
  const pts = [...setting('beta-VAE', 4, 30, [0.5, 0.55, 0.5]), ...setting('FactorVAE', 40, 30, [0.7, 0.75, 0.72])];
  const rows = verdictTable(pts, 0.2);
  assert.equal(rows.length, 2);
  const md = verdictMarkdown(rows);
  assert.equal(md.split('\n').length, 7);
  assert.match(md, /\| reproduced \|/);
  assert.match(md, /seeds for a firm answer: 3/);
});

test('readComparison: reads the done jobs of a sweep folder through loadSweep, leaves the others out, and says how to make one', async () => {
  const fs = await import('node:fs'),
    os = await import('node:os'),
    path = await import('node:path');
  const { readComparison, comparisonJob } = await import('../../../src/lab/experiments/factor-vae/compare');
  const { missingRuns } = await import('../../../src/lab/experiments/factor-vae/runs');
  const { jobDir, jobFiles, loadSweep, prepareSweep, writeJobStatus } = await import('../../../src/lab/jobs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmp-'));
  try {
    const spec = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../notebooks/sweeps/factor-vae-quick.json'), 'utf8'));
    const file = prepareSweep(spec, dir);
    assert.deepEqual(
      file.jobs.map((j) => comparisonJob(j.params)),
      [
        { kind: 'beta-vae', weight: 1, seed: 0 },
        { kind: 'beta-vae', weight: 4, seed: 0 },
        { kind: 'beta-vae', weight: 16, seed: 0 },
        { kind: 'factor-vae', weight: 10, seed: 0 },
        { kind: 'factor-vae', weight: 40, seed: 0 },
      ],
    );
    // what a finished job leaves: metrics.json, then state.json `done`; a running job has no metrics yet
    const finish = (i: number, fv: number) => {
      const jd = jobDir(dir, file.jobs[i].id);
      fs.writeFileSync(jobFiles(jd).metrics, JSON.stringify({ disentanglement: { recon: 30, factorVae: fv, betaVae: 0.6 } }));
      writeJobStatus(jd, { state: 'done', attempt: 1 });
    };
    finish(1, 0.5);
    finish(4, 0.7);
    writeJobStatus(jobDir(dir, file.jobs[3].id), { state: 'running', attempt: 1 });
    assert.deepEqual(readComparison(dir), [
      { family: 'beta-VAE', weight: 4, seed: 0, recon: 30, factorVae: 0.5, betaVae: 0.6 },
      { family: 'FactorVAE', weight: 40, seed: 0, recon: 30, factorVae: 0.7, betaVae: 0.6 },
    ]);
    assert.deepEqual(missingRuns(loadSweep(dir)), [
      'beta-VAE (beta 1) seed 0 (queued)',
      'beta-VAE (beta 16) seed 0 (queued)',
      'FactorVAE (gamma 10) seed 0 (running)',
    ]);
    assert.throws(() => readComparison(path.join(dir, 'nope')), /not a sweep folder.*vae-lab sweep run/);
    assert.throws(() => comparisonJob({ model: 'vae' }), /not in the FactorVAE comparison/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('runs: names, TC history, points', async () => {
  const { comparisonPoints, runName, tcHistoryOf } = await import('../../../src/lab/experiments/factor-vae/runs');
  assert.deepEqual(runName('factor-vae', 40), { name: 'FactorVAE (gamma 40)', family: 'FactorVAE' });
  const fit = {
    steps: 2,
    epochs: 1,
    seconds: 1,
    history: [
      { step: 1, terms: { 'vae/tc': 0.5 } },
      { step: 2, terms: { 'vae/recon': 3 } },
    ],
  };
  assert.deepEqual(tcHistoryOf(fit as unknown as Parameters<typeof tcHistoryOf>[0]), [{ step: 1, tc: 0.5 }]);
  const d = { factorVae: 0.6, betaVae: 0.7, tcGaussianMeans: 0, recon: 30, klPerDim: [], activeDims: 3 };
  const pts = comparisonPoints([
    { name: 'x', family: 'beta-VAE', weight: 4, seed: 1, scores: { disentanglement: d }, model: undefined as never, tcHistory: [], trainSeconds: 1 },
  ]);
  assert.deepEqual(pts, [{ family: 'beta-VAE', weight: 4, seed: 1, recon: 30, factorVae: 0.6, betaVae: 0.7 }]);
});
