/**
 * `vae-lab`, the module notebook cells import (the kernel maps it here): the names a notebook
 * uses most, flat, and one namespace per layer of the lab for the rest
 * (`data.moons(...)`, `metrics.mutualInformation(...)`, `experiments.crVae.run(...)`).
 * The exported names are snapshotted by test/unit/lab/exports.test.ts: adding or removing
 * one is a deliberate change to that list.
 */
import type { Checkpointable, ModelConfig } from './core/types';
import { buildModel } from './models';
import type { LabModel } from './models/types';
import { loadCheckpoint as loadCheckpointWith, type TrainerState } from './train/checkpoint';

export * as tf from './tf';

// Layers, as namespaces.
export * as data from './data';
export * as nets from './nets';
export * as models from './models';
export * as train from './train';
export * as metrics from './metrics';
export * as viz from './viz';
export * as experiments from './experiments';

// core
export { LabError, InvalidArgumentError, UnknownNameError } from './core/errors';
export { Rng, deriveSeed } from './core/random';
export type { Batch, Checkpointable, LossResult, ModelConfig, StepContext, Trainable, UpdateSpec } from './core/types';
// data
export { ImageDataset } from './data/dataset';
export { DataNotFoundError, loadDataset, loadFashionMnist, loadIdxFolder, loadMnist } from './data/sources';
export { transformedSet } from './data/ttest';
export { DSprites, imagesOf, sampleFactors } from './data/dsprites';
// nets
export { buildDecoder, buildEncoder, type NetConfig } from './nets';
// models
export { buildModel, modelKinds, registerModel } from './models/registry';
export { BetaVAE, IWAE, VAE, type VaeConfig } from './models/vae';
export { withConsistency } from './models/consistency';
export { FactorVAE } from './models/factorVae';
export { LabelRelevantVAE } from './models/lrVae';
export { ConditionalVAE } from './models/cvae';
export type { DensityModel, LabModel, LatentModel } from './models/types';
// train
export { Trainer, type BatchSource, type TrainerCallbacks, type TrainerOptions, type TrainResult } from './train/trainer';
export { saveCheckpoint, type TrainerState } from './train/checkpoint';
export { CheckpointError, NonFiniteLossError, SanityCheckError, TrainingCancelledError } from './train/errors';
// jobs: a sweep's summary and runs, as `vae-lab sweep run` left them (local or a cluster)
export { loadSweep, type LoadedSweep } from './jobs/sweep';
export { sittingsMarkdown, sittingsOf, type Sitting } from './jobs/sittings';
// metrics
export { evaluate, type EvalResult } from './metrics/evaluate';
// viz
export { show } from './viz/show';
export { liveChart, type LiveChart } from './viz/charts';

/**
 * Load a checkpoint folder (written by the Trainer or `vae-lab train --out DIR`, as DIR/model):
 * the model with its weights and optimizer state, and the trainer state. `build` rebuilds the
 * architecture from config.json; the default is the models' registry (every LabModel). For an
 * LR-VAE or cVAE checkpoint pass `experiments.labelRelevant.build`.
 */
export function loadCheckpoint(dir: string): Promise<{ model: LabModel; state: TrainerState }>;
export function loadCheckpoint<M extends Checkpointable>(dir: string, build: (config: ModelConfig) => M): Promise<{ model: M; state: TrainerState }>;
export function loadCheckpoint(
  dir: string,
  build: (config: ModelConfig) => Checkpointable = buildModel,
): Promise<{ model: Checkpointable; state: TrainerState }> {
  return loadCheckpointWith(dir, build);
}
