/**
 * FactorVAE vs beta-VAE, figures (vega-lite specs): the paper's reconstruction-vs-
 * disentanglement trade-off (one point per model and seed), the discriminator's TC estimate
 * during training, and the labels of a traversal's rows (the factor each latent follows).
 */
import type { LatentFactor } from '../../metrics/disentanglement';
import type { DSpritesScores } from './score';

/** One trained model of the comparison. */
export interface ComparedRun {
  /** Legend name, e.g. 'FactorVAE (gamma 10)'. */
  name: string;
  /** 'beta-VAE' or 'FactorVAE'. */
  family: string;
  /** beta or gamma. */
  weight: number;
  /** Training seed (one point per model and seed). Default 0. */
  seed?: number;
  scores: DSpritesScores;
}

/** Reconstruction error vs both metrics, one point per model and seed, labelled by weight; the dashed rule is chance (0.2). */
export function tradeoffSpec(runs: ComparedRun[]): Record<string, unknown> {
  const points = runs.map(({ name, family, weight, seed = 0, scores }) => ({
    name,
    family,
    weight,
    seed,
    recon: scores.disentanglement.recon,
    factorVae: scores.disentanglement.factorVae,
    betaVae: scores.disentanglement.betaVae,
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Reconstruction error vs disentanglement (dSprites)',
    data: {
      values: points.flatMap((p) => [
        { ...p, metric: 'FactorVAE metric', score: p.factorVae },
        { ...p, metric: 'beta-VAE metric', score: p.betaVae },
      ]),
    },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 220,
      layer: [
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x: { field: 'recon', type: 'quantitative', title: 'reconstruction error (nats)', scale: { zero: false } },
            y: { field: 'score', type: 'quantitative', title: 'disentanglement', scale: { domain: [0, 1] } },
            color: { field: 'family', type: 'nominal' },
            shape: { field: 'family', type: 'nominal' },
            tooltip: [{ field: 'name' }, { field: 'seed' }, { field: 'recon', format: '.1f' }, { field: 'score', format: '.3f' }],
          },
        },
        {
          mark: { type: 'text', dy: -9, fontSize: 10 },
          encoding: {
            x: { field: 'recon', type: 'quantitative' },
            y: { field: 'score', type: 'quantitative' },
            text: { field: 'weight' },
            color: { field: 'family', type: 'nominal' },
          },
        },
        { mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { y: { datum: 0.2 } } },
      ],
    },
  };
}

/** Points per line of the TC chart: a 12,000-step run as every step made a 1.7 MB notebook output. */
export const TC_CHART_POINTS = 400;

/** Steps per window so that `length` steps make at most `maxPoints` windows. */
const windowSize = (length: number, maxPoints: number) => Math.max(1, Math.ceil(length / maxPoints));

/**
 * Means of consecutive windows, at most `maxPoints` of them, each placed at its last step: the
 * curve's level over the window, not one noisy step of it.
 */
export function windowMeans(history: { step: number; tc: number }[], maxPoints = TC_CHART_POINTS): { step: number; tc: number }[] {
  const w = windowSize(history.length, maxPoints);
  const out: { step: number; tc: number }[] = [];
  for (let i = 0; i < history.length; i += w) {
    const win = history.slice(i, i + w);
    out.push({ step: win[win.length - 1].step, tc: win.reduce((a, h) => a + h.tc, 0) / win.length });
  }
  return out;
}

/**
 * FactorVAE's TC estimate (`vae/tc`, per step: runs.ts `tcHistoryOf`), one line per model and
 * seed (two seeds of one model under one name would be drawn as one zig-zag line), each the
 * means of at most TC_CHART_POINTS windows of steps.
 */
export function tcHistorySpec(runs: { name: string; seed?: number; tcHistory: { step: number; tc: number }[] }[]): Record<string, unknown> {
  const tcPoints = runs.flatMap(({ name, seed, tcHistory }) =>
    windowMeans(tcHistory).map((h) => ({ model: seed === undefined ? name : `${name}, seed ${seed}`, step: h.step, tc: h.tc })),
  );
  const window = Math.max(1, ...runs.map((r) => windowSize(r.tcHistory.length, TC_CHART_POINTS)));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `FactorVAE: discriminator's TC estimate during training${window > 1 ? ` (means over ${window} steps)` : ''}`,
    data: { values: tcPoints },
    width: 520,
    height: 200,
    mark: { type: 'line', opacity: 0.8 },
    encoding: {
      x: { field: 'step', type: 'quantitative' },
      y: { field: 'tc', type: 'quantitative', title: 'TC estimate (nats)' },
      color: { field: 'model', type: 'nominal' },
    },
  };
}

/**
 * The name of each latent dim (indexed by dim) for a traversal's row labels: the factor the
 * latent follows best with its eta^2, or 'inactive' below `minKl` nats of KL.
 */
export function traversalDimLabels(labels: LatentFactor[], klPerDim: number[], factorNames: readonly string[], minKl = 0.05): string[] {
  return klPerDim.map((kl, d) => (kl < minKl ? 'inactive' : `${factorNames[labels[d].factor]} (eta² ${labels[d].eta2.toFixed(2)})`));
}

/**
 * The title of a traversal whose rows are the most active dims first (the traversal's order:
 * KL per dim, largest first): each row named by the factor its latent follows best, with eta^2
 * (metrics/disentanglement.ts `latentFactors`). Dims below `minKl` nats are 'inactive'.
 */
export function traversalRowLabels(
  name: string,
  labels: LatentFactor[],
  klPerDim: number[],
  factorNames: readonly string[],
  rows: number,
  minKl = 0.05,
): string {
  const order = klPerDim
    .map((kl, d) => [kl, d] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, rows);
  const names = traversalDimLabels(labels, klPerDim, factorNames, minKl);
  const parts = order.map(([, d], i) => `row ${i + 1} z${d}: ${names[d]}`);
  return `${name}. ${parts.join('; ')}`;
}
