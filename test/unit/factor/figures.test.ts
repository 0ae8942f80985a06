import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tradeoffSpec, traversalDimLabels, traversalRowLabels, type ComparedRun } from '../../../src/lab/experiments/factor-vae/figures';
import type { DSpritesScores } from '../../../src/lab/experiments/factor-vae/score';

const scores = (recon: number, fv: number): DSpritesScores => ({
  disentanglement: { factorVae: fv, betaVae: fv, tcGaussianMeans: 0, recon, klPerDim: [], activeDims: 0 },
});

test('tradeoffSpec: one point per model and seed on each metric facet', () => {
  const runs: ComparedRun[] = [0, 1].flatMap((seed) => [
    { name: 'beta-VAE (beta 4)', family: 'beta-VAE', weight: 4, seed, scores: scores(30 + seed, 0.5) },
    { name: 'FactorVAE (gamma 40)', family: 'FactorVAE', weight: 40, seed, scores: scores(31 + seed, 0.7) },
  ]);
  const spec = tradeoffSpec(runs) as { data: { values: { seed: number; metric: string }[] } };
  assert.equal(spec.data.values.length, 8);
  assert.deepEqual([...new Set(spec.data.values.map((v) => v.seed))], [0, 1]);
});

test('traversalRowLabels: rows in KL order, each named by its factor, collapsed dims inactive', () => {
  const labels = [
    { dim: 0, factor: 3, eta2: 0.9 },
    { dim: 1, factor: 1, eta2: 0.8 },
    { dim: 2, factor: 0, eta2: 0.01 },
  ];
  const t = traversalRowLabels('best FactorVAE', labels, [0.5, 2, 0.001], ['shape', 'scale', 'orientation', 'posX', 'posY'], 3);
  assert.equal(t, 'best FactorVAE. row 1 z1: scale (eta² 0.80); row 2 z0: posX (eta² 0.90); row 3 z2: inactive');
});

test('traversalDimLabels: one name per dim in dim order, the factor with its eta², collapsed dims inactive', () => {
  const labels = [
    { dim: 0, factor: 3, eta2: 0.9 },
    { dim: 1, factor: 1, eta2: 0.8 },
    { dim: 2, factor: 0, eta2: 0.01 },
  ];
  assert.deepEqual(traversalDimLabels(labels, [0.5, 2, 0.001], ['shape', 'scale', 'orientation', 'posX', 'posY']), [
    'posX (eta² 0.90)',
    'scale (eta² 0.80)',
    'inactive',
  ]);
});
