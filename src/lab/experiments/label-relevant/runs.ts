/**
 * Label-relevant VAE, runs: each (model, data set, seed) trains in its own `vae-lab train`
 * process, `parallel` at a time, and leaves <dir>/metrics.json (scores, the per-epoch
 * trajectory, the scoring classifier's accuracy) and a checkpoint <dir>/model, both written
 * atomically. A job whose metrics.json exists is not run again, so a stopped notebook resumes.
 * On this project's 2-core machine two processes at once were no faster than one after the
 * other (lr-vae-gan: 42 ms a step alone, 95-104 ms each with two), so the notebook runs one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentHost } from '../../../common/display';
import { runJobProcesses } from '../../train/processes';
import type { ConditionalKind } from './build';
import type { ConditionalDataset } from './data';
import type { ConditionalScores, TrajectoryPoint } from './score';

/** One training process. */
export interface RunJob {
  kind: ConditionalKind;
  dataset: ConditionalDataset;
  seed: number;
  /** Epochs for this job instead of the preset's (the cVAE, slower to show its class: see presets.ts). */
  epochs?: number;
}

/** What the train command writes to metrics.json (the parts the notebook reads). */
export interface RunMetrics {
  model: ConditionalKind;
  dataset: ConditionalDataset;
  scores: ConditionalScores;
  trajectory: TrajectoryPoint[];
  classifier: { testAccuracy: number; loaded: boolean; note: string };
  trainSeconds: number;
  seconds: number;
}

/** A finished job. */
export interface RunResult extends RunJob {
  dir: string;
  /** The checkpoint folder: `loadCheckpoint(checkpoint, labelRelevant.build)`. */
  checkpoint: string;
  metrics: RunMetrics;
}

export interface RunOptions {
  preset: string;
  /** Runs folder: a job goes to <outDir>/<dataset>/<kind>/seed<seed>. */
  outDir: string;
  dataDir?: string;
  /** Processes at once (default 1; see the module comment). */
  parallel?: number;
  /** `vae-lab` entry point (default: cli.js beside this bundle) and node options before it. */
  cli?: string;
  nodeArgs?: string[];
  /** Extra CLI flags for every job (e.g. ['--epochs', '1']). */
  extraArgs?: string[];
  /** Stops the running process (its job reruns next time). Default: the running cell's signal. */
  signal?: AbortSignal;
  onDone?(r: RunResult): void;
}

/** The CLI arguments of one job. */
export function runArgs(job: RunJob, o: Pick<RunOptions, 'preset' | 'dataDir' | 'extraArgs'>, out: string): string[] {
  const gan = job.kind === 'lr-vae-gan';
  const a = ['train', '--model', gan ? 'lr-vae' : job.kind, ...(gan ? ['--gan'] : []), '--dataset', job.dataset, '--preset', o.preset];
  a.push('--seed', String(job.seed), '--out', out);
  if (o.dataDir) a.push('--data-dir', o.dataDir);
  if (job.epochs !== undefined) a.push('--epochs', String(job.epochs));
  return [...a, ...(o.extraArgs ?? [])];
}

/**
 * Whether `dir` holds this job finished: its metrics.json exists and, when the job names its
 * epochs, was trained for that many (a run left by another epoch count is trained again).
 */
export function isFinished(job: RunJob, dir: string): boolean {
  const file = join(dir, 'metrics.json');
  if (!existsSync(file)) return false;
  if (job.epochs === undefined) return true;
  const m = JSON.parse(readFileSync(file, 'utf8')) as { config?: { epochs?: number } };
  return m.config?.epochs === job.epochs;
}

/** The folder of one job. */
export function runDir(job: RunJob, outDir: string): string {
  return join(outDir, job.dataset, job.kind, `seed${job.seed}`);
}

/** A finished job's results (throws when its metrics.json is missing). */
export function readRun(job: RunJob, dir: string): RunResult {
  const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as RunMetrics;
  return { ...job, dir, checkpoint: join(dir, 'model'), metrics };
}

/** Run every job that is not finished (isFinished), `parallel` at a time; rejects with the first failure's stderr tail. */
export function runJobs(jobs: RunJob[], o: RunOptions): Promise<RunResult[]> {
  return runJobProcesses(
    jobs,
    { dir: (job) => runDir(job, o.outDir), args: (job, dir) => runArgs(job, o, dir), read: readRun, finished: isFinished, onDone: (_job, r) => o.onDone?.(r) },
    { cli: o.cli ?? join(__dirname, 'cli.js'), nodeArgs: o.nodeArgs, parallel: o.parallel ?? 1, signal: o.signal ?? currentHost()?.signal, name: 'runJobs' },
  );
}
