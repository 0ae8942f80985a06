import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedsForPower, summarise, verdictFor, verdictMarkdown, verdictTable, type ComparisonPoint } from '../../../src/lab/experiments/factor-vae/compare';

/** Points of one setting: metric values `v` (one per seed), recon `recon`. */
function setting(family: 'beta-VAE' | 'FactorVAE', weight: number, recon: number, v: number[]): ComparisonPoint[] {
  return v.map((x, seed) => ({ family, weight, seed, recon: recon + seed * 0.1, factorVae: x, betaVae: x }));
}

test('summarise: mean, sample sd and se per setting, sorted by family and weight', () => {
  const s = summarise([...setting('FactorVAE', 40, 30, [0.6, 0.8]), ...setting('beta-VAE', 4, 30, [0.5, 0.5, 0.5])], 'factorVae');
  assert.deepEqual(
    s.map((x) => [x.family, x.weight, x.n]),
    [
      ['beta-VAE', 4, 3],
      ['FactorVAE', 40, 2],
    ],
  );
  assert.ok(Math.abs(s[1].mean - 0.7) < 1e-12 && Math.abs(s[1].sd - Math.SQRT2 * 0.1) < 1e-12 && Math.abs(s[1].se - 0.1) < 1e-12);
  assert.equal(s[0].sd, 0);
});

test('verdict: a clear gap at matched recon is reproduced; the beta-VAE paired is the one nearest in recon', () => {
  const pts = [
    ...setting('beta-VAE', 1, 20, [0.4, 0.42, 0.41]),
    ...setting('beta-VAE', 4, 30, [0.55, 0.56, 0.54]),
    ...setting('beta-VAE', 16, 60, [0.9, 0.9, 0.9]),
    ...setting('FactorVAE', 40, 31, [0.8, 0.81, 0.79]),
  ];
  const r = verdictFor(pts, 'factorVae', 0.2, 'paper');
  assert.equal(r.verdict, 'reproduced');
  assert.match(r.ours, /beta 4\)/, 'paired with beta 4 (recon 30), not beta 16 (recon 60)');
  assert.ok(r.seedsNeeded !== undefined && r.seedsNeeded <= 3, `tight seeds need few: ${r.seedsNeeded}`);
});

test('verdict: a reversal is not reproduced; overlapping seeds are inconclusive; models at chance are inconclusive', () => {
  const reversed = [...setting('beta-VAE', 4, 30, [0.7, 0.71]), ...setting('FactorVAE', 10, 30, [0.5, 0.52])];
  assert.equal(verdictFor(reversed, 'factorVae', 0.2, '').verdict, 'not reproduced');
  const noisy = [...setting('beta-VAE', 4, 30, [0.4, 0.7]), ...setting('FactorVAE', 10, 30, [0.5, 0.8])];
  const n = verdictFor(noisy, 'factorVae', 0.2, '');
  assert.equal(n.verdict, 'inconclusive');
  assert.match(n.why, /straddles/);
  assert.ok(n.seedsNeeded! > 10, `seed sd 0.21, effect 0.1: ${n.seedsNeeded} seeds`);
  const atChance = [...setting('beta-VAE', 4, 30, [0.19, 0.21]), ...setting('FactorVAE', 10, 30, [0.2, 0.22])];
  assert.match(verdictFor(atChance, 'factorVae', 0.2, '').why, /chance/);
  assert.equal(verdictFor(setting('FactorVAE', 10, 30, [0.9]), 'betaVae', 0.2, '').verdict, 'inconclusive');
  const one = [...setting('beta-VAE', 4, 30, [0.3]), ...setting('FactorVAE', 10, 30, [0.9])];
  assert.equal(verdictFor(one, 'factorVae', 0.2, '').verdict, 'inconclusive', 'one seed gives no interval, however large the gap');
});

test('seedsForPower: n = 2 (1.96 + 0.84)^2 sigma^2 / effect^2, at least 2', () => {
  assert.equal(seedsForPower(0.1, 0.1), 16);
  assert.equal(seedsForPower(0.05, 0.1), 4);
  assert.equal(seedsForPower(0.001, 0.1), 2);
});

test('verdictTable: one row per metric, rendered as a markdown table with the seeds column', () => {
  const pts = [...setting('beta-VAE', 4, 30, [0.5, 0.55]), ...setting('FactorVAE', 40, 30, [0.7, 0.75])];
  const rows = verdictTable(pts, 0.2);
  assert.equal(rows.length, 2);
  const md = verdictMarkdown(rows);
  assert.equal(md.split('\n').length, 4);
  assert.match(md, /\| reproduced \|/);
});

test('readComparison: reads <model>-<weight>-s<seed>/metrics.json, skips runs without one, and says how to make them', async () => {
  const fs = await import('node:fs'),
    os = await import('node:os'),
    path = await import('node:path');
  const { readComparison } = await import('../../../src/lab/experiments/factor-vae/compare');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmp-'));
  try {
    for (const [name, fv] of [
      ['beta-vae-4-s0', 0.5],
      ['factor-vae-40-s1', 0.7],
    ] as const) {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'metrics.json'), JSON.stringify({ disentanglement: { recon: 30, factorVae: fv, betaVae: 0.6 } }));
    }
    fs.mkdirSync(path.join(dir, 'factor-vae-10-s0'));
    assert.deepEqual(readComparison(dir), [
      { family: 'beta-VAE', weight: 4, seed: 0, recon: 30, factorVae: 0.5, betaVae: 0.6 },
      { family: 'FactorVAE', weight: 40, seed: 1, recon: 30, factorVae: 0.7, betaVae: 0.6 },
    ]);
    assert.throws(() => readComparison(path.join(dir, 'nope')), /factor-vae-compare\.ts/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('runs: names, TC history, points, and a run not yet written reads as undefined', async () => {
  const os = await import('node:os');
  const { comparisonPoints, loadComparisonRun, runName, tcHistoryOf } = await import('../../../src/lab/experiments/factor-vae/runs');
  assert.deepEqual(runName('factor-vae', 40), { name: 'FactorVAE (gamma 40)', family: 'FactorVAE' });
  assert.equal(await loadComparisonRun(os.tmpdir(), 'beta-vae', 4, 12345), undefined);
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
