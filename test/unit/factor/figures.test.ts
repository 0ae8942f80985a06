import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tcHistorySpec,
  tradeoffSpec,
  traversalDimLabels,
  traversalRowLabels,
  windowMeans,
  TC_CHART_POINTS,
  type ComparedRun,
} from '../../../src/lab/experiments/factor-vae/figures';
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

test('tcHistorySpec: one line per model and seed, at most TC_CHART_POINTS window means each, the level kept', () => {
  const history = (seed: number) => Array.from({ length: 12000 }, (_, i) => ({ step: i + 1, tc: seed + (i % 2 ? 1 : -1) + i / 12000 }));
  const spec = tcHistorySpec([0, 1].map((seed) => ({ name: 'FactorVAE (gamma 10)', seed, tcHistory: history(seed) }))) as {
    title: string;
    data: { values: { model: string; step: number; tc: number }[] };
  };
  const lines = new Map<string, { step: number; tc: number }[]>();
  for (const v of spec.data.values) lines.set(v.model, [...(lines.get(v.model) ?? []), v]);
  assert.deepEqual([...lines.keys()], ['FactorVAE (gamma 10), seed 0', 'FactorVAE (gamma 10), seed 1']);
  for (const [model, pts] of lines) {
    assert.ok(pts.length <= TC_CHART_POINTS && pts.length >= TC_CHART_POINTS / 2, `${model}: ${pts.length} points`);
    assert.equal(pts.at(-1)!.step, 12000, 'the last window ends at the last step');
    // The +-1 alternation averages out; the slow trend stays.
    const seed = model.endsWith('1') ? 1 : 0;
    for (const p of pts) assert.ok(Math.abs(p.tc - (seed + p.step / 12000)) < 0.01, `${model} step ${p.step}: ${p.tc}`);
  }
  assert.match(spec.title, /means over 30 steps/);
});

test('windowMeans: a history shorter than the limit is kept step by step; empty stays empty', () => {
  const h = [1, 2, 3].map((step) => ({ step, tc: step * 2 }));
  assert.deepEqual(windowMeans(h), h);
  assert.deepEqual(windowMeans([]), []);
  assert.deepEqual(windowMeans(h, 2), [
    { step: 2, tc: 3 },
    { step: 3, tc: 6 },
  ]);
});
