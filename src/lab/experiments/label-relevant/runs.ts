/**
 * Label-relevant VAE, runs: the notebook's training jobs (moons and MNIST, every model and seed)
 * are one sweep per preset, notebooks/sweeps/label-relevant-<preset>.json. The lab's job engine
 * runs it (`runSweepFile` here, or `vae-lab sweep run SPEC --out DIR` locally or on Slurm); each
 * job is one `vae-lab train` process that leaves <job>/metrics.json (scores, the per-epoch
 * trajectory, the scoring classifier's accuracy) and the checkpoint <job>/model, and a done job
 * is never run again, so a stopped notebook resumes. Everything the notebook reads comes through
 * `loadSweep(dir)` (`readRuns`): a job not done is named in `missing`, never silently dropped.
 *
 * One job at a time by default: on this project's 2-core machine two processes at once were no
 * faster than one after the other (lr-vae-gan: 42 ms a step alone, 95-104 ms each with two).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentHost } from '../../../common/display';
import { InvalidArgumentError, LabError } from '../../core/errors';
import type { JobParams, JobState, SweepSpec, SweepSummary } from '../../jobs/files';
import { logTail } from '../../jobs/runner';
import { expandSpec } from '../../jobs/spec';
import type { LoadedSweep } from '../../jobs/sweep';
import { notebookSweep, type NotebookSweep } from '../../jobs/notebook';
import type { ConditionalKind } from './build';
import type { ConditionalDataset } from './data';
import type { ConditionalScores, TrajectoryPoint } from './score';

/** One training job, as the notebook names it. */
export interface RunJob {
  kind: ConditionalKind;
  dataset: ConditionalDataset;
  seed: number;
  /** Epochs for this job instead of the preset's (the cVAE, slower to show its class: see presets.ts). */
  epochs?: number;
}

/** What `vae-lab train` writes to metrics.json for these models (the parts the notebook reads). */
export interface RunMetrics {
  model: ConditionalKind;
  dataset: ConditionalDataset;
  scores: ConditionalScores;
  trajectory: TrajectoryPoint[];
  classifier: { testAccuracy: number; loaded: boolean; note: string };
  trainSeconds: number;
  seconds: number;
}

/** A done job. */
export interface RunResult extends RunJob {
  /** The sweep's job id. */
  id: string;
  /** The job's folder. */
  dir: string;
  /** The checkpoint folder: `loadCheckpoint(checkpoint, labelRelevant.build)`. */
  checkpoint: string;
  metrics: RunMetrics;
}

/** A job of the sweep that is not done (queued, running, failed or cancelled). */
export interface MissingRun extends RunJob {
  id: string;
  state: JobState;
  reason?: string;
  /** A failed job's last log lines. */
  logTail?: string;
}

/** The sweep's jobs as the notebook reads them: the done ones and the rest, each in the sweep's order. */
export interface SweepRuns {
  dir: string;
  name: string;
  /** The preset the jobs were trained at (`base.preset` of the spec). */
  preset: string | undefined;
  runs: RunResult[];
  missing: MissingRun[];
}

const DATASETS: ConditionalDataset[] = ['moons', 'mnist', 'fashion-mnist'];
const MODELS = ['lr-vae', 'cvae', 'cvae-gan'];

/**
 * The job a sweep job's params train: `--model lr-vae --gan` is LR-VAE-GAN. Throws for a job
 * that is not one of these models (a spec of another experiment).
 */
export function jobOf(params: JobParams): RunJob {
  const model = params.model;
  const dataset = (params.dataset ?? 'mnist') as ConditionalDataset;
  if (typeof model !== 'string' || !MODELS.includes(model))
    throw new InvalidArgumentError(`job ${JSON.stringify(params)} is not a label-relevant job: its model must be one of ${MODELS.join(', ')}`);
  if (!DATASETS.includes(dataset)) throw new InvalidArgumentError(`job ${JSON.stringify(params)}: dataset must be one of ${DATASETS.join(', ')}`);
  const kind = (model === 'lr-vae' && params.gan === true ? 'lr-vae-gan' : model) as ConditionalKind;
  const seed = typeof params.seed === 'number' ? params.seed : 0;
  return { kind, dataset, seed, ...(typeof params.epochs === 'number' ? { epochs: params.epochs } : {}) };
}

/** The done jobs (with metrics.json and checkpoint) and the missing ones of a loaded sweep. */
export function readRuns(sweep: LoadedSweep): SweepRuns {
  const runs: RunResult[] = [];
  const missing: MissingRun[] = [];
  for (const j of sweep.jobs) {
    const job = jobOf(j.params);
    const metrics = sweep.metrics[j.id] as RunMetrics | undefined;
    if (j.state === 'done' && metrics) {
      const dir = join(sweep.dir, j.dir);
      runs.push({ ...job, id: j.id, dir, checkpoint: join(dir, 'model'), metrics });
    } else {
      const tail = j.state === 'failed' ? logTail(join(sweep.dir, j.dir), 8) : '';
      missing.push({ ...job, id: j.id, state: j.state, ...(j.reason ? { reason: j.reason } : {}), ...(tail ? { logTail: tail } : {}) });
    }
  }
  const preset = sweep.spec.base.preset;
  return { dir: sweep.dir, name: sweep.name, preset: typeof preset === 'string' ? preset : undefined, runs, missing };
}

/** One line per missing job: what it trains, its state and why (markdown). */
export function missingNote(missing: MissingRun[]): string {
  return missing
    .map(
      (m) =>
        `- ${m.dataset} ${m.kind} seed ${m.seed}${m.epochs ? ` (${m.epochs} epochs)` : ''}: **${m.state}**${m.reason ? ` (${m.reason})` : ''}, job \`${m.id}\`` +
        (m.logTail ? `, last lines of its log:\n\n  \`\`\`\n${m.logTail.replace(/^/gm, '  ')}\n  \`\`\`` : ''),
    )
    .join('\n');
}

/** The seeds at which every one of `kinds` is done on `dataset` (the seeds a paired comparison can use), ascending. */
export function pairedSeeds(runs: RunResult[], dataset: ConditionalDataset, kinds: ConditionalKind[]): number[] {
  const at = (k: ConditionalKind) => new Set(runs.filter((r) => r.dataset === dataset && r.kind === k).map((r) => r.seed));
  const sets = kinds.map(at);
  return [...sets[0]].filter((s) => sets.every((set) => set.has(s))).sort((a, b) => a - b);
}

export interface RunSweepFileOptions {
  /** Processes at once (default 1; see the module comment). */
  jobs?: number;
  /** `vae-lab` entry point (default: cli.js beside this bundle) and node options before it. */
  cli?: string;
  nodeArgs?: string[];
  /** Stops the running jobs (they end cancelled and run again next time). Default: the running cell's signal. */
  signal?: AbortSignal;
  /** One line of progress (default console.log). */
  log?(line: string): void;
}

/**
 * Runs the label-relevant sweep spec `specFile` into the sweep folder `dir` on the local
 * executor (experiments.notebookSweep, the engine every notebook uses), skipping done jobs and
 * leaving failed ones failed; resolves with the sweep once every job has ended. Every job must
 * be a label-relevant one (jobOf), checked before anything runs. The spec's flags are checked
 * against `vae-lab train` by the CLI and by the test of the committed specs.
 */
export async function runSweepFile(specFile: string, dir: string, o: RunSweepFileOptions = {}): Promise<SweepSummary> {
  return (await notebookRuns(specFile, dir, { ...o, env: {} })).sweep;
}

/**
 * The notebook's runs by the convention of every notebook (experiments.notebookSweep): with
 * `VAE_LAB_RUNS_DIR` set in `o.env` (default process.env) that sweep folder is only read;
 * otherwise the spec's pending jobs run into `dir` as runSweepFile does. Either way every job
 * must be a label-relevant one (jobOf), checked before anything runs or is read.
 */
export async function notebookRuns(
  specFile: string,
  dir: string,
  o: RunSweepFileOptions & { env?: Record<string, string | undefined> } = {},
): Promise<{ sweep: LoadedSweep; source: NotebookSweep['source'] }> {
  if (!existsSync(specFile))
    throw new InvalidArgumentError(`no sweep spec at ${specFile}: the notebook's specs are notebooks/sweeps/label-relevant-<preset>.json`);
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as SweepSpec;
  if (spec?.command !== 'train' || typeof spec.name !== 'string' || typeof spec.base !== 'object' || !spec.grid)
    throw new InvalidArgumentError(`${specFile} is not a sweep spec: {"name", "command": "train", "base", "grid"}`);
  for (const j of expandSpec(spec).jobs) jobOf(j.params);
  const signal = o.signal ?? currentHost()?.signal;
  const { sweep, source } = await notebookSweep({
    specFile,
    outDir: dir,
    env: o.env ?? process.env,
    retryFailed: false,
    jobs: o.jobs ?? 1,
    cli: o.cli ?? join(__dirname, 'cli.js'),
    nodeArgs: o.nodeArgs,
    signal,
    log: o.log,
  });
  // Stopped (the cell's interrupt): the running jobs ended cancelled and run again next time; nothing below should read a half sweep.
  if (signal?.aborted) throw new LabError(`sweep ${spec.name} stopped: ${sweep.counts.done} of ${sweep.jobs.length} jobs done; run again to resume`);
  return { sweep, source };
}
