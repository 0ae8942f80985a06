/** Label-relevant VAE, train: fit one of the four models with the lab's Trainer. */
import type { LabelRelevantVAE } from '../../models/lrVae';
import type { ConditionalVAE } from '../../models/cvae';
import { Trainer, type TrainResult, type TrainerOptions } from '../../train/trainer';
import type { ConditionalData } from './data';
import type { Preset } from './presets';

/** Train with the lab's Trainer (seeded; cancellable through `signal` or the cell's interrupt). */
export function train(
  model: LabelRelevantVAE | ConditionalVAE,
  data: ConditionalData,
  preset: Preset,
  opts: Pick<TrainerOptions, 'seed' | 'signal' | 'callbacks' | 'epochs' | 'checkpointDir' | 'extra' | 'evaluate'> = {},
): Promise<TrainResult> {
  return new Trainer({ ...opts, epochs: opts.epochs ?? preset.epochs, batchSize: preset.batchSize }).fit(model, data.train);
}
