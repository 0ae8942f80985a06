/**
 * CR-VAE experiments (Sinha & Dieng 2021) in one place, shared by the "Train CR-VAE" command
 * (it runs `trainCrVae` inside a kernel process), notebooks/cr-vae.ipynb and the results
 * notebooks the command writes: the model configs come from the CLI's model table
 * (`cliModels`), training is the lab's Trainer with atomic checkpoints, scores are the
 * paper's NLL / MI / AU on the test and t-Test sets (`evaluate`).
 */
import { join } from 'node:path';
import { cliModels } from '../cli/models';
import type { ImageDataset } from '../data/dataset';
import { loadDataset, prepareDataset } from '../data/sources';
import { transformedSet } from '../data/ttest';
import { evaluate, type EvalResult } from '../metrics/evaluate';
import { buildModel } from '../models/registry';
import type { DensityModel } from '../models/types';
import { presets, type Preset } from '../presets';
import { Trainer, type TrainerCallbacks, type TrainResult } from '../train/trainer';
import type { Checkpointable, ModelConfig } from '../train/types';

/** Base models the consistency regularizer wraps here. */
export type CrBaseModel = 'vae' | 'iwae' | 'beta-vae';

/** What to train: a base model, optionally with CR ('cr') or with augmentation only ('aug', eta 0). */
export interface CrModelSpec {
  model: CrBaseModel;
  /** beta-VAE's weight on KL(q(z|x) || p(z)) (default 1). */
  beta?: number;
  /** IWAE's importance samples in the bound (default 5). */
  k?: number;
  /** 'none': the base alone; 'cr': CR-wrapped; 'aug': x and x~ without the consistency KL ("VAE + Aug"). */
  variant: 'none' | 'cr' | 'aug';
  /** Weight of the consistency KL (default 0.1, or 0.1 * beta). Only with variant 'cr'. */
  eta?: number;
  /** KL direction of the consistency term (default the paper's equation 2: q(z|x) first). */
  klDirection?: 'q(z|x)||q(z|x~)' | 'q(z|x~)||q(z|x)';
}

/** Options of `trainCrVae`. */
export interface CrVaeOptions extends Omit<CrModelSpec, 'variant'> {
  /** 'mnist' | 'fashion-mnist' | a folder of IDX files. */
  dataset: string;
  /** Folder holding the data set's IDX files (overrides the default search). */
  dataDir?: string;
  /** 'quick' (CPU, minutes) or 'paper' (the paper's setting, GPU). */
  preset: string;
  /** Passes over the training data (default: the preset's). */
  epochs?: number;
  /** Training images (default: the preset's). */
  trainExamples?: number;
  /** Test / t-Test images scored (default: the preset's). */
  evalExamples?: number;
  /** Importance samples for the NLL (default: the preset's). */
  K?: number;
  seed?: number;
  /** Also train the base model without CR, for comparison. */
  baseline?: boolean;
  /** Run folder: each model's checkpoint goes to `<outDir>/<name>/model`, its curves to the result. */
  outDir: string;
  /** Stops training between steps; the last checkpoint stays. Default: the running cell's signal. */
  signal?: AbortSignal;
}

/** One trained and scored model. */
export interface CrRunResult {
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

/** Progress of a `trainCrVae` call, for a notification or a progress display. */
export interface CrProgress {
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

export interface CrVaeCallbacks {
  onProgress?(p: CrProgress): void;
  /** Trainer callbacks per model (a live chart: `(label) => liveChart({ title: label })`). */
  trainer?(label: string): TrainerCallbacks | undefined;
}

export interface CrVaeResult {
  dataset: string;
  preset: string;
  epochs: number;
  trainExamples: number;
  evalExamples: number;
  K: number;
  M: number;
  runs: CrRunResult[];
}

/** The CR-VAE paper's MNIST rows (Table 1; "VAE + Aug" from Table 4). NLL in nats. */
export const CRVAE_PAPER_MNIST: { label: string; nllTest: number; nllTTest: number; au: number }[] = [
  { label: 'VAE', nllTest: 83.7, nllTTest: 338.7, au: 36 },
  { label: 'CR-VAE', nllTest: 81.2, nllTTest: 129.5, au: 47 },
  { label: 'IWAE', nllTest: 81.7, nllTTest: 318.0, au: 39 },
  { label: 'CR-IWAE', nllTest: 79.7, nllTTest: 124.8, au: 50 },
  { label: 'beta-VAE (0.5)', nllTest: 92.6, nllTTest: 285.3, au: 50 },
  { label: 'beta-CR-VAE (0.5)', nllTest: 85.7, nllTTest: 123.4, au: 50 },
  { label: 'beta-VAE (10)', nllTest: 126.1, nllTTest: 361.3, au: 8 },
  { label: 'beta-CR-VAE (10)', nllTest: 126.2, nllTTest: 225.8, au: 10 },
  { label: 'VAE + Aug', nllTest: 82.8, nllTTest: 131.3, au: 42 },
];

/** Table label of a model, as the paper writes it ('CR-IWAE', 'beta-CR-VAE (10)', 'VAE + Aug'). */
export function crLabel(spec: Pick<CrModelSpec, 'model' | 'beta' | 'variant'>): string {
  const cr = spec.variant === 'cr';
  let label: string;
  if (spec.model === 'beta-vae') label = `beta-${cr ? 'CR-' : ''}VAE (${spec.beta ?? 1})`;
  else label = `${cr ? 'CR-' : ''}${spec.model === 'iwae' ? 'IWAE' : 'VAE'}`;
  return spec.variant === 'aug' ? `${label} + Aug` : label;
}

/** Folder name of a model's run ('cr-beta-vae-10'). */
export function crRunName(spec: Pick<CrModelSpec, 'model' | 'beta' | 'variant'>): string {
  const base = spec.model === 'beta-vae' ? `beta-vae-${spec.beta ?? 1}` : spec.model;
  return spec.variant === 'none' ? base : `${spec.variant}-${base}`;
}

/** The paper's row for a model (MNIST only; undefined when the paper has none, e.g. another beta). */
export function paperRow(spec: Pick<CrModelSpec, 'model' | 'beta' | 'variant'>, dataset = 'mnist') {
  if (dataset !== 'mnist') return undefined;
  return CRVAE_PAPER_MNIST.find((r) => r.label === crLabel(spec));
}

/** Model config from the CLI's model table, wrapped with the consistency regularizer when asked. */
export function crModelConfig(spec: CrModelSpec, preset: Preset, inputShape: [number, number, number]): ModelConfig {
  const flags = { beta: spec.beta, k: spec.k } as Record<string, number | undefined>;
  const base = cliModels[spec.model].config({ flags: flags as never, preset, inputShape });
  if (spec.variant === 'none') return base;
  const options: Record<string, unknown> = {};
  if (spec.variant === 'aug') options.eta = 0;
  else if (spec.eta !== undefined) options.eta = spec.eta;
  if (spec.klDirection) options.klDirection = spec.klDirection;
  return { kind: 'cr', base, options };
}

/** Data, t-Test set and evaluation sizes for a preset (the CLI's defaults). */
export function crData(o: Pick<CrVaeOptions, 'dataset' | 'dataDir' | 'preset' | 'trainExamples' | 'evalExamples' | 'K' | 'seed'>) {
  const preset = presets[o.preset];
  if (!preset) throw new Error(`unknown preset '${o.preset}': use ${Object.keys(presets).join(' or ')}`);
  const data = loadDataset(o.dataset, { dataDir: o.dataDir });
  const seed = o.seed ?? 0;
  const nTrain = o.trainExamples ?? preset.trainExamples;
  const train = nTrain ? data.train.subset(nTrain, seed) : data.train;
  const nEval = Math.min(o.evalExamples ?? preset.evalExamples ?? data.test.n, data.test.n);
  const test = data.test.slice(0, nEval);
  return { preset, train, test, tTest: transformedSet(test), K: o.K ?? preset.K, M: Math.min(preset.M, nEval), seed };
}

/** Options of `trainAndScore`. */
export interface TrainAndScoreOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  K: number;
  M: number;
  /** Checkpoint folder (written after every epoch, atomically). */
  checkpointDir?: string;
  signal?: AbortSignal;
  callbacks?: TrainerCallbacks;
  /** Stored in the checkpoint's trainer.json (e.g. the data set, so a later load can score it). */
  extra?: Record<string, unknown>;
}

/** Build, train (lab Trainer, dynamically binarized) and score one model on test and t-Test. */
export async function trainAndScore(config: ModelConfig, train: ImageDataset, test: ImageDataset, tTest: ImageDataset, o: TrainAndScoreOptions) {
  const model = buildModel(config);
  try {
    const fit = await new Trainer({
      epochs: o.epochs, batchSize: o.batchSize, seed: o.seed, binarize: true, signal: o.signal,
      callbacks: o.callbacks, checkpointDir: o.checkpointDir, extra: o.extra,
    }).fit(model, train);
    const scored = model as unknown as DensityModel;
    return { model, fit, test: evaluate(scored, test, { K: o.K, M: o.M }), tTest: evaluate(scored, tTest, { K: o.K, M: o.M }) };
  } catch (e) {
    (model as Checkpointable & { dispose?: () => void }).dispose?.();
    throw e;
  }
}

/**
 * Train the CR-wrapped model (and, with `baseline`, the base model alone), save each one's
 * checkpoint under `outDir`, and score both on test and t-Test. Cancelling (`signal`) stops
 * between steps with a TrainingCancelledError; the checkpoint of the last finished epoch stays.
 */
export async function trainCrVae(o: CrVaeOptions, cb: CrVaeCallbacks = {}): Promise<CrVaeResult> {
  cb.onProgress?.({ phase: 'load' });
  if (!o.dataDir) await prepareDataset(o.dataset, { signal: o.signal });
  const d = crData(o);
  const epochs = o.epochs ?? d.preset.epochs;
  const specs: CrModelSpec[] = [{ ...o, variant: 'cr' }];
  if (o.baseline) specs.push({ ...o, variant: 'none' });
  const runs: CrRunResult[] = [];
  for (const [i, spec] of specs.entries()) {
    const label = crLabel(spec), name = crRunName(spec);
    const config = crModelConfig(spec, d.preset, d.train.shape);
    const checkpoint = join(o.outDir, name, 'model');
    const base = { label, run: i + 1, runs: specs.length, epochs };
    let epoch = 0;
    const user = cb.trainer?.(label);
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
    const run = { dataset: o.dataset, dataDir: o.dataDir, preset: o.preset, seed: d.seed, trainExamples: d.train.n, evalExamples: d.test.n, K: d.K, M: d.M };
    const r = await trainAndScore(config, d.train, d.test, d.tTest, {
      epochs, batchSize: d.preset.batchSize, seed: d.seed, K: d.K, M: d.M, checkpointDir: checkpoint,
      signal: o.signal, callbacks, extra: { run },
    });
    cb.onProgress?.({ ...base, phase: 'evaluate', epoch });
    (r.model as Checkpointable & { dispose?: () => void }).dispose?.();
    runs.push({ name, label, checkpoint, config, test: r.test, tTest: r.tTest, epochs: r.fit.epochHistory, trainSeconds: (Date.now() - t0) / 1000 });
  }
  cb.onProgress?.({ phase: 'done' });
  return { dataset: o.dataset, preset: o.preset, epochs, trainExamples: d.train.n, evalExamples: d.test.n, K: d.K, M: d.M, runs };
}

/**
 * A Markdown table of results beside the paper's MNIST rows (Table 1 / Table 4; NLL in nats).
 * The paper columns are always MNIST's: on another data set they are a reference, not a target.
 */
export function crResultsMarkdown(runs: Pick<CrRunResult, 'label' | 'test' | 'tTest'>[]): string {
  const f = (v: number | undefined, digits = 1) => (v === undefined ? '–' : v.toFixed(digits));
  const rows = runs.map((r) => {
    const p = CRVAE_PAPER_MNIST.find((q) => q.label === r.label);
    return `| ${r.label} | ${f(r.test.nll)} | ${f(r.tTest.nll)} | ${f(r.test.mi, 2)} | ${f(r.tTest.mi, 2)} | ${r.test.au} | ${f(p?.nllTest)} | ${f(p?.nllTTest)} | ${p?.au ?? '–'} |`;
  });
  return ['| model | NLL test | NLL t-Test | MI test | MI t-Test | AU | paper (MNIST) NLL test | paper NLL t-Test | paper AU |', '|---|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}
