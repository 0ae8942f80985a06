/**
 * FactorVAE vs beta-VAE, data: dSprites (procedural, the full 737,280-image factor grid),
 * a seeded training subset of its factor combinations, and held-out images for NLL / MI / AU.
 */
import { ImageDataset } from '../../data/dataset';
import { DSprites, DSPRITES_FACTOR_SIZES, FactorBatchSource, imagesOf, sampleFactors, subsetFactors } from '../../data/dsprites';
import { Rng } from '../../core/random';
import type { Preset } from './presets';

/** The data of one run. */
export interface DSpritesData {
  set: DSprites;
  /** Training batches (images of the subset's factor combinations). */
  train: FactorBatchSource;
}

/** dSprites and the training subset: `trainExamples` (default the preset's; undefined = the whole grid), drawn with `seed` (default 0). */
export function loadData(preset: Preset, o: { seed?: number; trainExamples?: number } = {}): DSpritesData {
  const set = new DSprites();
  const nTrain = o.trainExamples ?? preset.trainExamples;
  return { set, train: new FactorBatchSource(set, nTrain ? subsetFactors(DSPRITES_FACTOR_SIZES, nTrain, new Rng(o.seed ?? 0)) : undefined) };
}

/** Held-out dSprites images (uniform over the grid, seeded) as an ImageDataset for NLL/MI/AU. */
export async function testSet(set: DSprites, n: number, seed: number): Promise<ImageDataset> {
  const x = imagesOf(set, sampleFactors(DSPRITES_FACTOR_SIZES, n, new Rng(seed)));
  const v = await x.data().finally(() => x.dispose());
  return new ImageDataset(
    Uint8Array.from(v, (p) => p * 255),
    [64, 64, 1],
    undefined,
    `dsprites/test[${n}]`,
  );
}
