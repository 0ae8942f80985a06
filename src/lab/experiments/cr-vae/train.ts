/**
 * CR-VAE (Sinha & Dieng 2021), train: one model with the lab's Trainer (dynamically
 * binarized, atomic checkpoints), and `run`, the paper's comparison (the CR-wrapped model
 * and optionally its base alone, each trained, checkpointed and scored). `run` is what the
 * "Train CR-VAE" command executes inside a kernel process; the notebook and the CLI call
 * `train` and `score` directly.
 */
import { join } from 'node:path';
import type { ImageDataset } from '../../data/dataset';
import { prepareDataset } from '../../data/sources';
import type { EvalResult } from '../../metrics/evaluate';
import { buildModel } from '../../models';
import type { LabModel } from '../../models/types';
import type { ModelConfig } from '../../core/types';
import { Trainer, type TrainerCallbacks, type TrainResult } from '../../train/trainer';
import { label, modelConfig, runName, type CrModelSpec } from './build';
import { loadData, type DataOptions } from './data';
import { score } from './score';

/** Options of `train`. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Checkpoint folder (written after every epoch, atomically). */
  checkpointDir?: string;
  signal?: AbortSignal;
  callbacks?: TrainerCallbacks;
  /** Stored in the checkpoint's trainer.json (e.g. the data set, so a later load can score it). */
  extra?: Record<string, unknown>;
}

/** Build and train one model (dynamically binarized). A failed run disposes its model. */
export async function train(config: ModelConfig, data: { train: ImageDataset }, o: TrainOptions): Promise<{ model: LabModel; fit: TrainResult }> {
  // The training seed also seeds the initial weights (unless the config names its own).
  const model = buildModel({ seed: o.seed, ...config });
  try {
    const fit = await new Trainer({
      epochs: o.epochs,
      batchSize: o.batchSize,
      seed: o.seed,
      binarize: true,
      signal: o.signal,
      callbacks: o.callbacks,
      checkpointDir: o.checkpointDir,
      extra: o.extra,
    }).fit(model, data.train);
    return { model, fit };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Options of `run`. */
export interface RunOptions extends Omit<CrModelSpec, 'variant'>, DataOptions {
  /** Passes over the training data (default: the preset's). */
  epochs?: number;
  /** Also train the base model without CR, for comparison. */
  baseline?: boolean;
  /** Run folder: each model's checkpoint goes to `<outDir>/<name>/model`, its curves to the result. */
  outDir: string;
  /** Stops training between steps; the last checkpoint stays. Default: the running cell's signal. */
  signal?: AbortSignal;
}

/** One trained and scored model. */
export interface RunResult {
  /** Folder name, e.g. 'cr-vae', 'vae'. */
  name: string;
  /** Table label, e.g. 'CR-VAE', 'beta-VAE (10)'. */
  label: string;
  /** Checkpoint folder (loadCheckpoint). */
  checkpoint: string;
  config: ModelConfig;
  test: EvalResult;
  tTest: EvalResult;
  /** Per-epoch mean terms, e.g. for a chart. */
  epochs: TrainResult['epochHistory'];
  trainSeconds: number;
}

/** Progress of a `run` call, for a notification or a progress display. */
export interface Progress {
  phase: 'load' | 'train' | 'evaluate' | 'done';
  /** Model being trained or evaluated, e.g. 'CR-VAE'. */
  label?: string;
  /** 1-based index of the model and how many there are. */
  run?: number;
  runs?: number;
  epoch?: number;
  epochs?: number;
  step?: number;
  totalSteps?: number;
  loss?: number;
}

export interface RunCallbacks {
  onProgress?(p: Progress): void;
  /** Trainer callbacks per model (a live chart: `(label) => liveChart({ title: label })`). */
  trainer?(label: string): TrainerCallbacks | undefined;
}

export interface RunSummary {
  dataset: string;
  preset: string;
  epochs: number;
  trainExamples: number;
  evalExamples: number;
  K: number;
  M: number;
  runs: RunResult[];
}

/**
 * Train the CR-wrapped model (and, with `baseline`, the base model alone), save each one's
 * checkpoint under `outDir`, and score both on test and t-Test. Cancelling (`signal`) stops
 * between steps with a TrainingCancelledError; the checkpoint of the last finished epoch stays.
 */
export async function run(o: RunOptions, cb: RunCallbacks = {}): Promise<RunSummary> {
  cb.onProgress?.({ phase: 'load' });
  if (!o.dataDir) await prepareDataset(o.dataset, { signal: o.signal });
  const d = await loadData(o);
  const epochs = o.epochs ?? d.preset.epochs;
  const specs: CrModelSpec[] = [{ ...o, variant: 'cr' }];
  if (o.baseline) specs.push({ ...o, variant: 'none' });
  const runs: RunResult[] = [];
  for (const [i, spec] of specs.entries()) {
    const name = runName(spec),
      title = label(spec);
    const config = modelConfig(spec, d.preset, d.train.shape);
    const checkpoint = join(o.outDir, name, 'model');
    const base = { label: title, run: i + 1, runs: specs.length, epochs };
    let epoch = 0;
    const user = cb.trainer?.(title);
    const callbacks: TrainerCallbacks = {
      onStep: async (s) => {
        epoch = s.epoch + 1;
        cb.onProgress?.({ ...base, phase: 'train', epoch, step: s.step, totalSteps: s.totalSteps, loss: s.terms.loss });
        await user?.onStep?.(s);
      },
      onEpochEnd: (e) => user?.onEpochEnd?.(e),
      onCheckpoint: (dir, state) => user?.onCheckpoint?.(dir, state),
    };
    const t0 = Date.now();
    const runInfo = {
      dataset: o.dataset,
      dataDir: o.dataDir,
      preset: o.preset,
      seed: d.seed,
      trainExamples: d.train.n,
      evalExamples: d.test.n,
      K: d.K,
      M: d.M,
    };
    const r = await train(config, d, {
      epochs,
      batchSize: d.preset.batchSize,
      seed: d.seed,
      checkpointDir: checkpoint,
      signal: o.signal,
      callbacks,
      extra: { run: runInfo },
    });
    try {
      const s = await score(r.model, d);
      cb.onProgress?.({ ...base, phase: 'evaluate', epoch });
      runs.push({ name, label: title, checkpoint, config, test: s.test, tTest: s.tTest, epochs: r.fit.epochHistory, trainSeconds: (Date.now() - t0) / 1000 });
    } finally {
      r.model.dispose();
    }
  }
  cb.onProgress?.({ phase: 'done' });
  return { dataset: o.dataset, preset: o.preset, epochs, trainExamples: d.train.n, evalExamples: d.test.n, K: d.K, M: d.M, runs };
}
