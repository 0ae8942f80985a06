/**
 * FactorVAE vs beta-VAE, score: the two disentanglement metrics, TC, reconstruction and
 * active dims (metrics/disentanglementEval.ts), plus the usual NLL / MI / AU on held-out
 * images and on the same images warped (the CR-VAE t-Test warp).
 */
import { DSprites } from '../../data/dsprites';
import { transformedSet } from '../../data/ttest';
import { evaluate, type EvalResult } from '../../metrics/evaluate';
import { evaluateDisentanglement, type DisentanglementReport } from '../../metrics/disentanglementEval';
import type { DensityModel } from '../../models/types';
import { testSet } from './data';
import type { Preset } from './presets';

/** What `score` measures. */
export interface DSpritesScores {
  disentanglement: DisentanglementReport;
  /** NLL/MI/AU on held-out images and on the same images warped (the CR-VAE t-Test warp). */
  test?: EvalResult;
  tTest?: EvalResult;
}

/**
 * Score a trained model (after `train`, or loaded from a checkpoint by `vae-lab eval`).
 * Seeds: the metrics use seed + 1000, the held-out images seed + 2000. `likelihood: false`
 * skips NLL / MI / AU.
 */
export async function score(
  model: DensityModel,
  preset: Preset,
  o: { seed?: number; signal?: AbortSignal; likelihood?: boolean } = {},
): Promise<DSpritesScores> {
  const seed = o.seed ?? 0;
  const set = new DSprites();
  const disentanglement = await evaluateDisentanglement(model, set, { ...preset.disentanglement, seed: seed + 1000, signal: o.signal });
  if (o.likelihood === false) return { disentanglement };
  const held = await testSet(set, preset.evalExamples ?? 1000, seed + 2000);
  const opts = { K: preset.K, M: preset.M };
  return { disentanglement, test: await evaluate(model, held, opts), tTest: await evaluate(model, await transformedSet(held), opts) };
}
