/**
 * The paper's evaluation on one image set: NLL (importance sampling), MI and AU.
 * Images are binarized once with a fixed seed (the same sample for every model), as is
 * usual for dynamically binarized MNIST.
 */
import * as tf from '../tf';
import type { ImageDataset } from '../data/dataset';
import { Rng } from '../core/random';
import type { DensityModel } from '../models/types';
import { activeUnits, mutualInformation, nllPerExample } from './latent';
import { meanAndSe } from './stats';

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** Importance samples for the NLL (default 1000). */
  K?: number;
  /** Examples used (default all); the first n of the set. */
  examples?: number;
  /**
   * Images MI and AU are computed over (default: the images the NLL scores). MI costs M^2 L
   * multiply-adds and AU one encoder pass, where the NLL costs K decoder passes per image, so
   * MI and AU can take a whole test set while the NLL takes a subset of it; a larger M also
   * raises the MI's ceiling log M.
   */
  latent?: ImageDataset;
  /** Examples in the MI's aggregate posterior and the AU count: the first M of `latent` (default: all of it, in chunks), or of the scored images. */
  M?: number;
  /** Binarize the images (Bernoulli likelihood) with a fixed seed (default true). */
  binarize?: boolean;
  /** Seed for binarization and sampling (default 0). */
  seed?: number;
  /** Decoder evaluations per tfjs call for the NLL (default 4096). */
  chunk?: number;
}

/** Scores on one set (NLL in nats; MI in nats, over M examples; AU a count). */
export interface EvalResult {
  nll: number;
  /** Standard error of the mean NLL over the examples (sd / sqrt n). */
  nllSe: number;
  /** The NLL of each example (nats, 4 decimals): what pairs two models' scores image by image (metrics/stats.ts pairEvalVar). */
  nllPerExample?: number[];
  mi: number;
  /** log M: no MI estimate over M examples can exceed it. */
  logM: number;
  /** mi within 0.1 nat of log M: the MI column cannot tell models apart there. */
  miAtBound: boolean;
  /** Active units over the M images. */
  au: number;
  /** Examples the NLL scores. */
  n: number;
  K: number;
  /** Examples MI and AU are computed over. */
  M: number;
}

export async function evaluate(model: DensityModel, set: ImageDataset, opts: EvaluateOptions = {}): Promise<EvalResult> {
  const n = Math.min(opts.examples ?? set.n, set.n);
  const seed = opts.seed ?? 0;
  const K = opts.K ?? 1000;
  const binarize = opts.binarize !== false;
  const images = (s: ImageDataset, m: number, rngSeed: number) => {
    const { x, y, grey } = s.batch(
      Int32Array.from({ length: m }, (_, i) => i),
      binarize ? new Rng(rngSeed) : undefined,
    );
    tf.dispose([...(y ? [y] : []), ...(grey ? [grey] : [])]);
    return x;
  };
  const x = images(set, n, seed + 1);
  try {
    const per = await nllPerExample(model, x, { K, seed, chunk: opts.chunk });
    const { mean: nll, se: nllSe } = meanAndSe(per);
    const avail = opts.latent ? opts.latent.n : n;
    const M = Math.min(opts.M ?? avail, avail);
    // Without a latent set, MI and AU see the NLL's own binarized images.
    const xm = opts.latent ? images(opts.latent, M, seed + 2) : M === n ? x : tf.slice(x, [0, 0, 0, 0], [M, -1, -1, -1]);
    try {
      const { mi, logM, atBound } = await mutualInformation(model, xm, { seed });
      const { au } = await activeUnits(model, xm);
      const nllPerExample = Array.from(per, (v) => Math.round(v * 1e4) / 1e4);
      return { nll, nllSe, nllPerExample, mi, logM, miAtBound: atBound, au, n, K, M };
    } finally {
      if (xm !== x) xm.dispose();
    }
  } finally {
    x.dispose();
  }
}

/** One row of a K sweep: the mean NLL with K importance samples, and its standard error over images. */
export interface KSweepRow {
  K: number;
  nll: number;
  se: number;
}

/**
 * The importance-sampling bias, sized: the mean NLL of the same images (binarized once, fixed
 * seed) with each K. The estimate of log p(x) is biased low for any finite K (Jensen), so the
 * NLL falls towards the truth as K grows; the drop from K to the largest K bounds the bias at K
 * from below. Default: K = 50, 500, 5000 on 100 images.
 */
export async function kSweep(
  model: DensityModel,
  set: ImageDataset,
  opts: { Ks?: number[]; examples?: number; seed?: number; chunk?: number } = {},
): Promise<KSweepRow[]> {
  const n = Math.min(opts.examples ?? 100, set.n);
  const seed = opts.seed ?? 0;
  const { x, y } = set.batch(
    Int32Array.from({ length: n }, (_, i) => i),
    new Rng(seed + 1),
  );
  y?.dispose();
  try {
    const rows: KSweepRow[] = [];
    for (const K of opts.Ks ?? [50, 500, 5000]) {
      const { mean, se } = meanAndSe(await nllPerExample(model, x, { K, seed, chunk: opts.chunk }));
      rows.push({ K, nll: mean, se });
    }
    return rows;
  } finally {
    x.dispose();
  }
}
