/** Typed errors of the trainer and checkpoints. Each says its cause and who handles it. */
import { LabError } from '../core/errors';

/**
 * A loss, a loss term or a gradient became NaN or Inf. Thrown by the trainer; the failing
 * update was not applied and non-trainable state (batch-norm statistics) is restored, so the
 * weights are the last good ones (with several updates per step, earlier ones of the step stay). The caller (cell, CLI) reports it; the user lowers
 * the learning rate or checks the data.
 */
export class NonFiniteLossError extends LabError {
  constructor(
    readonly step: number,
    readonly update: string,
    readonly term: string,
    readonly value: number,
  ) {
    super(
      `Training stopped at step ${step}: ${term === 'gradient' ? 'the gradient' : `the loss term '${term}'`} of update '${update}' is ${value}. ` +
        'That update was not applied, so the weights are the last good ones. Try a lower learning rate, or check the data for NaNs.',
    );
  }
}

/**
 * The one-batch sanity step before a run failed (wrong input shape, non-scalar or
 * non-finite loss, or the loss function threw). Thrown by the trainer before any update;
 * the user fixes the model/data pairing that the message names.
 */
export class SanityCheckError extends LabError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`Sanity step failed before training: ${detail}`, options);
  }
}

/**
 * Training was cancelled through the AbortSignal (notebook interrupt, Ctrl-C). Thrown by the
 * trainer between steps, so the weights are those after the last completed step; the caller
 * may save them. Hosts treat it as an interruption, not a failure.
 */
export class TrainingCancelledError extends LabError {
  constructor(readonly step: number) {
    super(`Training cancelled after step ${step}; the weights are those of the last completed step.`);
  }
}

/**
 * A checkpoint could not be written or read (disk full, permissions, a missing or corrupt
 * file, a config the registry does not know). Thrown by save/loadCheckpoint; on a failed
 * write the previous checkpoint is untouched. The caller reports the path and the cause.
 */
export class CheckpointError extends LabError {
  constructor(
    readonly dir: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Checkpoint ${dir}: ${detail}`, options);
  }
}
