/**
 * The dSprites conv encoder/decoder of Kim & Mnih (2018), Table 1 (also the beta-VAE nets):
 *   encoder: 64x64x1 -> conv 32, 32, 64, 64 (4x4, stride 2, SAME, ReLU) -> 4x4x64
 *            -> dense 128 ReLU -> dense 2*latent (mean | log-variance)
 *   decoder: z -> dense 128 ReLU -> dense 4x4x64 ReLU -> conv-transpose 64, 32, 32 (4x4,
 *            stride 2, ReLU) -> conv-transpose 1 (4x4, stride 2): Bernoulli logits 64x64x1
 * Same output conventions as the lab's other nets (./index.ts). The quick preset narrows the
 * filters; the paper preset keeps them.
 */
import * as tf from '../tf';
import type { NetShape } from './index';
import { InvalidArgumentError } from '../core/errors';
import type { Rng } from '../core/random';
import { seededKernel } from './init';

/** Config of the dSprites nets. */
export interface DSpritesNetConfig {
  kind: 'dsprites';
  /** Filters of the four encoder convs (the decoder mirrors them). Paper: [32, 32, 64, 64]. */
  filters?: [number, number, number, number];
  /** Width of the dense layer between convs and code. Paper: 128. */
  hidden?: number;
}

/** logit(0.045) = log(0.045 / 0.955). */
const OUTPUT_BIAS = -3;

const conv = (filters: number, activation?: 'relu') => ({ filters, kernelSize: 4, strides: 2, padding: 'same' as const, activation });

export function buildDSpritesEncoder(cfg: DSpritesNetConfig, s: NetShape, rng: Rng): tf.LayersModel {
  const input = tf.input({ shape: s.inputShape });
  let y: tf.SymbolicTensor = input;
  for (const f of cfg.filters ?? [32, 32, 64, 64]) y = tf.layers.conv2d({ ...conv(f, 'relu'), ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.flatten().apply(y) as tf.SymbolicTensor;
  y = tf.layers.dense({ units: cfg.hidden ?? 128, activation: 'relu', ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2 * s.latentDim, ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

export function buildDSpritesDecoder(cfg: DSpritesNetConfig, s: NetShape, rng: Rng): tf.LayersModel {
  const [h, w, c] = s.inputShape;
  const [f1, f2, f3, f4] = cfg.filters ?? [32, 32, 64, 64];
  const h0 = h / 16,
    w0 = w / 16;
  if (!Number.isInteger(h0) || !Number.isInteger(w0))
    throw new InvalidArgumentError(`dSprites nets need image sides divisible by 16, got ${h}x${w}: resize the images or use an mlp net`);
  const input = tf.input({ shape: [s.latentDim] });
  let y = tf.layers.dense({ units: cfg.hidden ?? 128, activation: 'relu', ...seededKernel(rng) }).apply(input) as tf.SymbolicTensor;
  y = tf.layers.dense({ units: h0 * w0 * f4, activation: 'relu', ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.reshape({ targetShape: [h0, w0, f4] }).apply(y) as tf.SymbolicTensor;
  for (const f of [f3, f2, f1]) y = tf.layers.conv2dTranspose({ ...conv(f, 'relu'), ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
  // Output bias starts at logit(0.045), about the mean dSprites pixel: training starts from a
  // near-empty image instead of grey (from 0, Adam needs thousands of steps to get there).
  y = tf.layers
    .conv2dTranspose({ ...conv(c), biasInitializer: tf.initializers.constant({ value: OUTPUT_BIAS }), ...seededKernel(rng) })
    .apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: y });
}
