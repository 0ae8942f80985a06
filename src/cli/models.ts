/**
 * The CLI's model table: `--model NAME` and its help line. Each paper's command
 * (cr-vae.ts, factor-vae.ts, label-relevant.ts) builds the config through its experiment's
 * `modelConfig`; another model is one more entry here and, if it needs them, flags below.
 */
import type { FlagSpec } from './args';

export const cliModels: Record<string, { help: string }> = {
  vae: { help: 'VAE (one-sample ELBO)' },
  iwae: { help: 'IWAE (k-sample bound; --k)' },
  'beta-vae': { help: 'beta-VAE (--beta, default 1)' },
  'factor-vae': { help: 'FactorVAE: VAE + gamma * TC (--gamma, default 10)' },
  'lr-vae': { help: 'label-relevant/irrelevant two-encoder VAE (--gan adds the pixel discriminator; --dataset moons|mnist|fashion-mnist; --zs, --zu)' },
  cvae: { help: 'conditional VAE baseline of lr-vae (label into the decoder)' },
  'cvae-gan': { help: 'cVAE-GAN baseline of lr-vae (cVAE + hinge pixel discriminator)' },
};

/** Flags that model entries read (beyond the common ones). */
export const modelFlags: FlagSpec[] = [
  { name: 'beta', type: 'number', range: { min: 0 }, help: 'beta-VAE: weight on KL(q(z|x) || p(z)) (default 1)' },
  { name: 'gamma', type: 'number', range: { min: 0 }, help: 'FactorVAE: weight on the total correlation (default 10)' },
  { name: 'k', type: 'number', range: { min: 1, integer: true }, help: 'IWAE: importance samples in the bound (default 5)' },
  { name: 'gan', type: 'boolean', help: 'lr-vae: add the pixel discriminator (hinge loss), the GAN variant' },
  { name: 'zs', type: 'number', range: { min: 1, integer: true }, help: "lr-vae: dimension of the label-relevant code z_s (default: the preset's)" },
  { name: 'zu', type: 'number', range: { min: 1, integer: true }, help: "lr-vae/cvae: dimension of the label-irrelevant code z_u (default: the preset's)" },
  { name: 'latent', type: 'number', range: { min: 1, integer: true }, help: "latent dimension (default: the preset's)" },
  { name: 'lr', type: 'number', range: { min: 0, above: true, max: 1 }, help: "Adam learning rate (default: the preset's)" },
];
