/**
 * CR-VAE's runs as a sweep: every (row, seed) of the tables is one job of the committed spec
 * notebooks/sweeps/cr-vae-<preset>.json (`vae-lab train` with the job's flags), run by the job
 * engine and read back with `loadSweep`. This file maps a job back to its table row: the flags
 * to a CrModelSpec, a seed and (train-examples and epochs set) the overfitting setting, and the
 * job's metrics.json to a SeedRunResult.
 */
import { join } from 'node:path';
import type { JobParams, LoadedSweep } from '../../jobs';
import type { EvalResult } from '../../metrics/evaluate';
import { InvalidArgumentError } from '../../core/errors';
import type { CrBaseModel, CrModelSpec } from './build';
import { rowLabel, scoreOf, type SeedScore } from './tables';

/** One training run: a row of a table at one seed. */
export interface SeedJob {
  spec: CrModelSpec;
  seed: number;
  /** A setting apart from the preset's (the overfitting rows): training subset and epochs; its rows are labelled with overfitLabel. */
  overfit?: OverfitSetting;
}

/** A training subset and length in which the base VAE overfits (presets.ts `overfit`). */
export interface OverfitSetting {
  trainExamples: number;
  epochs: number;
}

/** The suffix of a row trained in an overfitting setting, e.g. ' [2000 images, 60 epochs]'. */
export function overfitLabel(o?: OverfitSetting): string {
  return o ? ` [${o.trainExamples} images, ${o.epochs} epochs]` : '';
}

/** What one job left behind. */
export interface SeedRunResult {
  row: string;
  seed: number;
  /** The job's id in its sweep. */
  id?: string;
  dir: string;
  checkpoint: string;
  test: EvalResult;
  tTest: EvalResult;
  /** The training images' scores (runs from before issue 27 have none). */
  train?: EvalResult;
  latentDim?: number;
  trainSeconds: number;
}

const MODELS: CrBaseModel[] = ['vae', 'iwae', 'beta-vae'];
const num = (p: JobParams, k: string): number | undefined => (typeof p[k] === 'number' ? (p[k] as number) : undefined);

/**
 * A job's flags as its row of the tables: --model, --beta, --k, --cr / --aug, --eta, --lambda,
 * --seed (default 0, as `vae-lab train`), and --train-examples with --epochs as the overfitting
 * setting. A job of another experiment (another model) or a setting the tables have no row for
 * (only one of --train-examples and --epochs) is refused, naming the job.
 */
export function jobOfParams(params: JobParams): SeedJob {
  const model = (params.model ?? 'vae') as CrBaseModel;
  if (!MODELS.includes(model)) throw new InvalidArgumentError(`--model ${String(params.model)} is not a CR-VAE row (one of ${MODELS.join(', ')})`);
  const variant = params.cr === true ? 'cr' : params.aug === true ? 'aug' : 'none';
  const spec: CrModelSpec = { model, variant };
  for (const k of ['beta', 'k', 'eta', 'lambda'] as const) if (num(params, k) !== undefined) spec[k] = num(params, k);
  const te = num(params, 'train-examples'),
    ep = num(params, 'epochs');
  if ((te === undefined) !== (ep === undefined))
    throw new InvalidArgumentError(`a CR-VAE job sets both --train-examples and --epochs (the overfitting setting) or neither, got ${JSON.stringify(params)}`);
  return { spec, seed: num(params, 'seed') ?? 0, ...(te !== undefined ? { overfit: { trainExamples: te, epochs: ep! } } : {}) };
}

/** The row label of a job: rowLabel of its model plus, in the overfitting setting, overfitLabel. */
export function rowOfJob(job: SeedJob): string {
  return rowLabel(job.spec) + overfitLabel(job.overfit);
}

/** A done job's metrics.json (what `vae-lab train` writes for MNIST) as a SeedRunResult. */
export function resultOf(job: SeedJob, id: string, dir: string, metrics: unknown): SeedRunResult {
  const m = metrics as {
    test: EvalResult;
    tTest: EvalResult;
    train?: EvalResult;
    trainSeconds: number;
    config?: { model?: { latentDim?: number; base?: { latentDim?: number } } };
  };
  if (!m?.test || !m.tTest) throw new InvalidArgumentError(`${join(dir, 'metrics.json')} has no test / tTest scores: not a CR-VAE run`);
  return {
    row: rowOfJob(job),
    seed: job.seed,
    id,
    dir,
    checkpoint: join(dir, 'model'),
    test: m.test,
    tTest: m.tTest,
    train: m.train,
    // a CR or VAE + Aug run's config wraps its base's
    latentDim: m.config?.model?.latentDim ?? m.config?.model?.base?.latentDim,
    trainSeconds: m.trainSeconds,
  };
}

/** A sweep's jobs as the tables' rows: each done job's result, and the jobs not done with their row and state. */
export function sweepResults(sweep: LoadedSweep): { results: SeedRunResult[]; missing: { id: string; row: string; seed: number; state: string }[] } {
  const results: SeedRunResult[] = [];
  const missing: { id: string; row: string; seed: number; state: string }[] = [];
  for (const j of sweep.jobs) {
    const job = jobOfParams(j.params);
    const m = sweep.metrics[j.id];
    if (j.state === 'done' && m !== undefined) results.push(resultOf(job, j.id, join(sweep.dir, j.dir), m));
    else missing.push({ id: j.id, row: rowOfJob(job), seed: job.seed, state: j.state });
  }
  return { results, missing };
}

/** The missing jobs in words, one line, for the notebook ('VAE seed 2 (running), ...'). */
export function missingMarkdown(missing: { row: string; seed: number; state: string }[]): string {
  return missing.map((m) => `${m.row} seed ${m.seed} (${m.state})`).join(', ');
}

/** A finished job as a row of the tables (arrowRatio added by the caller when measured). */
export function seedScore(r: SeedRunResult, arrowRatio?: number): SeedScore {
  return scoreOf(r.row, r.seed, r.test, r.tTest, arrowRatio, r.train, r.latentDim);
}
