/** Label-relevant VAE, build: the configs of the LR-VAE, the cVAE and their GAN variants. */
import type { ModelConfig } from '../../core/types';
import { ConditionalVAE, type CvaeConfig } from '../../models/cvae';
import { LabelRelevantVAE, type LrVaeConfig } from '../../models/lrVae';
import type { ConditionalData } from './data';
import type { Preset } from './presets';
import { UnknownNameError } from '../../core/errors';

/** The four models of the comparison. */
export type ConditionalKind = 'lr-vae' | 'lr-vae-gan' | 'cvae' | 'cvae-gan';
export const CONDITIONAL_KINDS: ConditionalKind[] = ['cvae', 'cvae-gan', 'lr-vae', 'lr-vae-gan'];

/** The config of one of the four models for a data set. */
export function modelConfig(
  kind: ConditionalKind,
  data: Pick<ConditionalData, 'dataset' | 'classes' | 'inputShape'>,
  preset: Preset,
  seed = 0,
): LrVaeConfig | CvaeConfig {
  const moons = data.dataset === 'moons';
  // Moons live in the unit square with noise 0.1 / 7.5: a Gaussian likelihood of matching width.
  const likelihood = moons ? { kind: 'gaussian' as const, sigma: 0.02 } : { kind: 'bernoulli' as const };
  const gan = kind.endsWith('-gan') ? { gan: { hidden: preset.discriminator, weight: moons ? 1 : 5 } } : {};
  const common = { inputShape: data.inputShape, classes: data.classes, net: preset.net, likelihood, learningRate: preset.learningRate, ...gan };
  if (kind === 'cvae' || kind === 'cvae-gan') return { kind, latentDim: preset.zu, seed, ...common };
  // Image recon terms are sums over 784 pixels (~100 nats) against ~log K nats of the adversary's
  // uniform-target CE: weight it 10 there so it is not drowned out.
  return { kind: 'lr-vae', zs: preset.zs, zu: preset.zu, adversaryHidden: moons ? [64] : [256], adversaryWeight: moons ? 1 : 10, seed, ...common };
}

/**
 * Build one of the four models from its config (fresh weights). The conditional generators
 * are not density models and so not in the models' registry: pass this function to
 * `loadCheckpoint` to reload one.
 */
export function build(config: ModelConfig): LabelRelevantVAE | ConditionalVAE {
  if (config.kind === 'lr-vae') return new LabelRelevantVAE(config as LrVaeConfig);
  if (config.kind === 'cvae' || config.kind === 'cvae-gan') return new ConditionalVAE(config as CvaeConfig);
  throw new UnknownNameError('label-relevant model kind', config.kind, ['lr-vae', 'cvae', 'cvae-gan']);
}
