/**
 * The contract between models and the trainer (pythae's split: a model is a config plus a
 * class; the trainer owns the loop, callbacks, cancellation, NaN guard and checkpoints).
 *
 * A model describes its parameter updates as an ordered list. A plain VAE has one; FactorVAE
 * has two (VAE + gamma*TC, then the discriminator, each with its own optimizer); the
 * label-relevant VAE runs E_s three times then the rest. The trainer runs them in order each
 * step and never looks at a model's name. (Owner: the lab core; refine here, in one place.)
 */
import type * as tf from '../tf';

export interface Batch {
  /** Images NHWC in [0, 1] (already binarized when the likelihood asks for it). */
  x: tf.Tensor4D;
  /** Integer class labels [n], when the data set has them. */
  y?: tf.Tensor1D;
}

export interface StepContext {
  step: number;
  epoch: number;
  /** A second, independent minibatch (FactorVAE's discriminator); drawn lazily, disposed by the trainer. */
  nextBatch(): Batch;
}

export interface LossResult {
  /** The scalar minimised by this update. */
  loss: tf.Scalar;
  /** Named terms for logs and live charts (e.g. recon, kl, consistency, tc). */
  terms?: Record<string, tf.Scalar>;
}

export interface UpdateSpec {
  name: string;
  optimizer: tf.Optimizer;
  /** The variables this update changes (others are held fixed). */
  variables(): tf.Variable[];
  /** Builds the loss; called inside the optimizer's minimize, so inside a tidy. */
  loss(batch: Batch, ctx: StepContext): LossResult;
  /** Run this update k times per step (default 1). */
  repeat?: number;
}

export interface Trainable {
  /** Ordered parameter updates for one training step. */
  updates(): UpdateSpec[];
  /** Every variable whose value a checkpoint must keep (weights, batch-norm statistics, optimizers excluded). */
  variables(): tf.Variable[];
}
