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
  /** Examples in the MI's aggregate posterior (default: all examples scored, in chunks). */
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
  mi: number;
  /** log M: no MI estimate over M examples can exceed it. */
  logM: number;
  /** mi within 0.1 nat of log M: the MI column cannot tell models apart there. */
  miAtBound: boolean;
  au: number;
  /** Examples scored. */
  n: number;
  K: number;
  M: number;
}

export async function evaluate(model: DensityModel, set: ImageDataset, opts: EvaluateOptions = {}): Promise<EvalResult> {
  const n = Math.min(opts.examples ?? set.n, set.n);
  const seed = opts.seed ?? 0;
  const K = opts.K ?? 1000;
  const { x, y } = set.batch(
    Int32Array.from({ length: n }, (_, i) => i),
    opts.binarize === false ? undefined : new Rng(seed + 1),
  );
  y?.dispose();
  try {
    const per = await nllPerExample(model, x, { K, seed, chunk: opts.chunk });
    const { mean: nll, se: nllSe } = meanAndSe(per);
    const M = Math.min(opts.M ?? n, n);
    const xm = M === n ? x : tf.slice(x, [0, 0, 0, 0], [M, -1, -1, -1]);
    const { mi, logM, atBound } = await mutualInformation(model, xm, { seed });
    if (xm !== x) xm.dispose();
    const { au } = await activeUnits(model, x);
    return { nll, nllSe, mi, logM, miAtBound: atBound, au, n, K, M };
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
