/**
 * Seeded weight initialisers. A tfjs layer without an initialiser seed draws its kernel from
 * Math.random, so two trainings of one seed would start from different weights and a
 * paired-by-seed comparison (CR-VAE vs VAE at seed s) would carry initialisation noise.
 * Here every layer gets its own seed, drawn in construction order from one Rng of the
 * model's seed: a net built twice from the same seed has the same weights.
 * The family stays tfjs's default for dense and conv layers, glorot-normal kernels
 * (truncated normal, variance 2 / (fan_in + fan_out)); biases and batch-norm parameters
 * start at constants (zeros, ones) and need no seed.
 */
import * as tf from '../tf';
import { deriveSeed, Rng } from '../core/random';

/** Keeps the initialisers' stream apart from the trainer's (which derives from the same seed with small tags). */
const INIT_TAG = 0x696e6974;

/** The initialiser stream of a model seed; `parts` tell apart nets built from one seed (a discriminator beside a VAE). */
export function initRng(seed = 0, ...parts: number[]): Rng {
  return new Rng(deriveSeed(seed, INIT_TAG, ...parts));
}

/** A fresh seed for a tfjs initialiser: tfjs reads seed 0 as "no seed" (Math.random), so Rng.seed()'s [0, 2^31 - 2] is shifted up by one. */
export function initSeed(rng: Rng): number {
  return 1 + rng.seed();
}

/**
 * Layer args with a fresh seeded kernel initialiser, to spread into tf.layers.dense / conv2d /
 * conv2dTranspose. Glorot-uniform (U(-l, l), l = sqrt(6 / (fan_in + fan_out))) is for nets
 * that asked for it explicitly.
 */
export function seededKernel(
  rng: Rng,
  family: 'glorotNormal' | 'glorotUniform' = 'glorotNormal',
): { kernelInitializer: ReturnType<typeof tf.initializers.glorotNormal> } {
  return { kernelInitializer: tf.initializers[family]({ seed: initSeed(rng) }) };
}
