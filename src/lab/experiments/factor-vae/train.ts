/**
 * beta-VAE vs FactorVAE on dSprites in one place, shared by the CLI (`vae-lab train --model
 * factor-vae|beta-vae --dataset dsprites`) and notebooks/factor-vae.ipynb: presets, configs,
 * data, training with the lab's Trainer, and the scores (the usual NLL/MI/AU of metrics.json
 * plus the `disentanglement` field).
 */
import { DSprites, DSPRITES_FACTOR_SIZES, FactorBatchSource, imagesOf, sampleFactors, subsetFactors } from '../data/dsprites';
import { ImageDataset } from '../data/dataset';
import { Rng } from '../data/random';
import { transformedSet } from '../data/ttest';
import { evaluate, type EvalResult } from '../metrics/evaluate';
import { evaluateDisentanglement, type DisentanglementEvalOptions, type DisentanglementReport } from '../metrics/disentanglementEval';
import type { DSpritesNetConfig } from '../nets/dsprites';
import type { Preset } from '../presets';
import { Trainer, type TrainerCallbacks, type TrainResult } from '../train/trainer';
import type { Checkpointable, ModelConfig } from '../train/types';
import { FactorVAE, type DiscriminatorConfig, type FactorVaeConfig } from './factorVae';
import { buildModel, registerModel } from './registry';
import type { DensityModel } from './types';

registerModel('factor-vae', (c) => new FactorVAE(c as FactorVaeConfig));

/** A dSprites preset: the lab's Preset (so the CLI's model table can read it) plus FactorVAE's D and the metric sizes. */
export interface DSpritesPreset extends Preset {
  net: DSpritesNetConfig;
  /** FactorVAE's discriminator. */
  discriminator: DiscriminatorConfig;
  /** Metric settings (votes, batch sizes, evaluation images). */
  disentanglement: Omit<DisentanglementEvalOptions, 'seed' | 'signal'>;
}

export const dspritesPresets: Record<'quick' | 'paper', DSpritesPreset> = {
  /**
   * CPU, minutes: narrow convs (8, 8, 16, 16), a 6,400-image subset, 2 epochs (200 steps of
   * 64), a 3 x 128 D with a faster Adam (5e-4) so it keeps up in so few steps, fewer votes.
   */
  quick: {
    net: { kind: 'dsprites', filters: [8, 8, 16, 16], hidden: 64 },
    latentDim: 10,
    learningRate: 1e-3,
    batchSize: 64,
    epochs: 2,
    trainExamples: 6400,
    evalExamples: 100,
    K: 10,
    M: 100,
    discriminator: { width: 128, depth: 3, learningRate: 5e-4 },
    disentanglement: {
      evalImages: 500,
      factorVae: { numTrain: 200, numEval: 200, batchSize: 32, numVarianceEstimate: 2000 },
      betaVae: { numTrain: 200, numEval: 100, batchSize: 16 },
    },
  },
  /** The paper's setting (GPU): Table 1 nets, all 737,280 images, ~3e5 steps of 64, D 6 x 1000. */
  paper: {
    net: { kind: 'dsprites' },
    latentDim: 10,
    learningRate: 1e-4,
    batchSize: 64,
    epochs: 26,
    evalExamples: 1000,
    K: 1000,
    M: 1000,
    discriminator: { width: 1000, depth: 6, learningRate: 1e-4, beta1: 0.5, beta2: 0.9 },
    disentanglement: {
      evalImages: 1000,
      factorVae: { numTrain: 800, numEval: 800, batchSize: 64, numVarianceEstimate: 10000 },
      betaVae: { numTrain: 2000, numEval: 1000, batchSize: 64 },
    },
  },
};

/** The config of a beta-VAE (weight = beta) or FactorVAE (weight = gamma) with the dSprites nets. */
export function dspritesConfig(kind: 'beta-vae' | 'factor-vae', weight: number, preset: DSpritesPreset): ModelConfig {
  const base = { inputShape: [64, 64, 1] as [number, number, number], latentDim: preset.latentDim, net: preset.net, learningRate: preset.learningRate };
  return kind === 'beta-vae'
    ? { kind, ...base, beta: weight }
    : { kind, ...base, gamma: weight, discriminator: preset.discriminator };
}

/** Held-out dSprites images (uniform over the grid, seeded) as an ImageDataset for NLL/MI/AU. */
export function dspritesTestSet(set: DSprites, n: number, seed: number): ImageDataset {
  const x = imagesOf(set, sampleFactors(DSPRITES_FACTOR_SIZES, n, new Rng(seed)));
  const v = x.dataSync();
  x.dispose();
  return new ImageDataset(Uint8Array.from(v, (p) => p * 255), [64, 64, 1], undefined, `dsprites/test[${n}]`);
}

/** Options of one run. */
export interface DSpritesRunOptions {
  /** Seed of the subset, the training and the metrics. Default 0. */
  seed?: number;
  /** Epochs (default: the preset's). */
  epochs?: number;
  /** Training subset size (default: the preset's; undefined there = the whole grid). */
  trainExamples?: number;
  /** Cancels training between steps and the metrics between votes. */
  signal?: AbortSignal;
  /** Trainer callbacks (progress, live TC chart). */
  callbacks?: TrainerCallbacks;
  /** Checkpoint folder (optional). */
  checkpointDir?: string;
  /** Stored in the checkpoint. */
  extra?: Record<string, unknown>;
  /** Also score NLL/MI/AU on held-out and warped held-out images (metrics.json's test / tTest). Default true. */
  likelihood?: boolean;
}

/** What one run produces. */
export interface DSpritesRun extends DSpritesScores {
  model: Checkpointable & DensityModel;
  train: TrainResult;
  trainSeconds: number;
}

/** Train one model on dSprites and score it. */
export async function runDSprites(config: ModelConfig, preset: DSpritesPreset, o: DSpritesRunOptions = {}): Promise<DSpritesRun> {
  const seed = o.seed ?? 0;
  const set = new DSprites();
  const nTrain = o.trainExamples ?? preset.trainExamples;
  const data = new FactorBatchSource(set, nTrain ? subsetFactors(DSPRITES_FACTOR_SIZES, nTrain, new Rng(seed)) : undefined);
  const model = buildModel(config) as Checkpointable & DensityModel;
  const t0 = Date.now();
  const train = await new Trainer({
    epochs: o.epochs ?? preset.epochs, batchSize: preset.batchSize, seed, signal: o.signal,
    callbacks: o.callbacks, checkpointDir: o.checkpointDir, extra: o.extra,
  }).fit(model, data);
  const trainSeconds = (Date.now() - t0) / 1000;
  return { model, train, trainSeconds, ...scoreDSprites(model, preset, { seed, signal: o.signal, likelihood: o.likelihood }) };
}

/** What `scoreDSprites` measures. */
export interface DSpritesScores {
  disentanglement: DisentanglementReport;
  /** NLL/MI/AU on held-out images and on the same images warped (the CR-VAE t-Test warp). */
  test?: EvalResult;
  tTest?: EvalResult;
}

/** Score a trained model (after `runDSprites`, or loaded from a checkpoint by `vae-lab eval`). */
export function scoreDSprites(model: DensityModel, preset: DSpritesPreset, o: { seed?: number; signal?: AbortSignal; likelihood?: boolean } = {}): DSpritesScores {
  const seed = o.seed ?? 0;
  const set = new DSprites();
  const disentanglement = evaluateDisentanglement(model, set, { ...preset.disentanglement, seed: seed + 1000, signal: o.signal });
  if (o.likelihood === false) return { disentanglement };
  const testSet = dspritesTestSet(set, preset.evalExamples ?? 1000, seed + 2000);
  const opts = { K: preset.K, M: preset.M };
  return { disentanglement, test: evaluate(model, testSet, opts), tTest: evaluate(model, transformedSet(testSet), opts) };
}
