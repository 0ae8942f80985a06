/**
 * A notebook's runs as a sweep: every multi-run experiment (CR-VAE's rows and seeds, the
 * FactorVAE comparison, the label-relevant jobs) is one committed spec,
 * notebooks/sweeps/<experiment>-<preset>.json, run by the job engine (src/lab/jobs) into
 * runs/<experiment>-<preset> beside the notebook, and read back with `loadSweep` only.
 *
 * The convention every notebook follows:
 * - `VAE_LAB_RUNS_DIR` (RUNS_DIR_ENV) set: the notebook reads that sweep folder (one a cluster
 *   ran with `vae-lab sweep run --executor slurm`, copied anywhere) and trains nothing; it must
 *   be a sweep folder (sweep.json), else a clear error.
 * - otherwise the notebook runs its spec's pending jobs into its own folder (done jobs are
 *   skipped, so a stopped notebook resumes), unless the experiment is too long for a sitting
 *   (FactorVAE at laptop), where it runs them only when asked (`train: false` here).
 * A job not done is named as missing; tables and verdicts use the done jobs only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { currentHost } from '../../common/display';
import { InvalidArgumentError } from '../core/errors';
import { isSweepDir, type SweepSpec } from './files';
import { expandSpec } from './spec';
import { loadSweep, runSweep, type LoadedSweep } from './sweep';

/** The environment variable naming a sweep folder a notebook reads instead of running its own. */
export const RUNS_DIR_ENV = 'VAE_LAB_RUNS_DIR';

export interface NotebookSweepOptions {
  /** The committed spec (notebooks/sweeps/<experiment>-<preset>.json). */
  specFile: string;
  /** The notebook's own sweep folder (runs/<experiment>-<preset>). */
  outDir: string;
  /** Run the spec's pending jobs (default true); false: read what is there. */
  train?: boolean;
  /** Run failed jobs again (default true: a notebook run again tries them again; their logs say why they failed). */
  retryFailed?: boolean;
  /** Processes at once (default: the engine's, one per core, one thread each). */
  jobs?: number;
  /** `vae-lab` entry point (default: cli.js beside this bundle) and node options before it. */
  cli?: string;
  nodeArgs?: string[];
  /** Stops the running jobs (they run again next time). Default: the running cell's signal. */
  signal?: AbortSignal;
  log?(line: string): void;
  /** The environment to read RUNS_DIR_ENV from (default process.env). */
  env?: Record<string, string | undefined>;
}

/** What a notebook reads: the sweep, where it came from, and the jobs not done yet. */
export interface NotebookSweep {
  sweep: LoadedSweep;
  /** 'env': RUNS_DIR_ENV's folder, read only; 'ran': this notebook ran its pending jobs; 'read': its own folder, read only. */
  source: 'env' | 'ran' | 'read';
  /** Ids of the jobs that are not done (missing from the tables), with their state. */
  missing: { id: string; state: string }[];
}

/** Reads a committed spec file (the spec tests check them against `vae-lab train`'s flags). */
export function readSpecFile(file: string): SweepSpec {
  if (!existsSync(file)) throw new InvalidArgumentError(`no sweep spec at ${resolve(file)}: the notebooks' specs live in notebooks/sweeps/`);
  return JSON.parse(readFileSync(file, 'utf8')) as SweepSpec;
}

/** The jobs of a loaded sweep that are not done. */
export function missingJobs(sweep: LoadedSweep): { id: string; state: string }[] {
  return sweep.jobs.filter((j) => j.state !== 'done').map((j) => ({ id: j.id, state: j.state }));
}

/**
 * The notebook's sweep, by the convention above: RUNS_DIR_ENV's folder read only, or the spec's
 * pending jobs run into `outDir` (when `train`), then everything read through `loadSweep`.
 * A folder that is not a sweep yet (nothing ran) reads as every job missing.
 */
export async function notebookSweep(o: NotebookSweepOptions): Promise<NotebookSweep> {
  const env = o.env ?? process.env;
  const given = env[RUNS_DIR_ENV];
  if (given) {
    if (!isSweepDir(given))
      throw new InvalidArgumentError(
        `${RUNS_DIR_ENV}=${given} is not a sweep folder (no sweep.json): point it at the --out folder of \`vae-lab sweep run\`, or unset it to run ${o.specFile} here`,
      );
    const sweep = loadSweep(given);
    return { sweep, source: 'env', missing: missingJobs(sweep) };
  }
  const spec = readSpecFile(o.specFile);
  if (o.train ?? true) {
    await runSweep(spec, o.outDir, {
      cli: o.cli ?? join(__dirname, 'cli.js'),
      nodeArgs: o.nodeArgs,
      jobs: o.jobs,
      retryFailed: o.retryFailed ?? true,
      signal: o.signal ?? currentHost()?.signal,
      log: o.log ?? ((line) => console.log(line)),
      progressEveryMs: 60_000,
    });
    const sweep = loadSweep(o.outDir);
    return { sweep, source: 'ran', missing: missingJobs(sweep) };
  }
  if (!isSweepDir(o.outDir)) {
    // Nothing ran yet: every job of the spec is missing.
    const file = expandSpec(spec);
    const jobs = file.jobs.map((j) => ({ id: j.id, params: j.params, state: 'queued' as const, dir: join('jobs', j.id) }));
    const sweep: LoadedSweep = {
      name: file.name,
      updatedAt: Date.now(),
      counts: { queued: jobs.length, running: 0, done: 0, failed: 0, cancelled: 0 },
      jobs,
      groups: [],
      dir: resolve(o.outDir),
      spec: file,
      metrics: {},
    };
    return { sweep, source: 'read', missing: missingJobs(sweep) };
  }
  const sweep = loadSweep(o.outDir);
  return { sweep, source: 'read', missing: missingJobs(sweep) };
}

/** A job's folder (checkpoint under model/, metrics.json) inside a loaded sweep. */
export function jobFolder(sweep: LoadedSweep, id: string): string {
  const j = sweep.jobs.find((x) => x.id === id);
  if (!j) throw new InvalidArgumentError(`no job ${id} in the sweep ${sweep.dir}`);
  return join(sweep.dir, j.dir);
}
