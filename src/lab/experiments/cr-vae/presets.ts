/**
 * CR-VAE, presets. `paper` is the CR-VAE paper's setting (WAE nets, latent 50, Adam 1e-4,
 * batch 64, 100 epochs, NLL with K = 1000) for a GPU; `quick` shows the same effects on a
 * 2-core CPU in minutes (MLP, a training subset, few epochs, fewer importance samples).
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
  /** Test (and t-Test) images scored; undefined = all. */
  evalExamples?: number;
  /** Importance samples for the NLL. */
  K: number;
  /** Aggregate-posterior batch for the MI. */
  M: number;
}

export const presets: Record<string, Preset> = {
  quick: {
    net: { kind: 'mlp', hidden: [256] },
    latentDim: 32,
    learningRate: 1e-3,
    batchSize: 64,
    epochs: 6,
    trainExamples: 10000,
    evalExamples: 1000,
    K: 100,
    M: 1000,
  },
  paper: {
    net: { kind: 'wae' },
    latentDim: 50,
    learningRate: 1e-4,
    batchSize: 64,
    epochs: 100,
    K: 1000,
    M: 1000,
  },
};
