/**
 * Label-relevant VAE, score: Inception Score against a classifier trained on the real data
 * (an MLP here; the paper's Inception nets are not available offline), intra-class diversity
 * (1 - MS-SSIM over same-class pairs) for images, coverage of the moons for the moons.
 */
import * as tf from '../../tf';
import { moonsSampleScores, unitToMoons, type MoonsSampleScores } from '../../data/moons';
import type { ConditionalGenerator } from '../../models/conditional';
import { generatorScores, trainScoreClassifier, type GeneratorScores, type ScoreClassifier } from '../../metrics/inception';
import type { ConditionalData } from './data';
import type { Preset } from './presets';

/** Samples of each class in moons coordinates: Float32Array [m * 2] per class. */
export async function moonsSamples(gen: ConditionalGenerator, perClass: number, seed = 0): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let c = 0; c < gen.classes; c++) {
    const t = tf.tidy(() => unitToMoons(tf.reshape(gen.sample(c, perClass, seed + 1000 * c), [perClass, 2])));
    out.push((await t.data().finally(() => t.dispose())) as Float32Array);
  }
  return out;
}

/** The scores of a trained model: IS (+ diversity for images; coverage for the moons). */
export interface ConditionalScores extends GeneratorScores {
  moons?: MoonsSampleScores;
}

/** Score a trained model against the data with a classifier trained on the real data. */
export async function score(gen: ConditionalGenerator, data: ConditionalData, clf: ScoreClassifier, preset: Preset, seed = 0): Promise<ConditionalScores> {
  const images = data.dataset !== 'moons';
  const s: ConditionalScores = await generatorScores(gen, clf, { perClass: preset.perClass, seed, diversity: images ? { pairs: preset.pairs } : false });
  if (data.moons) s.moons = moonsSampleScores(await moonsSamples(gen, preset.perClass, seed), data.moons.points());
  return s;
}

/** The real-data classifier behind the IS (an MLP; for the moons a small one). */
export function scoringClassifier(data: ConditionalData, opts: { seed?: number; signal?: AbortSignal } = {}): Promise<ScoreClassifier> {
  const moons = data.dataset === 'moons';
  return trainScoreClassifier(data.train, data.inputShape, data.classes, {
    hidden: moons ? [32] : [256],
    epochs: moons ? 10 : 2,
    learningRate: moons ? 1e-2 : 1e-3,
    ...opts,
  });
}
