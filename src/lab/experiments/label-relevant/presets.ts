/**
 * The label-relevant VAE (Zheng & Sun 2019) and its cVAE baselines, presets: one for the
 * three half moons and one for images (MNIST, Fashion-MNIST), at two scales.
 */
import type { NetConfig } from '../../nets';

/** Sizes and schedule of one experiment. */
export interface Preset {
  net: NetConfig;
  /** z_s and z_u of the LR-VAE; the cVAEs get latentDim = zu (z_s's role is the one-hot label). */
  zs: number;
  zu: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Training examples (moons: points generated; images: a seeded subset; undefined = all). */
  trainExamples?: number;
  /** Hidden sizes of the pixel discriminator (GAN variants). */
  discriminator: number[];
  /** Samples per class for the scores. */
  perClass: number;
  /** Same-class pairs per class for the diversity (drawn without replacement). */
  pairs: number;
  /** Samples per class of the scores after every epoch (the diversity-against-IS curve); undefined = not scored during training. */
  trajectoryPerClass?: number;
  /** Training seeds per model for the tables (mean ± se over them). */
  seeds: number;
}

/** Quick = a 2-core CPU in minutes; paper = the public release's sizes (z_s 32, z_u 100). */
export const presets: Record<'quick' | 'paper', Record<'moons' | 'images', Preset>> = {
  quick: {
    moons: {
      net: { kind: 'mlp', hidden: [32, 64, 64] },
      zs: 2,
      zu: 2,
      learningRate: 3e-3,
      batchSize: 100,
      epochs: 25,
      trainExamples: 1500,
      discriminator: [32, 64, 64],
      perClass: 500,
      pairs: 0,
      seeds: 2,
    },
    images: {
      net: { kind: 'mlp', hidden: [256] },
      zs: 8,
      zu: 16,
      learningRate: 1e-3,
      batchSize: 64,
      epochs: 3,
      trainExamples: 4000,
      discriminator: [256],
      perClass: 50,
      pairs: 300,
      trajectoryPerClass: 30,
      seeds: 2,
    },
  },
  paper: {
    moons: {
      net: { kind: 'mlp', hidden: [32, 64, 64] },
      zs: 2,
      zu: 2,
      learningRate: 5e-4,
      batchSize: 64,
      epochs: 50,
      trainExamples: 6000,
      discriminator: [32, 64, 64],
      perClass: 1000,
      pairs: 0,
      seeds: 3,
    },
    images: {
      net: { kind: 'conv-small' },
      zs: 32,
      zu: 100,
      learningRate: 2e-4,
      batchSize: 64,
      epochs: 30,
      discriminator: [512, 256],
      perClass: 500,
      pairs: 2000,
      trajectoryPerClass: 200,
      seeds: 3,
    },
  },
};
