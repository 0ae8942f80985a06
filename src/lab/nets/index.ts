/**
 * Encoder/decoder networks as tf.layers models (so checkpoints are the tfjs format).
 *   encoder: x [n,h,w,c] -> [n, 2*latentDim]   (first half: mean, second half: log-variance)
 *   decoder: z [n, latentDim] -> [n,h,w,c]      (unsquashed: Bernoulli logits / pre-sigmoid means)
 * Batch-norm uses the BatchNormalization LAYER (tf.batchNorm's gradient without
 * scale/offset throws in tfjs 4.22).
 */
import * as tf from '../tf';
import { UnknownNameError } from '../core/errors';
import type { Rng } from '../core/random';
import { buildDSpritesDecoder, buildDSpritesEncoder, type DSpritesNetConfig } from './dsprites';
import { initRng, seededKernel } from './init';

/** Which encoder/decoder pair to build. */
export type NetConfig =
  /** Fully connected: flatten -> hidden layers (ReLU) -> output; mirrored in the decoder. */
  | { kind: 'mlp'; hidden: number[] }
  /** Small conv pair for CPU: conv 32, 64 (4x4 stride 2 SAME, ReLU) -> dense / dense 7x7x64 -> convT 32, c. */
  | { kind: 'conv-small'; filters?: [number, number] }
  /**
   * The WAE nets (Tolstikhin et al. 2017) the CR-VAE paper uses: 4x4 convs (5x5 for 64x64x3)
   * stride 2 with 128, 256, 512, 1024 filters + BN + ReLU; decoder dense to 7x7x1024 (8x8x1024
   * for 64x64) then conv-transposes 512, 256 (, 128) stride 2 + BN + ReLU, then stride 1 to c.
   */
  | { kind: 'wae' }
  /** The dSprites conv pair of Kim & Mnih 2018 (./dsprites.ts). */
  | DSpritesNetConfig;

/** The net kinds the builders know (a config from JSON may name any string). */
const NET_KINDS: readonly NetConfig['kind'][] = ['mlp', 'conv-small', 'wae', 'dsprites'];

function checkKind(cfg: NetConfig): void {
  if (!NET_KINDS.includes(cfg?.kind)) throw new UnknownNameError('net kind', String(cfg?.kind), NET_KINDS);
}

/** Input/latent sizes shared by both builders. */
export interface NetShape {
  /** [height, width, channels]. */
  inputShape: [number, number, number];
  latentDim: number;
}

/** `rng` seeds the kernels, one seed per layer (./init.ts); default: the stream of seed 0. */
export function buildEncoder(cfg: NetConfig, s: NetShape, rng: Rng = initRng(0)): tf.LayersModel {
  checkKind(cfg);
  if (cfg.kind === 'dsprites') return buildDSpritesEncoder(cfg, s, rng);
  const [h, w, c] = s.inputShape;
  const input = tf.input({ shape: [h, w, c] });
  let y: tf.SymbolicTensor;
  if (cfg.kind === 'mlp') {
    y = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    for (const units of cfg.hidden) y = tf.layers.dense({ units, activation: 'relu', ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
  } else if (cfg.kind === 'conv-small') {
    y = input;
    for (const filters of cfg.filters ?? [32, 64]) {
      y = tf.layers.conv2d({ filters, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu', ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
    }
    y = tf.layers.flatten().apply(y) as tf.SymbolicTensor;
  } else {
    const k = h >= 64 ? 5 : 4;
    y = input;
    for (const filters of [128, 256, 512, 1024]) {
      y = tf.layers.conv2d({ filters, kernelSize: k, strides: 2, padding: 'same', useBias: false, ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
      y = bnRelu(y);
    }
    y = tf.layers.flatten().apply(y) as tf.SymbolicTensor;
  }
  const out = tf.layers.dense({ units: 2 * s.latentDim, ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** `rng` seeds the kernels as in buildEncoder. */
export function buildDecoder(cfg: NetConfig, s: NetShape, rng: Rng = initRng(0)): tf.LayersModel {
  checkKind(cfg);
  if (cfg.kind === 'dsprites') return buildDSpritesDecoder(cfg, s, rng);
  const [h, w, c] = s.inputShape;
  const input = tf.input({ shape: [s.latentDim] });
  let y: tf.SymbolicTensor = input;
  if (cfg.kind === 'mlp') {
    for (const units of [...cfg.hidden].reverse()) y = tf.layers.dense({ units, activation: 'relu', ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.dense({ units: h * w * c, ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.reshape({ targetShape: [h, w, c] }).apply(y) as tf.SymbolicTensor;
  } else if (cfg.kind === 'conv-small') {
    const [f1, f2] = cfg.filters ?? [32, 64];
    const h0 = Math.ceil(h / 4),
      w0 = Math.ceil(w / 4);
    y = tf.layers.dense({ units: h0 * w0 * f2, activation: 'relu', ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.reshape({ targetShape: [h0, w0, f2] }).apply(y) as tf.SymbolicTensor;
    y = tf.layers
      .conv2dTranspose({ filters: f1, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu', ...seededKernel(rng) })
      .apply(y) as tf.SymbolicTensor;
    y = tf.layers.conv2dTranspose({ filters: c, kernelSize: 4, strides: 2, padding: 'same', ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
  } else {
    const big = h >= 64;
    const k = big ? 5 : 4;
    const h0 = big ? 8 : 7,
      w0 = big ? 8 : 7;
    y = tf.layers.dense({ units: h0 * w0 * 1024, activation: 'relu', ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.reshape({ targetShape: [h0, w0, 1024] }).apply(y) as tf.SymbolicTensor;
    for (const filters of big ? [512, 256, 128] : [512, 256]) {
      y = tf.layers
        .conv2dTranspose({ filters, kernelSize: k, strides: 2, padding: 'same', useBias: false, ...seededKernel(rng) })
        .apply(y) as tf.SymbolicTensor;
      y = bnRelu(y);
    }
    y = tf.layers.conv2dTranspose({ filters: c, kernelSize: k, strides: 1, padding: 'same', ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: y });
}

function bnRelu(y: tf.SymbolicTensor): tf.SymbolicTensor {
  y = tf.layers.batchNormalization({ axis: -1 }).apply(y) as tf.SymbolicTensor;
  return tf.layers.reLU().apply(y) as tf.SymbolicTensor;
}

/** Every variable of a layers model, trainable or not (batch-norm moving statistics too). */
export function netVariables(net: tf.LayersModel): tf.Variable[] {
  return net.weights.map((w) => w.read() as tf.Variable);
}

/** The trainable variables of a layers model. */
export function trainableVariables(net: tf.LayersModel): tf.Variable[] {
  return net.trainableWeights.map((w) => w.read() as tf.Variable);
}
