/**
 * CR-VAE, presets. `paper` is the CR-VAE paper's setting (WAE nets, latent 50, Adam 1e-4,
 * batch 64, 100 epochs) for a GPU. `laptop` makes each claim testable on a 2-core CPU: all
 * 60k images, latent 50, an MLP trained long enough that the base VAE leaves latent units
 * inactive (AU well below 50), several seeds. `quick` is a smoke test for CI: it claims nothing.
 * Every preset scores the NLL with K = 1000 on a seeded random subset of the test set (the same
 * for every model and seed), and MI and AU over every test image (quick: 1000 of them).
 */
import type { NetConfig } from '../../nets';

export interface Preset {
  /** Encoder/decoder pair. */
  net: NetConfig;
  /** Dimension of z. */
  latentDim: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Examples per batch. */
  batchSize: number;
  /** Passes over the training data. */
  epochs: number;
  /** Training images used (a seeded subset); undefined = all. */
  trainExamples?: number;
  /** Test (and t-Test) images the NLL scores (K decoder passes each); undefined = all. */
  evalExamples?: number;
  /**
   * Test (and t-Test) images MI and AU are computed over (one encoder pass each, and an M x M
   * pair matrix in chunks); undefined = all, so the MI's ceiling is log 10000 = 9.21 on MNIST.
   */
  latentExamples?: number;
  /** Importance samples for the NLL (the MI's aggregate posterior is every evaluation image). */
  K: number;
  /** Training seeds per row of the tables (mean ± standard error over them). */
  seeds: number;
  /**
   * A setting in which the base VAE overfits (tables.ts OVERFIT_GAP), where the test-NLL, AU and
   * Table 4 claims are tested again (VAE, CR-VAE and VAE + Aug): a training subset, a length,
   * and its seeds (default: the preset's `seeds`). Undefined: none (the paper's 100 epochs
   * overfit already).
   */
  overfit?: { trainExamples: number; epochs: number; seeds?: number };
}

export const presets: Record<string, Preset> = {
  quick: {
    net: { kind: 'mlp', hidden: [256] },
    latentDim: 32,
    learningRate: 1e-3,
    batchSize: 64,
    epochs: 2,
    trainExamples: 3200,
    evalExamples: 200,
    latentExamples: 1000,
    K: 1000,
    seeds: 2,
    overfit: { trainExamples: 400, epochs: 6 }, // exercises the rows; claims nothing
  },
  // Sized by measurement, one wasm thread per process, two processes at once on 2 cores: an epoch
  // (937 steps) takes ~6.5 s for a VAE or beta-VAE, ~16 s for CR-VAE / VAE + Aug, ~17 s for IWAE;
  // scoring (500 + 500 images at K 1000, MI and AU over 10000 + 10000) ~35 s. VAE seed 0 gave AU
  // 39/50 after 10 epochs and 33/50 after 20. The notebook's 16 models (VAE, VAE + Aug and CR-VAE
  // at 3 seeds, the other rows at 1) then train in ~40 min and score in ~5.
  laptop: {
    net: { kind: 'mlp', hidden: [256] },
    latentDim: 50,
    learningRate: 1e-3,
    batchSize: 64,
    epochs: 20,
    evalExamples: 500,
    K: 1000,
    seeds: 3,
    // METHODS.md (2026-12-06): all 60k images for 10 epochs, train 97.3 vs test 96.7 (no gap);
    // 2,000 images for 60 epochs (1,875 steps, ~1/10 of the full run's) moved the test NLLs by
    // ~3 nats and flipped the sign of "test NLL falls". The gap there: see the notebook's precondition.
    // Seeds: 3 at first; at 3 the test-NLL difference read -1.22 +- 0.53 nats, inconclusive at
    // t(2) = 4.30, so 3 more were added (a second look at the same rule, said in the notebook).
    // A job here takes ~5-8 min, so 6 seeds of the three rows cost ~1 h of one core.
    overfit: { trainExamples: 2000, epochs: 60, seeds: 6 },
  },
  paper: {
    net: { kind: 'wae' },
    latentDim: 50,
    learningRate: 1e-4,
    batchSize: 64,
    epochs: 100,
    K: 1000,
    seeds: 3,
  },
};
