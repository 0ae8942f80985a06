/**
 * The model registry: config.kind -> a factory. Checkpoints rebuild models through it and
 * the CLI's model table (cli/models.ts) produces configs for it. Other models register
 * themselves with one line: `registerModel('factor-vae', (c) => new FactorVAE(c as ...))`.
 */
import type { Checkpointable, ModelConfig } from '../train/types';
import { withConsistency, type ConsistencyConfig } from './consistency';
import type { ObjectiveModel } from './types';
import { BetaVAE, IWAE, VAE, type VaeConfig } from './vae';
import { UnknownNameError } from '../core/errors';

/** Builds a model from its config. */
export type ModelFactory = (config: ModelConfig) => Checkpointable;

const factories = new Map<string, ModelFactory>([
  ['vae', (c) => new VAE(c as VaeConfig)],
  ['beta-vae', (c) => new BetaVAE(c as VaeConfig)],
  ['iwae', (c) => new IWAE(c as VaeConfig)],
  ['cr', (c) => {
    const cc = c as ConsistencyConfig;
    return withConsistency(buildModel(cc.base) as Checkpointable & ObjectiveModel, cc.options);
  }],
]);

/** Add (or replace) the factory for `kind`. */
export function registerModel(kind: string, factory: ModelFactory): void {
  factories.set(kind, factory);
}

/** Rebuild a model from its config (fresh weights). */
export function buildModel(config: ModelConfig): Checkpointable {
  const f = factories.get(config?.kind);
  if (!f) throw new UnknownNameError('model kind', String(config?.kind), [...factories.keys()], 'registerModel(kind, factory) adds one.');
  return f(config);
}

/** The registered kinds. */
export function modelKinds(): string[] {
  return [...factories.keys()];
}
