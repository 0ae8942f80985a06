/**
 * Label-relevant VAE, score: Inception Score and class agreement against a classifier trained
 * on the real data, intra-class diversity (1 - MS-SSIM over same-class pairs) for images,
 * coverage of the moons for the moons. On images the classifier is the cached conv net of
 * metrics/scoringClassifier.ts, trained on ALL the training images (>= 99% on MNIST's test
 * set): it stands in for the paper's Inception networks, which are not available offline, so
 * the scores compare models here and are not the paper's numbers.
 */
import * as tf from '../../tf';
import { moonsSampleScores, unitToMoons, type MoonsSampleScores } from '../../data/moons';
import type { ConditionalGenerator } from '../../models/conditional';
import { generatorScores, trainScoreClassifier, type GeneratorScores, type ScoreClassifier } from '../../metrics/inception';
import { cachedScoringClassifier } from '../../metrics/scoringClassifier';
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

/** The scores of one epoch of training: the points of the diversity-against-IS curve. */
export interface TrajectoryPoint {
  epoch: number;
  inceptionScore: number;
  inceptionScoreStd: number;
  diversity?: number;
  classAgreement: number;
}

/**
 * The scores after an epoch (1-based `epoch`), on `preset.trajectoryPerClass` samples per class
 * drawn with one seed at every epoch (so the curve moves with the model, not the draw) and the
 * preset's pairs per class (at most all pairs of those samples).
 */
export async function trajectoryPoint(
  gen: ConditionalGenerator,
  data: ConditionalData,
  clf: ScoreClassifier,
  preset: Preset,
  epoch: number,
  seed = 0,
): Promise<TrajectoryPoint> {
  const perClass = preset.trajectoryPerClass ?? preset.perClass;
  const images = data.dataset !== 'moons';
  const pairs = Math.min(preset.pairs, (perClass * (perClass - 1)) / 2);
  const s = await generatorScores(gen, clf, { perClass, seed: seed + 500, diversity: images ? { pairs } : false });
  return { epoch, inceptionScore: s.inceptionScore, inceptionScoreStd: s.inceptionScoreStd, diversity: s.diversity, classAgreement: s.classAgreement };
}

/** The classifier behind the scores, with what the tables print about it. */
export interface ConditionalScorer {
  classifier: ScoreClassifier;
  /** Accuracy on the data set's whole test split (images) or the held-out points (moons). */
  testAccuracy: number;
  /** True when the net came from the on-disk cache. */
  loaded: boolean;
  /** One sentence on what it is, for metrics.json and the notebook. */
  note: string;
}

/**
 * The real-data classifier behind the IS and class agreement. Images: the cached conv net
 * trained on every training image (minutes the first time, then loaded from
 * ~/.cache/vae-lab/scoring-classifiers or $VAE_LAB_CACHE_DIR). Moons: a small MLP trained here
 * in seconds on the training points (x alone decides the class, so it is near perfect).
 */
export async function scoringClassifier(
  data: ConditionalData,
  opts: { seed?: number; signal?: AbortSignal; cacheDir?: string | false } = {},
): Promise<ConditionalScorer> {
  if (data.full) {
    const r = await cachedScoringClassifier(data.full.train, data.full.test, data.classes, { signal: opts.signal, cacheDir: opts.cacheDir });
    return {
      classifier: r.classifier,
      testAccuracy: r.testAccuracy,
      loaded: r.loaded,
      note:
        `a conv net (3x3 convs 32-64-64, dense 128) trained on all ${data.full.train.n} ${data.dataset} training images, ${(100 * r.testAccuracy).toFixed(2)}% on the ${data.full.test.n} test images; ` +
        "it stands in for the paper's Inception networks (not available offline), so IS values compare models here only",
    };
  }
  const classifier = await trainScoreClassifier(data.train, data.inputShape, data.classes, {
    hidden: [32],
    epochs: 10,
    learningRate: 1e-2,
    seed: opts.seed,
    signal: opts.signal,
  });
  const testAccuracy = await classifier.accuracyOn(data.test);
  return {
    classifier,
    testAccuracy,
    loaded: false,
    note:
      `an MLP [32] trained on the ${data.train.n} training points (${(100 * testAccuracy).toFixed(1)}% on held-out points); ` +
      "the moons have no counterpart of the paper's Inception networks, so IS values compare models here only",
  };
}
