/** FactorVAE vs beta-VAE, train: build one model and fit it with the lab's Trainer. */
import type { ModelConfig } from '../../core/types';
import { buildModel } from '../../models';
import type { LabModel } from '../../models/types';
import { Trainer, type TrainerCallbacks, type TrainResult } from '../../train/trainer';
import type { DSpritesData } from './data';
import type { Preset } from './presets';

/** Options of `train`. */
export interface TrainOptions {
  /** Seed of the training (batches, noise). Default 0. */
  seed?: number;
  /** Epochs (default: the preset's). */
  epochs?: number;
  /** Stop after this many steps (default: the preset's `steps`, if any). */
  steps?: number;
  /** Cancels training between steps. */
  signal?: AbortSignal;
  /** Trainer callbacks (progress, live TC chart). */
  callbacks?: TrainerCallbacks;
  /** Checkpoint folder (optional). */
  checkpointDir?: string;
  /** Stored in the checkpoint. */
  extra?: Record<string, unknown>;
}

/** What `train` returns. */
export interface TrainedModel {
  model: LabModel;
  fit: TrainResult;
  trainSeconds: number;
}

/** Build the model of `config` and train it on the data's subset. */
export async function train(config: ModelConfig, data: DSpritesData, preset: Preset, o: TrainOptions = {}): Promise<TrainedModel> {
  // The training seed also seeds the initial weights (unless the config names its own).
  const model = buildModel({ seed: o.seed ?? 0, ...config });
  const t0 = Date.now();
  const fit = await new Trainer({
    epochs: o.epochs ?? preset.epochs,
    steps: o.steps ?? preset.steps,
    batchSize: preset.batchSize,
    seed: o.seed ?? 0,
    signal: o.signal,
    callbacks: o.callbacks,
    checkpointDir: o.checkpointDir,
    extra: o.extra,
  }).fit(model, data.train);
  return { model, fit, trainSeconds: (Date.now() - t0) / 1000 };
}
