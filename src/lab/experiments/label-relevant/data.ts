/**
 * Label-relevant VAE, data: the three half moons (generated, seeded) or an image set with
 * labels (a seeded training subset, the first 2,000 test images held out).
 */
import { MoonsSource } from '../../data/moons';
import { loadDataset } from '../../data/sources';
import type { ImageDataset } from '../../data/dataset';
import type { BatchSource } from '../../train/trainer';
import type { Preset } from './presets';
import { UnknownNameError } from '../../core/errors';

/** The data sets of the experiments. */
export type ConditionalDataset = 'moons' | 'mnist' | 'fashion-mnist';

/** Thrown for a data set name the experiments do not know. */
/**
 * A data set name the label-relevant experiments do not know. Thrown by loadData before
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
  /** Images only: every training and test image, for the scoring classifier (trained on all of them whatever the subset). */
  full?: { train: ImageDataset; test: ImageDataset };
}

/** Load (or generate) the data of an experiment. */
export function loadData(dataset: string, preset: Preset, seed = 0, dataDir?: string): ConditionalData {
  if (dataset === 'moons') {
    const train = new MoonsSource({ n: preset.trainExamples ?? 3000, seed });
    return { dataset, train, test: new MoonsSource({ n: 1500, seed: seed + 1 }), classes: 3, inputShape: [1, 1, 2], moons: train };
  }
  if (dataset !== 'mnist' && dataset !== 'fashion-mnist') throw new UnknownDatasetError(dataset);
  const d = loadDataset(dataset, { dataDir });
  const train: ImageDataset = preset.trainExamples ? d.train.subset(preset.trainExamples, seed) : d.train;
  return { dataset, train, test: d.test.slice(0, 2000), classes: 10, inputShape: d.train.shape, full: d };
}
