/**
 * CR-VAE, seeds in parallel: each (row, seed) trains in its own `vae-lab train` process, a
 * few at a time, so a 2-core CPU runs two models at once. With more than one process the
 * runner sets VAE_LAB_WASM_THREADS=1 (unless set), so each holds one core instead of two
 * processes fighting over two-thread wasm pools. Each process writes <out>/metrics.json and
 * <out>/model (a checkpoint) atomically; a job whose metrics.json already exists is not run
 * again, so a stopped notebook resumes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentHost } from '../../../common/display';
import type { EvalResult } from '../../metrics/evaluate';
import type { CrModelSpec } from './build';
import { rowLabel, scoreOf, type SeedScore } from './tables';
import { runName } from './build';
import { runJobProcesses } from '../../train/processes';

/** One training process: a row of a table at one seed. */
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

export interface SeedRunOptions {
  /** `vae-lab train` entry point (default: cli.js beside this bundle). */
  cli?: string;
  /** Node options before it (e.g. ['--import', 'tsx'] for a .ts entry point). */
  nodeArgs?: string[];
  preset: string;
  dataset?: string;
  dataDir?: string;
  /** Runs folder: job output goes to <outDir>/<runName>-eta<eta>/seed<seed>. */
  outDir: string;
  /** Processes at once (default 2; 1 leaves each process its default two wasm threads). */
  parallel?: number;
  /** Extra CLI flags for every job (e.g. ['--epochs', '1']). */
  extraArgs?: string[];
  /** Stops every running process (killed; its job reruns next time). Default: the running cell's signal. */
  signal?: AbortSignal;
  onDone?(job: SeedJob, r: SeedRunResult): void;
}

/** What one job left behind. */
export interface SeedRunResult {
  row: string;
  seed: number;
  dir: string;
  checkpoint: string;
  test: EvalResult;
  tTest: EvalResult;
  /** The training images' scores (runs from before issue 27 have none). */
  train?: EvalResult;
  latentDim?: number;
  trainSeconds: number;
}

/** The CLI arguments of one job. */
export function jobArgs(job: SeedJob, o: Pick<SeedRunOptions, 'preset' | 'dataset' | 'dataDir' | 'extraArgs'>, out: string): string[] {
  const s = job.spec;
  const a = ['train', '--model', s.model, '--preset', o.preset, '--dataset', o.dataset ?? 'mnist', '--seed', String(job.seed), '--out', out];
  if (o.dataDir) a.push('--data-dir', o.dataDir);
  if (s.beta !== undefined) a.push('--beta', String(s.beta));
  if (s.k !== undefined) a.push('--k', String(s.k));
  if (s.variant === 'cr') a.push('--cr');
  if (s.variant === 'aug') a.push('--aug');
  if (s.variant === 'cr' && s.eta !== undefined) a.push('--eta', String(s.eta));
  if (s.lambda !== undefined) a.push('--lambda', String(s.lambda));
  if (job.overfit) a.push('--train-examples', String(job.overfit.trainExamples), '--epochs', String(job.overfit.epochs));
  return [...a, ...(o.extraArgs ?? [])];
}

/** Job folder: one per row and seed. */
export function jobDir(job: SeedJob, outDir: string): string {
  const overfit = job.overfit ? `-n${job.overfit.trainExamples}-e${job.overfit.epochs}` : '';
  return join(outDir, `${runName(job.spec)}${job.spec.eta !== undefined ? `-eta${job.spec.eta}` : ''}${overfit}`, `seed${job.seed}`);
}

function readResult(job: SeedJob, dir: string): SeedRunResult {
  const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as {
    test: EvalResult;
    tTest: EvalResult;
    train?: EvalResult;
    trainSeconds: number;
    config?: { model?: { latentDim?: number; base?: { latentDim?: number } } };
  };
  return {
    row: rowLabel(job.spec) + overfitLabel(job.overfit),
    seed: job.seed,
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

/** Run every job, `parallel` processes at a time; rejects with the first failure's stderr tail. */
export function runSeeds(jobs: SeedJob[], o: SeedRunOptions): Promise<SeedRunResult[]> {
  return runJobProcesses(
    jobs,
    { dir: (job) => jobDir(job, o.outDir), args: (job, dir) => jobArgs(job, o, dir), read: readResult, onDone: (job, r) => o.onDone?.(job, r) },
    { cli: o.cli ?? join(__dirname, 'cli.js'), nodeArgs: o.nodeArgs, parallel: o.parallel ?? 2, signal: o.signal ?? currentHost()?.signal, name: 'runSeeds' },
  );
}

/** A finished job as a row of the tables (arrowRatio added by the caller when measured). */
export function seedScore(r: SeedRunResult, arrowRatio?: number): SeedScore {
  return scoreOf(r.row, r.seed, r.test, r.tTest, arrowRatio, r.train, r.latentDim);
}
