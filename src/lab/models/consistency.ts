/**
 * Consistency regularization (CR-VAE, Sinha & Dieng 2021) as ONE wrapper around any
 * ObjectiveModel (VAE, IWAE, beta-VAE, ...). Per minibatch (mean over examples):
 *
 *   loss = -B(x) - lambda * B(x~) + eta * KL( q(z|x) || q(z|x~) )
 *
 * B is the base model's bound (ELBO; the k-sample bound for IWAE; recon - beta*KL for
 * beta-VAE), x~ = g(x, eps) a fresh random transform per example per step. The KL is the
 * closed form between diagonal Gaussians summed over dims; gradients flow through both
 * encoder passes. eta = 0 is the "VAE + Aug" ablation (paper Table 4).
 * The KL direction: equation 2 puts q(z|x) first (default); the paper's review and the
 * authors' code put q(z|x~) first ('reversed').
 */
import * as tf from '../tf';
import type { Rng } from '../core/random';
import { binarize, randomAffine, TRAIN_WARP, type WarpRanges } from '../data/transforms';
import type { Batch, Checkpointable, ModelConfig, StepContext, UpdateSpec } from '../core/types';
import { klGaussians } from './gaussian';
import type { GaussianPosterior, LabModel, ObjectiveModel, ObjectiveTerms } from './types';
import { buildModel, registerModel } from './registry';

/** A semantics-preserving random transform x -> x~ (seeded by rng). */
export type Transform = (x: tf.Tensor4D, rng: Rng) => tf.Tensor4D;

/** Options of the consistency regularizer. */
export interface ConsistencyOptions {
  /** Weight on the bound of the transformed data (default 1). */
  lambda?: number;
  /** Weight on the consistency KL (default 0.1, or 0.1 * beta when the base has a beta). 0 = "VAE + Aug". */
  eta?: number;
  /** KL direction: 'q(z|x)||q(z|x~)' (equation 2, default) or 'q(z|x~)||q(z|x)' (authors' code). */
  klDirection?: 'q(z|x)||q(z|x~)' | 'q(z|x~)||q(z|x)';
  /** Affine warp ranges of the default transform (default: the paper's train ranges). */
  warp?: WarpRanges;
  /**
   * Binarize x~ (a Bernoulli draw of the warped image) so it looks like binarized data (default
   * true). With the batch's grey images at hand (a dynamically binarized batch), x~ is the warp of
   * the grey image binarized once, as the t-Test set is; without them, the warp of x.
   */
  binarizeTransformed?: boolean;
  /** A custom transform; replaces the default warp (not saved in checkpoints). */
  transform?: Transform;
}

/** Config of a wrapped model: the base's config plus the options. */
export interface ConsistencyConfig extends ModelConfig {
  kind: 'cr';
  base: ModelConfig;
  options: Omit<ConsistencyOptions, 'transform'>;
  /** Seed of the base's initial weights when the base config has none. */
  seed?: number;
}

type Base = ObjectiveModel & Checkpointable;

export class ConsistencyRegularizer implements ObjectiveModel, Checkpointable {
  readonly latentDim: number;
  readonly inputShape: [number, number, number];
  readonly lambda: number;
  readonly eta: number;
  private specs?: UpdateSpec[];

  constructor(
    readonly base: Base,
    readonly options: ConsistencyOptions = {},
  ) {
    this.latentDim = base.latentDim;
    this.inputShape = base.inputShape;
    this.lambda = options.lambda ?? 1;
    // Paper: eta = 0.1, and 0.1 * beta for beta-VAE (any base whose config has a numeric beta).
    const beta = base.config().beta;
    this.eta = options.eta ?? 0.1 * (typeof beta === 'number' ? beta : 1);
  }

  /** x~ = g(x, eps): the custom transform, or the default affine warp (+ one binarization). Pass the grey image where x is a binarized draw of it. */
  transform(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
    if (this.options.transform) return this.options.transform(x, rng);
    const warped = randomAffine(x, rng, this.options.warp ?? TRAIN_WARP);
    return this.options.binarizeTransformed === false ? warped : binarize(warped, rng);
  }

  /** KL between the two posteriors in the configured direction, per example [n]. */
  consistencyKl(qx: GaussianPosterior, qxt: GaussianPosterior): tf.Tensor1D {
    return this.options.klDirection === 'q(z|x~)||q(z|x)' ? klGaussians(qxt, qx) : klGaussians(qx, qxt);
  }

  /** The full CR loss and its terms for a batch (inside a gradient scope). */
  crLoss(x: tf.Tensor4D, rng: Rng, training = true, grey?: tf.Tensor4D) {
    const a = this.base.objective(x, rng, training);
    // x~ from the grey image when x is a binarized draw of it: warp, then binarize once (binarizing
    // x and then the warp of x would binarize twice: the warp's blended edges of a binary image
    // are drawn again, and x~ differs from x by two Bernoulli draws, not one).
    const b = this.base.objective(this.transform(grey ?? x, rng), rng, training);
    const ckl = this.consistencyKl(a.posterior, b.posterior);
    const loss = tf.sub(tf.add(tf.neg(tf.mean(a.bound)), tf.mul(tf.mean(ckl), this.eta)), tf.mul(tf.mean(b.bound), this.lambda)) as tf.Scalar;
    return {
      loss,
      terms: {
        recon: tf.mean(a.recon) as tf.Scalar,
        kl: tf.mean(a.kl) as tf.Scalar,
        bound: tf.mean(a.bound) as tf.Scalar,
        boundT: tf.mean(b.bound) as tf.Scalar,
        consistency: tf.mean(ckl) as tf.Scalar,
      },
    };
  }

  // ---- LatentModel / ObjectiveModel: delegate to the base (evaluation is the base model's). ----
  encode(x: tf.Tensor4D, training?: boolean) {
    return this.base.encode(x, training);
  }
  decode(z: tf.Tensor2D, training?: boolean) {
    return this.base.decode(z, training);
  }
  logLikelihood(x: tf.Tensor4D, z: tf.Tensor2D, training?: boolean) {
    return this.base.logLikelihood(x, z, training);
  }
  objective(x: tf.Tensor4D, rng: Rng, training?: boolean): ObjectiveTerms {
    return this.base.objective(x, rng, training);
  }

  // ---- Trainable: the base's FIRST update (its objective) gets the CR loss; others are kept. ----
  updates(): UpdateSpec[] {
    if (!this.specs) {
      const [first, ...rest] = this.base.updates();
      this.specs = [
        {
          ...first,
          name: `cr-${first.name}`,
          loss: (batch: Batch, ctx: StepContext) => this.crLoss(batch.x, ctx.rng, true, batch.grey),
        },
        ...rest,
      ];
    }
    return this.specs;
  }
  variables() {
    return this.base.variables();
  }
  nets() {
    return this.base.nets();
  }
  config(): ConsistencyConfig {
    const { transform: _t, ...options } = this.options;
    return { kind: 'cr', base: this.base.config(), options: { ...options, lambda: this.lambda, eta: this.eta } };
  }
  dispose(): void {
    (this.base as { dispose?: () => void }).dispose?.();
  }
}

/** Wrap a model with consistency regularization (CR-VAE, CR-IWAE, beta-CR-VAE, VAE + Aug with eta 0). */
export function withConsistency(base: Base, options: ConsistencyOptions = {}): ConsistencyRegularizer {
  return new ConsistencyRegularizer(base, options);
}

registerModel('cr', (c) => {
  const cc = c as ConsistencyConfig;
  // A seed on the wrapper seeds the base's weights (unless the base names its own): CR-VAE and VAE of one seed start alike.
  const base = cc.seed === undefined ? cc.base : { seed: cc.seed, ...cc.base };
  return withConsistency(buildModel(base) as LabModel & ObjectiveModel, cc.options);
});
