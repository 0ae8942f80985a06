/**
 * FactorVAE (Kim & Mnih 2018): the VAE objective plus a total-correlation penalty,
 *   loss_vae = -E_q[log p(x|z)] + KL(q(z|x) || p(z)) + gamma * TC(z),
 *   TC(z) = KL(q(z) || prod_d q(z_d)) ~= E_q(z)[log D(z)_0 - log D(z)_1] = mean(D(z)_0 - D(z)_1)
 * where D outputs two logits (class 0: "a sample of q(z)", class 1: "a sample of the product
 * of marginals") and the density-ratio trick gives log(q(z)/q̄(z)) ~= logit_0 - logit_1.
 * Samples of q̄(z) = prod_d q(z_d): codes of a SECOND minibatch with each dimension permuted
 * independently across the batch (detached: no gradient reaches the encoder from them), or
 * optionally the same minibatch's codes permuted (`DiscriminatorConfig.permute`).
 * D minimises the cross-entropy 1/2 [CE(D(z), 0) + CE(D(perm(z')), 1)] with its own Adam.
 * Its z are the codes the VAE update sampled from the same minibatch (kept, and constants in
 * D's update), as in the paper's Algorithm 1: encoding that batch again would cost a third
 * encoder pass for the same distribution.
 *
 * Two UpdateSpecs, run in order by the lab's Trainer: 'vae' (encoder + decoder) then
 * 'discriminator' (D only). The base VAE (encoder, decoder, likelihood) is the lab's `VAE`.
 */
import * as tf from '../tf';
import type { Rng } from '../core/random';
import type { NetConfig } from '../nets';
import { netVariables, trainableVariables } from '../nets';
import { initRng, seededKernel } from '../nets/init';
import type { Batch, Checkpointable, LossResult, ModelConfig, StepContext, UpdateSpec } from '../core/types';
import { noise, reparameterize } from './gaussian';
import type { LikelihoodConfig } from './likelihood';
import type { GaussianPosterior, ObjectiveModel, ObjectiveTerms } from './types';
import { VAE } from './vae';
import { registerModel } from './registry';

/** The discriminator D and its optimizer. Paper: 6 x 1000, LeakyReLU 0.2, Adam 1e-4 (0.5, 0.9). */
export interface DiscriminatorConfig {
  /** Units per hidden layer. Default 1000. */
  width?: number;
  /** Number of hidden layers. Default 6. */
  depth?: number;
  /** Adam learning rate. Default 1e-4. */
  learningRate?: number;
  /** Adam beta1. Default 0.5. */
  beta1?: number;
  /** Adam beta2. Default 0.9. */
  beta2?: number;
  /**
   * Where D's samples of the product of marginals come from: 'second-batch' (the paper's
   * Algorithm 1: a second minibatch's codes, permuted) or 'same-batch' (disentanglement_lib's
   * FactorVAE: the VAE update's own codes, permuted; one encoder pass fewer per step).
   * Default 'second-batch'.
   */
  permute?: 'second-batch' | 'same-batch';
}

/** Config of a FactorVAE (rebuilt from JSON by the model registry). */
export interface FactorVaeConfig extends ModelConfig {
  kind: 'factor-vae';
  /** [height, width, channels] of one image. */
  inputShape: [number, number, number];
  /** Dimension of z (dSprites: 10). */
  latentDim: number;
  /** Encoder/decoder pair (dSprites: { kind: 'dsprites' }). */
  net: NetConfig;
  /** p(x|z); default Bernoulli. */
  likelihood?: LikelihoodConfig;
  /** Weight on the TC term (paper dSprites: 10 to 100). */
  gamma: number;
  /** VAE Adam learning rate (paper 1e-4; betas 0.9, 0.999). Default 1e-4. */
  learningRate?: number;
  /** The TC discriminator. */
  discriminator?: DiscriminatorConfig;
  /** Seed of the initial weights (default 0); the base VAE draws them as a VAE of this seed would. */
  seed?: number;
}

/** Build D: z [n, L] -> depth x (dense width, LeakyReLU 0.2) -> dense 2 (logits); `rng` seeds the kernels (nets/init.ts). */
export function buildDiscriminator(latentDim: number, cfg: DiscriminatorConfig = {}, rng: Rng = initRng(0, 1)): tf.LayersModel {
  const input = tf.input({ shape: [latentDim] });
  let y: tf.SymbolicTensor = input;
  for (let i = 0; i < (cfg.depth ?? 6); i++) {
    y = tf.layers.dense({ units: cfg.width ?? 1000, ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.leakyReLU({ alpha: 0.2 }).apply(y) as tf.SymbolicTensor;
  }
  const out = tf.layers.dense({ units: 2, ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/**
 * Samples of prod_d q(z_d): column d of z reordered by its own random permutation of the
 * rows, for every d (one gather over the flattened codes). Not differentiated.
 */
export function permuteDims(z: tf.Tensor2D, rng: Rng): tf.Tensor2D {
  const [n, L] = z.shape;
  const idx = new Int32Array(n * L);
  for (let d = 0; d < L; d++) {
    const p = rng.permutation(n);
    for (let i = 0; i < n; i++) idx[i * L + d] = p[i] * L + d;
  }
  return tf.tidy(() => tf.reshape(tf.gather(tf.reshape(z, [-1]), tf.tensor1d(idx, 'int32')), [n, L]) as tf.Tensor2D);
}

/**
 * D's loss: 1/2 [CE(D(z), 0) + CE(D(zPerm), 1)], each half a mean over its own batch, plus
 * D's accuracy on the two halves (0.5 = it cannot tell q(z) from the product of marginals).
 */
export function discriminatorLoss(D: tf.LayersModel, z: tf.Tensor2D, zPerm: tf.Tensor2D): LossResult {
  const n = z.shape[0],
    m = zPerm.shape[0];
  const logits = D.apply(tf.concat([z, zPerm], 0)) as tf.Tensor2D;
  const labels = tf.oneHot(tf.concat([tf.zeros([n], 'int32'), tf.ones([m], 'int32')]) as tf.Tensor1D, 2);
  const weights = tf.concat([tf.fill([n], 0.5 / n), tf.fill([m], 0.5 / m)]);
  const ce = tf.losses.softmaxCrossEntropy(labels, logits, undefined, undefined, tf.Reduction.NONE);
  const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(labels, 1)), 'float32')) as tf.Scalar;
  return { loss: tf.sum(tf.mul(ce, weights)) as tf.Scalar, terms: { discriminatorAccuracy: accuracy } };
}

export class FactorVAE implements ObjectiveModel, Checkpointable {
  readonly base: VAE;
  readonly discriminator: tf.LayersModel;
  readonly latentDim: number;
  readonly inputShape: [number, number, number];
  private specs?: UpdateSpec[];
  /** The codes the last 'vae' update sampled, and its batch: D's update reuses them for that batch. */
  private lastCodes?: { batch: Batch; z: tf.Tensor2D };

  constructor(readonly cfg: FactorVaeConfig) {
    this.base = new VAE({ kind: 'vae', inputShape: cfg.inputShape, latentDim: cfg.latentDim, net: cfg.net, likelihood: cfg.likelihood, seed: cfg.seed });
    this.discriminator = buildDiscriminator(cfg.latentDim, cfg.discriminator, initRng(cfg.seed ?? 0, 1));
    this.latentDim = cfg.latentDim;
    this.inputShape = cfg.inputShape;
  }

  get gamma(): number {
    return this.cfg.gamma;
  }

  encode(x: tf.Tensor4D, training = false): GaussianPosterior {
    return this.base.encode(x, training);
  }
  decode(z: tf.Tensor2D, training = false): tf.Tensor4D {
    return this.base.decode(z, training);
  }
  logLikelihood(x: tf.Tensor4D, z: tf.Tensor2D, training = false): tf.Tensor1D {
    return this.base.logLikelihood(x, z, training);
  }
  /** The VAE's per-example ELBO terms (the TC term is a batch quantity, added in the loss). */
  objective(x: tf.Tensor4D, rng: Rng, training = false): ObjectiveTerms {
    return this.base.objective(x, rng, training);
  }

  /** D's TC estimate for codes z: mean over the batch of logit_0 - logit_1. */
  tcEstimate(z: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const [l0, l1] = tf.split(this.discriminator.apply(z) as tf.Tensor2D, 2, 1);
      return tf.mean(tf.sub(l0, l1)) as tf.Scalar;
    });
  }

  /** z ~ q(z|x) by reparameterisation. */
  private sample(q: GaussianPosterior, rng: Rng): tf.Tensor2D {
    return reparameterize(q, noise(q.mean.shape, rng)) as tf.Tensor2D;
  }

  updates(): UpdateSpec[] {
    if (this.specs) return this.specs;
    const d = this.cfg.discriminator ?? {};
    const vae: UpdateSpec = {
      name: 'vae',
      optimizer: tf.train.adam(this.cfg.learningRate ?? 1e-4, 0.9, 0.999),
      variables: () => this.base.trainableVariables(),
      loss: (batch: Batch, ctx: StepContext) => {
        const t = this.base.objective(batch.x, ctx.rng, true);
        const z = this.sample(t.posterior, ctx.rng);
        this.keepCodes(batch, z);
        const tc = this.tcEstimate(z);
        const elbo = tf.mean(t.bound);
        return {
          loss: tf.add(tf.neg(elbo), tf.mul(tc, this.gamma)) as tf.Scalar,
          terms: { recon: tf.mean(t.recon) as tf.Scalar, kl: tf.mean(t.kl) as tf.Scalar, bound: elbo as tf.Scalar, tc },
        };
      },
    };
    const disc: UpdateSpec = {
      name: 'discriminator',
      optimizer: tf.train.adam(d.learningRate ?? 1e-4, d.beta1 ?? 0.5, d.beta2 ?? 0.9),
      variables: () => trainableVariables(this.discriminator),
      loss: (batch: Batch, ctx: StepContext) => {
        // Detached by construction: only D's variables are differentiated in this update.
        const z = this.takeCodes(batch) ?? this.sample(this.encode(batch.x), ctx.rng);
        const z2 = d.permute === 'same-batch' ? z : this.sample(this.encode(ctx.nextBatch().x), ctx.rng);
        return discriminatorLoss(this.discriminator, z, permuteDims(z2, ctx.rng));
      },
    };
    this.specs = [vae, disc];
    return this.specs;
  }

  /** Keep a copy of the VAE update's codes (outside its tidy) for D's update on the same batch. */
  private keepCodes(batch: Batch, z: tf.Tensor2D): void {
    this.lastCodes?.z.dispose();
    this.lastCodes = { batch, z: tf.keep(tf.clone(z)) };
  }

  /**
   * The kept codes when they were sampled from `batch`, else undefined (D's update run alone,
   * or on another batch). The caller gets a clone in its own scope (it must live until D's
   * gradients are done, and the caller's tidy frees it then); the kept copy is freed here.
   */
  private takeCodes(batch: Batch): tf.Tensor2D | undefined {
    const kept = this.lastCodes;
    this.lastCodes = undefined;
    if (!kept) return undefined;
    const z = kept.batch === batch ? tf.clone(kept.z) : undefined;
    kept.z.dispose();
    return z;
  }

  config(): FactorVaeConfig {
    return { ...this.cfg };
  }

  nets(): Record<string, tf.LayersModel> {
    return { ...this.base.nets(), discriminator: this.discriminator };
  }

  variables(): tf.Variable[] {
    return [...this.base.variables(), ...netVariables(this.discriminator)];
  }

  /** Free the nets' weights and both optimizers' state. */
  dispose(): void {
    this.base.dispose();
    this.discriminator.dispose();
    this.lastCodes?.z.dispose();
    this.lastCodes = undefined;
    for (const s of this.specs ?? []) s.optimizer.dispose();
  }
}

registerModel('factor-vae', (c) => new FactorVAE(c as FactorVaeConfig));
