/**
 * The contract between models and the trainer (pythae's split: a model is a config plus a
 * class; the trainer owns the loop, callbacks, cancellation, NaN guard and checkpoints).
 *
 * A model describes its parameter updates as an ordered list. A plain VAE has one; FactorVAE
 * has two (VAE + gamma*TC, then the discriminator, each with its own optimizer); the
 * label-relevant VAE runs E_s three times then the rest. The trainer runs them in order each
 * step and never looks at a model's name.
 *
 * How the trainer runs one step (src/lab/train/trainer.ts):
 *   for spec of model.updates():            // in order
 *     for r in 0 .. (spec.repeat ?? 1) - 1:
 *       loss, grads = d spec.loss(batch, ctx) / d spec.variables()
 *       if loss or any term is NaN/Inf: restore last good weights, throw NonFiniteLossError
 *       spec.optimizer.applyGradients(grads)
 * The SAME batch is passed to every update and repeat of a step; `ctx.nextBatch()` draws
 * further independent batches (each call a new one; the trainer disposes them after the step).
 */
// Types only (erased at build): core sits below the runtime layer that owns ../tf, so it names the package.
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from './random';

export interface Batch {
  /** Images NHWC in [0, 1] (already binarized when the likelihood asks for it). */
  x: tf.Tensor4D;
  /** Integer class labels [n], when the data set has them. */
  y?: tf.Tensor1D;
  /**
   * The grey images x was binarized from, when the data set binarized the batch: a transform that
   * must act on the grey image and binarize once (CR-VAE's x~, as the t-Test set is made) reads it.
   */
  grey?: tf.Tensor4D;
}

export interface StepContext {
  /** Global step index, 0-based, counted over the whole run (continues after resume). */
  step: number;
  /** Epoch index, 0-based. */
  epoch: number;
  /** Which repeat of the current update this is (0 .. repeat-1). */
  repeat: number;
  /**
   * Seeded randomness for this update (reparameterisation noise, transforms, permutations).
   * Derived from (run seed, step, update index, repeat), so a run is reproducible and a
   * resumed run draws the same numbers as an uninterrupted one.
   */
  rng: Rng;
  /** A further, independent minibatch (FactorVAE's discriminator); drawn lazily, disposed by the trainer. */
  nextBatch(): Batch;
}

export interface LossResult {
  /** The scalar minimised by this update. */
  loss: tf.Scalar;
  /** Named terms for logs and live charts (e.g. recon, kl, consistency, tc); batch means. */
  terms?: Record<string, tf.Scalar>;
}

export interface UpdateSpec {
  /** Shown in logs and error messages (e.g. "vae", "discriminator"). */
  name: string;
  /** This update's own optimizer (its state is kept across steps, and in checkpoints). */
  optimizer: tf.Optimizer;
  /** The variables this update changes (others are held fixed). */
  variables(): tf.Variable[];
  /** Builds the loss; called inside a gradient scope (tidy): create no tensors that must outlive it. */
  loss(batch: Batch, ctx: StepContext): LossResult;
  /** Run this update k times per step (default 1). */
  repeat?: number;
}

export interface Trainable {
  /** Ordered parameter updates for one training step. Called once per trainer; cache optimizers. */
  updates(): UpdateSpec[];
  /** Every variable whose value a checkpoint must keep (weights, batch-norm statistics, optimizers excluded). */
  variables(): tf.Variable[];
}

/** JSON description from which the model registry rebuilds the same architecture. */
export interface ModelConfig {
  /** Registry key, e.g. "vae", "iwae", "beta-vae", "cr" (see src/lab/models/registry.ts). */
  kind: string;
  [key: string]: unknown;
}

/**
 * A Trainable the checkpoint code can save and rebuild: its networks are tf.layers models
 * (saved in the tfjs format, one folder per net), or plain variable sets (a net written with
 * tf ops, e.g. the spectrally normalized projection discriminator); its config is plain JSON.
 */
export interface Checkpointable extends Trainable {
  /** The config this model was built from (registry.ts `buildModel(config)` rebuilds it). */
  config(): ModelConfig;
  /** Named networks; each is saved as `<name>/model.json` + `<name>/weights.bin`. */
  nets(): Record<string, tf.LayersModel>;
  /**
   * Named sets of named variables that are not tf.layers models; each set is saved as
   * `<name>/variables.json` + `<name>/variables.bin` and restored by variable name and shape.
   */
  variableSets?(): Record<string, Record<string, tf.Variable>>;
}
