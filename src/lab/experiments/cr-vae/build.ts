/**
 * CR-VAE (Sinha & Dieng 2021), build: the config of each model of the paper's tables. A base
 * model (VAE, IWAE, beta-VAE) with the preset's nets, optionally wrapped with the consistency
 * regularizer ('cr') or trained on x and x~ without the consistency KL ('aug', eta 0).
 */
import type { ModelConfig } from '../../core/types';
import type { Preset } from './presets';

/** Base models the consistency regularizer wraps here. */
export type CrBaseModel = 'vae' | 'iwae' | 'beta-vae';

/** What to train: a base model, optionally with CR ('cr') or with augmentation only ('aug', eta 0). */
export interface CrModelSpec {
  model: CrBaseModel;
  /** beta-VAE's weight on KL(q(z|x) || p(z)) (default 1). */
  beta?: number;
  /** IWAE's importance samples in the bound (default 5). */
  k?: number;
  /** 'none': the base alone; 'cr': CR-wrapped; 'aug': x and x~ without the consistency KL ("VAE + Aug"). */
  variant: 'none' | 'cr' | 'aug';
  /** Weight of the consistency KL (default 0.1, or 0.1 * beta). Only with variant 'cr'. */
  eta?: number;
  /** KL direction of the consistency term (default the paper's equation 2: q(z|x) first). */
  klDirection?: 'q(z|x)||q(z|x~)' | 'q(z|x~)||q(z|x)';
  /** Weight of the bound on transformed data (default 1). Only with variant 'cr' or 'aug'. */
  lambda?: number;
}

/** Overrides of the preset for the base model (the CLI's --latent and --lr). */
export interface BaseOverrides {
  latentDim?: number;
  learningRate?: number;
}

/** The base model's config: the preset's nets, latent size and learning rate. */
export function baseConfig(
  spec: Pick<CrModelSpec, 'model' | 'beta' | 'k'>,
  preset: Preset,
  inputShape: [number, number, number],
  o: BaseOverrides = {},
): ModelConfig {
  const extra = spec.model === 'iwae' ? { k: spec.k ?? 5 } : spec.model === 'beta-vae' ? { beta: spec.beta ?? 1 } : {};
  return {
    kind: spec.model,
    inputShape,
    latentDim: o.latentDim ?? preset.latentDim,
    net: preset.net,
    learningRate: o.learningRate ?? preset.learningRate,
    ...extra,
  };
}

/** The model's config: the base, wrapped with the consistency regularizer when the variant asks. */
export function modelConfig(spec: CrModelSpec, preset: Preset, inputShape: [number, number, number], o: BaseOverrides = {}): ModelConfig {
  const base = baseConfig(spec, preset, inputShape, o);
  if (spec.variant === 'none') return base;
  const options: Record<string, unknown> = {};
  if (spec.variant === 'aug') options.eta = 0;
  else if (spec.eta !== undefined) options.eta = spec.eta;
  if (spec.lambda !== undefined) options.lambda = spec.lambda;
  if (spec.klDirection) options.klDirection = spec.klDirection;
  return { kind: 'cr', base, options };
}

/** Table label of a model, as the paper writes it ('CR-IWAE', 'beta-CR-VAE (10)', 'VAE + Aug'). */
export function label(spec: Pick<CrModelSpec, 'model' | 'beta' | 'variant'>): string {
  const cr = spec.variant === 'cr';
  let name: string;
  if (spec.model === 'beta-vae') name = `beta-${cr ? 'CR-' : ''}VAE (${spec.beta ?? 1})`;
  else name = `${cr ? 'CR-' : ''}${spec.model === 'iwae' ? 'IWAE' : 'VAE'}`;
  return spec.variant === 'aug' ? `${name} + Aug` : name;
}

/** Folder name of a model's run ('cr-beta-vae-10'). */
export function runName(spec: Pick<CrModelSpec, 'model' | 'beta' | 'variant'>): string {
  const base = spec.model === 'beta-vae' ? `beta-vae-${spec.beta ?? 1}` : spec.model;
  return spec.variant === 'none' ? base : `${spec.variant}-${base}`;
}
