/**
 * CR-VAE, data: the training subset, the test images and their t-Test copies (the paper's
 * fixed random affine warp of each test image), with the evaluation sizes of a preset.
 */
import type { ImageDataset } from '../../data/dataset';
import { DataNotFoundError, loadDataset, type TrainTest } from '../../data/sources';
import { loadOmniglot } from '../../data/omniglot';
import { loadCeleba } from '../../data/celeba';
import { transformedSet } from '../../data/ttest';
import { UnknownNameError } from '../../core/errors';
import { presets, type Preset } from './presets';

/** What `loadData` reads; unset sizes come from the preset. */
export interface DataOptions {
  /** 'mnist' | 'fashion-mnist' | 'omniglot' | 'celeba' (both need dataDir) | a folder of IDX files. */
  dataset: string;
  /** Folder holding the data set's IDX files (overrides the default search). */
  dataDir?: string;
  /** 'quick' (smoke test), 'laptop' (2-core CPU, claims testable) or 'paper' (the paper's setting, GPU). */
  preset: string;
  /** Training images (a seeded subset; default: the preset's, undefined there = all). */
  trainExamples?: number;
  /** Test / t-Test images the NLL scores (a seeded random subset; default: the preset's). */
  evalExamples?: number;
  /** Test / t-Test images MI and AU are computed over (a seeded random subset holding the NLL's; default: the preset's, undefined there = all). */
  latentExamples?: number;
  /** Seed of the evaluation subset, apart from the training seed so every model and seed scores the same images (default 0). */
  evalSeed?: number;
  /** Importance samples for the NLL (default: the preset's). */
  K?: number;
  /** Seed of the subset (and, downstream, of training and scoring). Default 0. */
  seed?: number;
}

/** The data of one experiment and the scores' sizes. */
export interface CrData {
  preset: Preset;
  train: ImageDataset;
  /** The images the NLL scores (K samples each), and their t-Test copies. */
  test: ImageDataset;
  tTest: ImageDataset;
  /** Training images scored like `test` (a seeded subset of `train`, the same for every model): the train - test NLL gap of the overfitting precondition. */
  trainEval: ImageDataset;
  /** The images MI and AU are computed over (a superset of `test`; all the test set unless the preset cuts it), and their t-Test copies. */
  latent: { test: ImageDataset; tTest: ImageDataset };
  K: number;
  /** Images in the MI's aggregate posterior and the AU count: every image of `latent`. */
  M: number;
  seed: number;
}

/** Load the data set and cut it to the preset's (or the given) sizes. */
export async function loadData(o: DataOptions): Promise<CrData> {
  const preset = presets[o.preset];
  if (!preset) throw new UnknownNameError('preset', o.preset, Object.keys(presets));
  const data = readSet(o.dataset, o.dataDir);
  const seed = o.seed ?? 0;
  const nTrain = o.trainExamples ?? preset.trainExamples;
  const train = nTrain ? data.train.subset(nTrain, seed) : data.train;
  const nEval = Math.min(o.evalExamples ?? preset.evalExamples ?? data.test.n, data.test.n);
  const nLatent = Math.max(nEval, Math.min(o.latentExamples ?? preset.latentExamples ?? data.test.n, data.test.n));
  // Random subsets, not the first n: the first MNIST test images are cleaner than average. The
  // NLL's images are a subset of MI's and AU's, and the t-Test copy of an image is the same in both.
  const evalSeed = o.evalSeed ?? 0;
  const latentTest = data.test.subset(nLatent, evalSeed);
  const latentTTest = await transformedSet(latentTest);
  const test = latentTest.subset(nEval, evalSeed),
    tTest = latentTTest.subset(nEval, evalSeed);
  const trainEval = train.subset(Math.min(nEval, train.n), evalSeed);
  return { preset, train, test, tTest, trainEval, latent: { test: latentTest, tTest: latentTTest }, K: o.K ?? preset.K, M: nLatent, seed };
}

/** The named data set from the user's folder (Omniglot's PNG release, CelebA's aligned JPEGs) or the IDX sources. */
function readSet(dataset: string, dataDir?: string): TrainTest {
  if (dataset === 'omniglot' || dataset === 'celeba') {
    if (!dataDir) throw new DataNotFoundError(`${dataset}: pass dataDir (--data-dir), the folder you unzipped the official release into`);
    return dataset === 'omniglot' ? loadOmniglot({ dataDir }) : loadCeleba({ dataDir });
  }
  return loadDataset(dataset, { dataDir });
}
