/**
 * FactorVAE vs beta-VAE, the comparison's runs on disk, so that one comparison can be spread
 * over several sessions. Each model and seed trains into <out>/.partial/<name> and is renamed
 * to <out>/<name> only once it has finished with its metrics.json (a rename within one file
 * system is atomic): <out>/<name>/metrics.json exists exactly when that run is complete, and a
 * reader never sees half a run. A later start skips the complete runs and trains the others
 * from the start (an interrupted run's partial folder is discarded: its checkpoints come only
 * at epoch ends, so there is little to resume from).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DSpritesModel } from './build';
import { COMPARISON_GRID } from './compare';

/** One model and seed of a comparison, with where it lives on disk. */
export interface PlannedRun {
  model: DSpritesModel;
  /** beta or gamma. */
  weight: number;
  seed: number;
  /** `<model>-<weight>-s<seed>`. */
  name: string;
  /** The finished run: metrics.json, model/, train.log. */
  dir: string;
  /** Where it trains until it has finished. */
  partialDir: string;
}

/** The folder name of one run (what `loadComparisonRun` reads). */
export function runDirName(model: DSpritesModel, weight: number, seed: number): string {
  return `${model}-${weight}-s${seed}`;
}

/**
 * Every run of a comparison with `seeds` seeds (0 .. seeds-1), seed by seed, so that an
 * interrupted comparison has whole seeds; within a seed FactorVAE first (the longer runs first,
 * so that parallel jobs end close together).
 */
export function planRuns(out: string, seeds: number, grid: readonly { model: DSpritesModel; weight: number }[] = COMPARISON_GRID): PlannedRun[] {
  const order = [...grid.filter((g) => g.model === 'factor-vae'), ...grid.filter((g) => g.model !== 'factor-vae')];
  const runs: PlannedRun[] = [];
  for (let seed = 0; seed < seeds; seed++)
    for (const { model, weight } of order) {
      const name = runDirName(model, weight, seed);
      runs.push({ model, weight, seed, name, dir: join(out, name), partialDir: join(out, '.partial', name) });
    }
  return runs;
}

/** Whether a run folder holds a finished run (its metrics.json is written last, atomically). */
export function isComplete(dir: string): boolean {
  return existsSync(join(dir, 'metrics.json'));
}

/** A fresh, empty partial folder for `run` (a leftover of an interrupted attempt is removed). */
export function startRun(run: PlannedRun): string {
  rmSync(run.partialDir, { recursive: true, force: true });
  mkdirSync(run.partialDir, { recursive: true });
  return run.partialDir;
}

/**
 * Publish a run that has finished: its partial folder becomes its run folder, when the partial
 * folder holds a metrics.json. Returns false otherwise (the partial folder stays, for its
 * train.log, until the next attempt).
 */
export function finishRun(run: PlannedRun): boolean {
  if (!isComplete(run.partialDir)) return false;
  rmSync(run.dir, { recursive: true, force: true }); // a run folder without metrics.json is not a run
  renameSync(run.partialDir, run.dir);
  return true;
}

/** What `runComparison` did with each run, by name. */
export interface ComparisonProgress {
  skipped: string[];
  done: string[];
  failed: string[];
}

/**
 * Train every run not complete yet, `jobs` at a time. `trainOne(run, folder)` trains one run
 * into `folder` and resolves true when it succeeded (for the CLI: exit code 0); the run is
 * published only if it also left a metrics.json there. Failures do not stop the other runs.
 */
export async function runComparison(
  runs: readonly PlannedRun[],
  jobs: number,
  trainOne: (run: PlannedRun, folder: string) => Promise<boolean>,
  log: (line: string) => void = () => {},
): Promise<ComparisonProgress> {
  const progress: ComparisonProgress = { skipped: [], done: [], failed: [] };
  const queue = runs.filter((r) => {
    if (!isComplete(r.dir)) return true;
    progress.skipped.push(r.name);
    log(`skip ${r.name} (complete)`);
    return false;
  });
  const worker = async () => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      const ok = await trainOne(run, startRun(run));
      if (ok && finishRun(run)) progress.done.push(run.name);
      else {
        progress.failed.push(run.name);
        log(`FAILED ${run.name} (${ok ? 'no metrics.json' : 'exited with an error'}; see ${join(run.partialDir, 'train.log')})`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return progress;
}
