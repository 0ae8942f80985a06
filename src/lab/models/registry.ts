/**
 * The model registry: config.kind -> a factory. Each model registers itself right after its
 * class (`registerModel('factor-vae', (c) => new FactorVAE(c as FactorVaeConfig))`), so
 * importing the models folder (./index.ts) fills it; checkpoints are rebuilt through
 * `buildModel`, which loadCheckpoint receives rather than imports. It holds the density
 * models (LabModel); the conditional generators (LR-VAE, cVAE), whose decoders need a class,
 * are built by experiments/label-relevant/build.ts, which loadCheckpoint can receive instead.
 */
import type { ModelConfig } from '../core/types';
import type { LabModel } from './types';
import { UnknownNameError } from '../core/errors';

/** Builds a model from its config. */
export type ModelFactory = (config: ModelConfig) => LabModel;

const factories = new Map<string, ModelFactory>();

/** Add (or replace) the factory for `kind`. */
export function registerModel(kind: string, factory: ModelFactory): void {
  factories.set(kind, factory);
}

/** Rebuild a model from its config (fresh weights). */
export function buildModel(config: ModelConfig): LabModel {
  const f = factories.get(config?.kind);
  if (!f) throw new UnknownNameError('model kind', String(config?.kind), [...factories.keys()], 'registerModel(kind, factory) adds one.');
  return f(config);
}

/** The registered kinds. */
export function modelKinds(): string[] {
  return [...factories.keys()];
}
