/**
 * The label-relevant VAE experiments in one place, shared by the CLI (`vae-lab train --model
 * lr-vae`) and the notebook: configs per data set and preset, data, training with the lab's
 * Trainer, and the scores (IS / intra-class diversity for images; coverage for the moons).
 */
import * as tf from '../tf';
import { MoonsSource, moonsSampleScores, unitToMoons, type MoonsSampleScores } from '../data/moons';
import { loadDataset } from '../data/sources';
import type { ImageDataset } from '../data/dataset';
import type { NetConfig } from '../nets';
import { generatorScores, trainScoreClassifier, type GeneratorScores, type ScoreClassifier } from '../metrics/inception';
import { Trainer, type BatchSource, type TrainResult, type TrainerOptions } from '../train/trainer';
import { registerModel } from './registry';
import { ConditionalVAE, type CvaeConfig } from './cvae';
import { LabelRelevantVAE, type LrVaeConfig } from './lrVae';
import type { ConditionalGenerator } from './conditional';
import { UnknownNameError } from '../core/errors';

registerModel('lr-vae', (c) => new LabelRelevantVAE(c as LrVaeConfig));
registerModel('cvae', (c) => new ConditionalVAE(c as CvaeConfig));
registerModel('cvae-gan', (c) => new ConditionalVAE(c as CvaeConfig));

/** The four models of the comparison. */
export type ConditionalKind = 'lr-vae' | 'lr-vae-gan' | 'cvae' | 'cvae-gan';
export const CONDITIONAL_KINDS: ConditionalKind[] = ['cvae', 'cvae-gan', 'lr-vae', 'lr-vae-gan'];
export type ConditionalDataset = 'moons' | 'mnist' | 'fashion-mnist';

/** Sizes and schedule of one experiment. */
export interface LrExperimentPreset {
  net: NetConfig;
  /** z_s and z_u of the LR-VAE; the cVAEs get latentDim = zu (z_s's role is the one-hot label). */
  zs: number;
  zu: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Training examples (moons: points generated; images: a seeded subset; undefined = all). */
  trainExamples?: number;
  /** Hidden sizes of the pixel discriminator (GAN variants). */
  discriminator: number[];
  /** Samples per class for the scores. */
  perClass: number;
  /** Same-class pairs per class for the diversity. */
  pairs: number;
}

/** Quick = a 2-core CPU in minutes; paper = the public release's sizes (z_s 32, z_u 100). */
export const lrPresets: Record<'quick' | 'paper', Record<'moons' | 'images', LrExperimentPreset>> = {
  quick: {
    moons: { net: { kind: 'mlp', hidden: [32, 64, 64] }, zs: 2, zu: 2, learningRate: 3e-3, batchSize: 100, epochs: 25, trainExamples: 1500, discriminator: [32, 64, 64], perClass: 500, pairs: 0 },
    images: { net: { kind: 'mlp', hidden: [256] }, zs: 8, zu: 16, learningRate: 1e-3, batchSize: 64, epochs: 3, trainExamples: 4000, discriminator: [256], perClass: 40, pairs: 150 },
  },
  paper: {
    moons: { net: { kind: 'mlp', hidden: [32, 64, 64] }, zs: 2, zu: 2, learningRate: 5e-4, batchSize: 64, epochs: 50, trainExamples: 6000, discriminator: [32, 64, 64], perClass: 1000, pairs: 0 },
    images: { net: { kind: 'conv-small' }, zs: 32, zu: 100, learningRate: 2e-4, batchSize: 64, epochs: 30, discriminator: [512, 256], perClass: 500, pairs: 2000 },
  },
};

/**
 * A data set name the label-relevant experiments do not know. Thrown by conditionalData before
 * loading anything; the user picks one of the names the message lists.
 */
export class UnknownDatasetError extends UnknownNameError {
  constructor(name: string, known: readonly string[] = ['moons', 'mnist', 'fashion-mnist']) {
    super('data set for the label-relevant VAE', name, known);
  }
}

/** Training and held-out data of an experiment. */
export interface ConditionalData {
  dataset: ConditionalDataset;
  train: BatchSource;
  test: BatchSource;
  classes: number;
  inputShape: [number, number, number];
  /** Moons only: the training points for plots and coverage. */
  moons?: MoonsSource;
}

/** Load (or generate) the data of an experiment. */
export function conditionalData(dataset: string, preset: LrExperimentPreset, seed = 0, dataDir?: string): ConditionalData {
  if (dataset === 'moons') {
    const train = new MoonsSource({ n: preset.trainExamples ?? 3000, seed });
    return { dataset, train, test: new MoonsSource({ n: 1500, seed: seed + 1 }), classes: 3, inputShape: [1, 1, 2], moons: train };
  }
  if (dataset !== 'mnist' && dataset !== 'fashion-mnist') throw new UnknownDatasetError(dataset);
  const d = loadDataset(dataset, { dataDir });
  const train: ImageDataset = preset.trainExamples ? d.train.subset(preset.trainExamples, seed) : d.train;
  return { dataset, train, test: d.test.slice(0, 2000), classes: 10, inputShape: d.train.shape };
}

/** The registry config of one of the four models for a data set. */
export function conditionalConfig(kind: ConditionalKind, data: Pick<ConditionalData, 'dataset' | 'classes' | 'inputShape'>, preset: LrExperimentPreset, seed = 0): LrVaeConfig | CvaeConfig {
  const moons = data.dataset === 'moons';
  // Moons live in the unit square with noise 0.1 / 7.5: a Gaussian likelihood of matching width.
  const likelihood = moons ? { kind: 'gaussian' as const, sigma: 0.02 } : { kind: 'bernoulli' as const };
  const gan = kind.endsWith('-gan') ? { gan: { hidden: preset.discriminator, weight: moons ? 1 : 5 } } : {};
  const common = { inputShape: data.inputShape, classes: data.classes, net: preset.net, likelihood, learningRate: preset.learningRate, ...gan };
  if (kind === 'cvae' || kind === 'cvae-gan') return { kind, latentDim: preset.zu, ...common };
  // Image recon terms are sums over 784 pixels (~100 nats) against ~log K nats of the adversary's
  // uniform-target CE: weight it 10 there so it is not drowned out.
  return { kind: 'lr-vae', zs: preset.zs, zu: preset.zu, adversaryHidden: moons ? [64] : [256], adversaryWeight: moons ? 1 : 10, seed, ...common };
}

/** Build one of the four models. */
export function buildConditional(config: LrVaeConfig | CvaeConfig): LabelRelevantVAE | ConditionalVAE {
  return config.kind === 'lr-vae' ? new LabelRelevantVAE(config) : new ConditionalVAE(config);
}

/** Train with the lab's Trainer (seeded; cancellable through `signal` or the cell's interrupt). */
export function trainConditional(model: LabelRelevantVAE | ConditionalVAE, data: ConditionalData, preset: LrExperimentPreset,
  opts: Pick<TrainerOptions, 'seed' | 'signal' | 'callbacks' | 'epochs' | 'checkpointDir' | 'extra'> = {}): Promise<TrainResult> {
  return new Trainer({ ...opts, epochs: opts.epochs ?? preset.epochs, batchSize: preset.batchSize }).fit(model, data.train);
}

/** Samples of each class in moons coordinates: Float32Array [m * 2] per class. */
export function moonsSamples(gen: ConditionalGenerator, perClass: number, seed = 0): Float32Array[] {
  return Array.from({ length: gen.classes }, (_, c) => tf.tidy(() => unitToMoons(tf.reshape(gen.sample(c, perClass, seed + 1000 * c), [perClass, 2])).dataSync() as Float32Array));
}

/** The scores of a trained model: IS (+ diversity for images; coverage for the moons). */
export interface ConditionalScores extends GeneratorScores {
  moons?: MoonsSampleScores;
}

/** Score a trained model against the data with a classifier trained on the real data. */
export function scoreConditional(gen: ConditionalGenerator, data: ConditionalData, clf: ScoreClassifier, preset: LrExperimentPreset, seed = 0): ConditionalScores {
  const images = data.dataset !== 'moons';
  const s: ConditionalScores = generatorScores(gen, clf, { perClass: preset.perClass, seed, diversity: images ? { pairs: preset.pairs } : false });
  if (data.moons) s.moons = moonsSampleScores(moonsSamples(gen, preset.perClass, seed), data.moons.points());
  return s;
}

/** The real-data classifier behind the IS (an MLP; for the moons a small one). */
export function scoringClassifier(data: ConditionalData, opts: { seed?: number; signal?: AbortSignal } = {}): Promise<ScoreClassifier> {
  const moons = data.dataset === 'moons';
  return trainScoreClassifier(data.train, data.inputShape, data.classes, { hidden: moons ? [32] : [256], epochs: moons ? 10 : 2, learningRate: moons ? 1e-2 : 1e-3, ...opts });
}
