/** FactorVAE vs beta-VAE on dSprites, build: the config of either model with the dSprites nets. */
import type { ModelConfig } from '../../core/types';
import type { Preset } from './presets';

/** The two models of the comparison. */
export type DSpritesModel = 'beta-vae' | 'factor-vae';

/** Overrides of the preset (the CLI's --latent and --lr). */
export interface BuildOverrides {
  latentDim?: number;
  learningRate?: number;
}

/** The config of a beta-VAE (weight = beta) or FactorVAE (weight = gamma) with the dSprites nets. */
export function modelConfig(kind: DSpritesModel, weight: number, preset: Preset, o: BuildOverrides = {}): ModelConfig {
  const base = {
    inputShape: [64, 64, 1] as [number, number, number],
    latentDim: o.latentDim ?? preset.latentDim,
    net: preset.net,
    learningRate: o.learningRate ?? preset.learningRate,
  };
  return kind === 'beta-vae' ? { kind, ...base, beta: weight } : { kind, ...base, gamma: weight, discriminator: preset.discriminator };
}
