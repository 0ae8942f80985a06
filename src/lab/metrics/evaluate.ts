/**
 * The paper's evaluation on one image set: NLL (importance sampling), MI and AU.
 * Images are binarized once with a fixed seed (the same sample for every model), as is
 * usual for dynamically binarized MNIST.
 */
import * as tf from '../tf';
import type { ImageDataset } from '../data/dataset';
import { Rng } from '../core/random';
import type { DensityModel } from '../models/types';
import { activeUnits, importanceSampledNll, mutualInformation } from './latent';

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** Importance samples for the NLL (default 1000). */
  K?: number;
  /** Examples used (default all); the first n of the set. */
  examples?: number;
  /** Examples in the MI's aggregate-posterior batch (default min(1000, examples)). */
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
  mi: number;
  au: number;
  /** Examples scored. */
  n: number;
  K: number;
  M: number;
}

export function evaluate(model: DensityModel, set: ImageDataset, opts: EvaluateOptions = {}): EvalResult {
  const n = Math.min(opts.examples ?? set.n, set.n);
  const seed = opts.seed ?? 0;
  const K = opts.K ?? 1000;
  const { x, y } = set.batch(Int32Array.from({ length: n }, (_, i) => i), opts.binarize === false ? undefined : new Rng(seed + 1));
  y?.dispose();
  try {
    const nll = importanceSampledNll(model, x, { K, seed, chunk: opts.chunk });
    const M = Math.min(opts.M ?? 1000, n);
    const xm = tf.slice(x, [0, 0, 0, 0], [M, -1, -1, -1]);
    const { mi } = mutualInformation(model, xm, seed);
    xm.dispose();
    const { au } = activeUnits(model, x);
    return { nll, mi, au, n, K, M };
  } finally {
    x.dispose();
  }
}
