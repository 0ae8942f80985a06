/**
 * VAE, beta-VAE and IWAE: one base (encoder + decoder + likelihood + Adam), three objectives.
 *   VAE:      bound = E_q[log p(x|z)] - KL(q(z|x) || p(z))                     (one sample)
 *   beta-VAE: bound = E_q[log p(x|z)] - beta * KL(q(z|x) || p(z))
 *   IWAE:     bound = log 1/k sum_k p(x, z_k) / q(z_k|x),  z_k ~ q(z|x)          (k samples)
 * Each is a config plus a class; `buildModel(config)` (registry.ts) rebuilds one from JSON.
 */
import * as tf from '../tf';
import type { Rng } from '../core/random';
import { buildDecoder, buildEncoder, netVariables, trainableVariables, type NetConfig } from '../nets';
import { initRng } from '../nets/init';
import type { Batch, Checkpointable, LossResult, ModelConfig, StepContext, UpdateSpec } from '../core/types';
import { klToStdNormal, logImportanceWeights, logMeanExp, noise, reparameterize, splitPosterior } from './gaussian';
import { logLikelihood, meanOf, type LikelihoodConfig } from './likelihood';
import type { GaussianPosterior, ObjectiveModel, ObjectiveTerms } from './types';
import { registerModel } from './registry';

/** Config shared by VAE, beta-VAE and IWAE. */
export interface VaeConfig extends ModelConfig {
  kind: 'vae' | 'beta-vae' | 'iwae';
  /** [height, width, channels] of one image. */
  inputShape: [number, number, number];
  /** Dimension of z (paper: 50). */
  latentDim: number;
  /** Encoder/decoder pair (nets/index.ts). */
  net: NetConfig;
  /** p(x|z); default Bernoulli with logits. */
  likelihood?: LikelihoodConfig;
  /** Adam learning rate (paper: 1e-4; quick preset 1e-3). */
  learningRate?: number;
  /** beta-VAE: weight on KL(q(z|x) || p(z)) (default 1). */
  beta?: number;
  /** IWAE: number of importance samples k (default 5). */
  k?: number;
  /** Seed of the initial weights (default 0); the experiments pass the training seed. */
  seed?: number;
}

/** The shared base: nets, likelihood, optimizer, checkpointing. Subclasses define `objective`. */
export abstract class GaussianVae implements ObjectiveModel, Checkpointable {
  readonly latentDim: number;
  readonly inputShape: [number, number, number];
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  readonly likelihood: LikelihoodConfig;
  private optimizer?: tf.Optimizer;
  private specs?: UpdateSpec[];

  constructor(readonly cfg: VaeConfig) {
    this.latentDim = cfg.latentDim;
    this.inputShape = cfg.inputShape;
    this.likelihood = cfg.likelihood ?? { kind: 'bernoulli' };
    const shape = { inputShape: cfg.inputShape, latentDim: cfg.latentDim };
    const init = initRng(cfg.seed ?? 0);
    this.encoder = buildEncoder(cfg.net, shape, init);
    this.decoder = buildDecoder(cfg.net, shape, init);
  }

  abstract objective(x: tf.Tensor4D, rng: Rng, training?: boolean): ObjectiveTerms;

  encode(x: tf.Tensor4D, training = false): GaussianPosterior {
    return tf.tidy(() => {
      const h = this.encoder.apply(x, { training }) as tf.Tensor2D;
      const q = splitPosterior(h, this.latentDim);
      return { mean: q.mean, logVar: q.logVar };
    });
  }

  /** Decoder output before the squashing (Bernoulli logits). */
  decodeRaw(z: tf.Tensor2D, training = false): tf.Tensor4D {
    return this.decoder.apply(z, { training }) as tf.Tensor4D;
  }

  decode(z: tf.Tensor2D, training = false): tf.Tensor4D {
    return tf.tidy(() => meanOf(this.likelihood, this.decodeRaw(z, training)));
  }

  logLikelihood(x: tf.Tensor4D, z: tf.Tensor2D, training = false): tf.Tensor1D {
    return tf.tidy(() => logLikelihood(this.likelihood, x, this.decodeRaw(z, training)));
  }

  /** One-sample reconstruction term and closed-form KL, shared by VAE and beta-VAE. */
  protected reconAndKl(x: tf.Tensor4D, rng: Rng, training: boolean): { q: GaussianPosterior; recon: tf.Tensor1D; kl: tf.Tensor1D } {
    const q = this.encode(x, training);
    const z = reparameterize(q, noise(q.mean.shape, rng)) as tf.Tensor2D;
    return { q, recon: this.logLikelihood(x, z, training), kl: klToStdNormal(q) };
  }

  config(): VaeConfig {
    return { ...this.cfg };
  }

  nets(): Record<string, tf.LayersModel> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  variables(): tf.Variable[] {
    return [...netVariables(this.encoder), ...netVariables(this.decoder)];
  }

  /** Trainable weights of both nets (batch-norm statistics excluded). */
  trainableVariables(): tf.Variable[] {
    return [...trainableVariables(this.encoder), ...trainableVariables(this.decoder)];
  }

  /** One update: minimise mean(-bound) with Adam over both nets. */
  updates(): UpdateSpec[] {
    this.optimizer ??= tf.train.adam(this.cfg.learningRate ?? 1e-3);
    this.specs ??= [
      {
        name: this.cfg.kind,
        optimizer: this.optimizer,
        variables: () => this.trainableVariables(),
        loss: (batch: Batch, ctx: StepContext) => objectiveLoss(this.objective(batch.x, ctx.rng, true)),
      },
    ];
    return this.specs;
  }

  /** Free the nets' weights and the optimizer state. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.optimizer?.dispose();
  }
}

/** loss = mean(-bound), with batch-mean terms for logs. */
export function objectiveLoss(t: ObjectiveTerms): LossResult {
  return {
    loss: tf.neg(tf.mean(t.bound)) as tf.Scalar,
    terms: { recon: tf.mean(t.recon) as tf.Scalar, kl: tf.mean(t.kl) as tf.Scalar, bound: tf.mean(t.bound) as tf.Scalar },
  };
}

export class VAE extends GaussianVae {
  objective(x: tf.Tensor4D, rng: Rng, training = false): ObjectiveTerms {
    const { q, recon, kl } = this.reconAndKl(x, rng, training);
    return { bound: tf.sub(recon, kl) as tf.Tensor1D, recon, kl, posterior: q };
  }
}

export class BetaVAE extends GaussianVae {
  get beta(): number {
    return this.cfg.beta ?? 1;
  }
  objective(x: tf.Tensor4D, rng: Rng, training = false): ObjectiveTerms {
    const { q, recon, kl } = this.reconAndKl(x, rng, training);
    return { bound: tf.sub(recon, tf.mul(kl, this.beta)) as tf.Tensor1D, recon, kl, posterior: q };
  }
}

export class IWAE extends GaussianVae {
  get k(): number {
    return this.cfg.k ?? 5;
  }
  objective(x: tf.Tensor4D, rng: Rng, training = false): ObjectiveTerms {
    const q = this.encode(x, training);
    const logW = logImportanceWeights(this, x, q, this.k, rng, training); // [k, n]
    const bound = logMeanExp(logW, 0) as tf.Tensor1D;
    // For logs only: a one-sample reconstruction estimate would cost another decode; the
    // mean log-weight equals recon - KL in expectation, so report recon = mean_k log w + KL.
    const kl = klToStdNormal(q);
    const recon = tf.add(tf.mean(logW, 0), kl) as tf.Tensor1D;
    return { bound, recon, kl, posterior: q };
  }
}

registerModel('vae', (c) => new VAE(c as VaeConfig));
registerModel('beta-vae', (c) => new BetaVAE(c as VaeConfig));
registerModel('iwae', (c) => new IWAE(c as VaeConfig));
