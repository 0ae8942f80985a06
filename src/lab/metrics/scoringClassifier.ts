/**
 * The classifier behind the Inception Score, class agreement and the swap test on MNIST-like
 * data. It stands in for the paper's Inception networks (trained on ImageNet / VGGFace2, not
 * available offline): a small conv net (inception.ts, ConvClassifierArch) trained on ALL the
 * training images, which on MNIST reaches >= 99% test accuracy in a few epochs. Scores made
 * with it compare models in the lab; they are not the paper's numbers.
 *
 * Training takes minutes on a CPU, so the trained net is cached on disk:
 *   <cacheDir>/<key>/net/model.json, weights.bin   the tfjs layers checkpoint
 *   <cacheDir>/<key>/meta.json                     config, data hash, test accuracy, seconds
 * key = sha256(architecture + training options + class count + sha256 of the training images,
 * labels and shape), so another config or other data trains anew, and the same ones load.
 * The folder is written atomically (replaceDirAtomic): a crash mid-write leaves no half cache.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../tf';
import { replaceDirAtomic } from '../../common/atomic';
import { folderLoadHandler, folderSaveHandler } from '../train/checkpoint';
import type { BatchSource } from '../train/trainer';
import type { ImageDataset } from '../data/dataset';
import { ScoreClassifier, trainScoreClassifier, type ScoreClassifierOptions } from './inception';

/** Training options of the default MNIST scoring classifier (>= 99% test accuracy in 4 epochs). */
export const SCORING_CLASSIFIER_DEFAULTS: Readonly<ScoreClassifierOptions> = {
  arch: { kind: 'conv', filters: [32, 64, 64], dense: 128 },
  epochs: 4,
  batchSize: 64,
  learningRate: 1e-3,
  lrDecay: 0.5,
  seed: 0,
};

/** What cachedScoringClassifier returns. */
export interface ScoringClassifierResult {
  classifier: ScoreClassifier;
  /** Accuracy on the test source given (or the one stored with the cache entry). */
  testAccuracy: number;
  /** Wall time of training, in seconds (from the cache entry when loaded). */
  trainSeconds: number;
  /** True when the net came from the cache. */
  loaded: boolean;
  /** The cache entry's folder (undefined with cacheDir false). */
  dir?: string;
  key: string;
}

/** Options of cachedScoringClassifier. */
export interface ScoringClassifierOptions {
  /** Training options; defaults SCORING_CLASSIFIER_DEFAULTS (the `signal` here is not part of the key). */
  config?: ScoreClassifierOptions;
  /** Cache folder; false = never read or write. Default: $VAE_LAB_CACHE_DIR or ~/.cache/vae-lab, then /scoring-classifiers. */
  cacheDir?: string | false;
  /** Cancels training between steps. */
  signal?: AbortSignal;
}

/** The default cache folder. */
export function defaultClassifierCacheDir(): string {
  const base = process.env.VAE_LAB_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vae-lab');
  return join(base, 'scoring-classifiers');
}

/** sha256 (hex) of an image set's bytes, labels and shape. */
export function datasetHash(data: ImageDataset): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(data.shape));
  h.update(data.images);
  if (data.labels) h.update(data.labels);
  return h.digest('hex');
}

/** JSON with object keys sorted at every depth (the same config always gives the same text). */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The cache key of a classifier config (merged over the defaults) trained on data with hash `dataHash`. */
export function classifierCacheKey(config: ScoreClassifierOptions, classes: number, dataHash: string): string {
  const { signal: _signal, ...rest } = { ...SCORING_CLASSIFIER_DEFAULTS, ...config };
  return createHash('sha256')
    .update(canonicalJson({ ...rest, classes, dataHash }))
    .digest('hex')
    .slice(0, 24);
}

interface Meta {
  key: string;
  config: ScoreClassifierOptions;
  classes: number;
  dataHash: string;
  testAccuracy: number;
  trainSeconds: number;
}

async function load(
  dir: string,
  key: string,
  shape: [number, number, number],
  classes: number,
  config: ScoreClassifierOptions,
): Promise<{ clf: ScoreClassifier; meta: Meta } | undefined> {
  if (!existsSync(join(dir, 'meta.json'))) return undefined;
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
    if (meta.key !== key) return undefined;
    const net = await tf.loadLayersModel(folderLoadHandler(join(dir, 'net')));
    return { clf: new ScoreClassifier(shape, classes, config, net), meta };
  } catch {
    // An unreadable entry (truncated by hand, other tfjs version) is retrained and replaced.
    return undefined;
  }
}

/**
 * The scoring classifier for `train` (all of it), from the cache when an entry with the same
 * key exists, else trained, measured on `test`, and cached. Deterministic given config.seed.
 */
export async function cachedScoringClassifier(
  train: ImageDataset,
  test: BatchSource,
  classes: number,
  opts: ScoringClassifierOptions = {},
): Promise<ScoringClassifierResult> {
  const { signal: _signal, ...config } = { ...SCORING_CLASSIFIER_DEFAULTS, ...opts.config };
  const dataHash = datasetHash(train);
  const key = classifierCacheKey(config, classes, dataHash);
  const dir = opts.cacheDir === false ? undefined : join(opts.cacheDir ?? defaultClassifierCacheDir(), key);
  if (dir) {
    const hit = await load(dir, key, train.shape, classes, config);
    if (hit) return { classifier: hit.clf, testAccuracy: hit.meta.testAccuracy, trainSeconds: hit.meta.trainSeconds, loaded: true, dir, key };
  }
  const t0 = Date.now();
  const classifier = await trainScoreClassifier(train, train.shape, classes, { ...config, signal: opts.signal });
  const trainSeconds = (Date.now() - t0) / 1000;
  const testAccuracy = await classifier.accuracyOn(test);
  if (dir) {
    const meta: Meta = { key, config, classes, dataHash, testAccuracy, trainSeconds };
    await replaceDirAtomic(dir, async (tmp) => {
      await classifier.net.save(folderSaveHandler(join(tmp, 'net')));
      writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2));
    });
  }
  return { classifier, testAccuracy, trainSeconds, loaded: false, dir, key };
}
