/**
 * FactorVAE vs beta-VAE, the runs of a comparison, read back from its sweep folder (the jobs of
 * notebooks/sweeps/factor-vae-<preset>.json, run here or on a cluster): name, family, weight,
 * seed, scores, the model, and D's TC history.
 */
import { join } from 'node:path';
import { InvalidArgumentError } from '../../core/errors';
import type { LoadedSweep } from '../../jobs';
import type * as tf from '../../tf';
import type { FactorImageSet } from '../../data/dsprites';
import { encoderRepresentation } from '../../metrics/disentanglementEval';
import { latentFactors } from '../../metrics/disentanglement';
import { buildModel } from '../../models';
import type { LabModel, LatentModel } from '../../models/types';
import { loadCheckpoint } from '../../train/checkpoint';
import type { TrainResult } from '../../train/trainer';
import { encodeAll, klPerDim } from '../../viz/encode';
import type { DSpritesModel } from './build';
import type { DSpritesScores } from './score';
import { comparisonJob, type ComparisonPoint } from './compare';
import { traversalDimLabels, traversalRowLabels, type ComparedRun } from './figures';

/** One model and seed of the comparison, ready for the table, the figures and the traversals. */
export interface ComparisonRun extends ComparedRun {
  seed: number;
  model: LabModel;
  /** D's TC estimate per step (FactorVAE; empty for beta-VAE). */
  tcHistory: { step: number; tc: number }[];
  /** Training wall time, seconds. */
  trainSeconds: number;
}

/** Legend name and family of a grid entry. */
export function runName(kind: DSpritesModel, weight: number): { name: string; family: 'beta-VAE' | 'FactorVAE' } {
  return kind === 'beta-vae' ? { name: `beta-VAE (beta ${weight})`, family: 'beta-VAE' } : { name: `FactorVAE (gamma ${weight})`, family: 'FactorVAE' };
}

/** D's TC estimate per step from a training history. */
export function tcHistoryOf(fit: TrainResult): { step: number; tc: number }[] {
  return fit.history.filter((h) => h.terms['vae/tc'] !== undefined).map((h) => ({ step: h.step, tc: h.terms['vae/tc'] }));
}

/** A done job of the comparison's sweep (its metrics.json and model/) as a run, the model loaded. */
export async function loadSweepRun(sweep: LoadedSweep, id: string): Promise<ComparisonRun> {
  const j = sweep.jobs.find((x) => x.id === id);
  // metrics.json as `vae-lab train --dataset dsprites` writes it (src/cli/factor-vae.ts)
  const m = sweep.metrics[id] as (DSpritesScores & { tcHistory?: { step: number; tc: number }[]; trainSeconds: number }) | undefined;
  if (!j || j.state !== 'done' || !m) throw new InvalidArgumentError(`job ${id} of ${sweep.dir} is not done`);
  const { kind, weight, seed } = comparisonJob(j.params);
  const { model } = await loadCheckpoint(join(sweep.dir, j.dir, 'model'), buildModel);
  return {
    ...runName(kind, weight),
    weight,
    seed,
    model,
    scores: { disentanglement: m.disentanglement, test: m.test, tTest: m.tTest },
    tcHistory: m.tcHistory ?? [],
    trainSeconds: m.trainSeconds,
  };
}

/** The jobs of the comparison's sweep not done yet, named as the tables name them ('FactorVAE (gamma 40) seed 3 (running)'). */
export function missingRuns(sweep: LoadedSweep): string[] {
  return sweep.jobs
    .filter((j) => j.state !== 'done' || sweep.metrics[j.id] === undefined)
    .map((j) => {
      const { kind, weight, seed } = comparisonJob(j.params);
      return `${runName(kind, weight).name} seed ${seed} (${j.state})`;
    });
}

/** The verdict table's points from runs. */
export function comparisonPoints(runs: ComparisonRun[]): ComparisonPoint[] {
  return runs.map((r) => ({
    family: r.family === 'beta-VAE' ? 'beta-VAE' : 'FactorVAE',
    weight: r.weight,
    seed: r.seed,
    recon: r.scores.disentanglement.recon,
    factorVae: r.scores.disentanglement.factorVae,
    betaVae: r.scores.disentanglement.betaVae,
    ...(r.scores.disentanglement.heldOut ? { heldOut: r.scores.disentanglement.heldOut } : {}),
  }));
}

/**
 * The traversal's row labels and title for `show.traversal(model, x, { dims: rows, title, dimLabels })`:
 * each latent named by the factor it follows best (eta^2 over 2,000 codes of uniformly drawn
 * factors, seeded), or 'inactive'; the title lists the rows in the traversal's order too, for
 * the saved picture, which has no labels.
 */
export async function traversalLabels(
  name: string,
  model: LatentModel,
  set: FactorImageSet,
  x: tf.Tensor4D,
  rows: number,
  seed = 0,
): Promise<{ title: string; dimLabels: string[] }> {
  const labels = await latentFactors(encoderRepresentation(model, set), set.factorSizes, { seed, n: 2000 });
  const kl = klPerDim(await encodeAll(model, x));
  return { title: traversalRowLabels(name, labels, kl, set.factorNames, rows), dimLabels: traversalDimLabels(labels, kl, set.factorNames) };
}
