/**
 * The CLI's model table: `--model NAME` -> a model config. Other models add one entry
 * (e.g. `cliModels['factor-vae'] = { ... }`) and, if they need them, flags to `modelFlags`.
 */
import type { Preset } from '../presets';
import type { ModelConfig } from '../train/types';
import type { FlagSpec, Flags } from './args';
import { conditionalConfig, lrPresets } from '../models/lrVaeExperiment';

/** What every table entry gets to build its config from. */
export interface ModelBuildContext {
  flags: Flags;
  preset: Preset;
  /** [height, width, channels] of the data set's images. */
  inputShape: [number, number, number];
}

export interface CliModel {
  /** One line for --help. */
  help: string;
  /** The model's config (the registry builds it). */
  config(ctx: ModelBuildContext): ModelConfig;
  /** Dynamically binarize training batches (Bernoulli likelihood on grey images). Default true. */
  binarize?: boolean;
}

const vaeBase = (kind: string, ctx: ModelBuildContext, extra: Record<string, unknown> = {}): ModelConfig => ({
  kind,
  inputShape: ctx.inputShape,
  latentDim: (ctx.flags.latent as number | undefined) ?? ctx.preset.latentDim,
  net: ctx.preset.net,
  learningRate: (ctx.flags.lr as number | undefined) ?? ctx.preset.learningRate,
  ...extra,
});

export const cliModels: Record<string, CliModel> = {
  vae: { help: 'VAE (one-sample ELBO)', config: (ctx) => vaeBase('vae', ctx) },
  iwae: { help: 'IWAE (k-sample bound; --k)', config: (ctx) => vaeBase('iwae', ctx, { k: (ctx.flags.k as number | undefined) ?? 5 }) },
  'beta-vae': { help: 'beta-VAE (--beta, default 1)', config: (ctx) => vaeBase('beta-vae', ctx, { beta: (ctx.flags.beta as number | undefined) ?? 1 }) },
  'factor-vae': { help: 'FactorVAE: VAE + gamma * TC (--gamma, default 10)', config: (ctx) => vaeBase('factor-vae', ctx, { gamma: (ctx.flags.gamma as number | undefined) ?? 10, discriminator: (ctx.preset as { discriminator?: object }).discriminator }) },
  'lr-vae': { help: 'label-relevant/irrelevant two-encoder VAE (--gan adds the pixel discriminator; --dataset moons|mnist|fashion-mnist; --zs, --zu)', config: (ctx) => conditionalConfig(ctx.flags.gan ? 'lr-vae-gan' : 'lr-vae', { dataset: 'mnist', classes: 10, inputShape: ctx.inputShape }, lrPresets.quick.images) },
  cvae: { help: 'conditional VAE baseline of lr-vae (label into the decoder)', config: (ctx) => conditionalConfig('cvae', { dataset: 'mnist', classes: 10, inputShape: ctx.inputShape }, lrPresets.quick.images) },
  'cvae-gan': { help: 'cVAE-GAN baseline of lr-vae (cVAE + hinge pixel discriminator)', config: (ctx) => conditionalConfig('cvae-gan', { dataset: 'mnist', classes: 10, inputShape: ctx.inputShape }, lrPresets.quick.images) },
};

/** Flags that model entries read (beyond the common ones). */
export const modelFlags: FlagSpec[] = [
  { name: 'beta', type: 'number', range: { min: 0 }, help: 'beta-VAE: weight on KL(q(z|x) || p(z)) (default 1)' },
  { name: 'gamma', type: 'number', range: { min: 0 }, help: 'FactorVAE: weight on the total correlation (default 10)' },
  { name: 'k', type: 'number', range: { min: 1, integer: true }, help: 'IWAE: importance samples in the bound (default 5)' },
  { name: 'gan', type: 'boolean', help: 'lr-vae: add the pixel discriminator (hinge loss), the GAN variant' },
  { name: 'zs', type: 'number', range: { min: 1, integer: true }, help: 'lr-vae: dimension of the label-relevant code z_s (default: the preset\'s)' },
  { name: 'zu', type: 'number', range: { min: 1, integer: true }, help: 'lr-vae/cvae: dimension of the label-irrelevant code z_u (default: the preset\'s)' },
  { name: 'latent', type: 'number', range: { min: 1, integer: true }, help: 'latent dimension (default: the preset\'s)' },
  { name: 'lr', type: 'number', range: { min: 0, above: true, max: 1 }, help: 'Adam learning rate (default: the preset\'s)' },
];
