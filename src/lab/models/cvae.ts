/**
 * Baselines of the label-relevant VAE comparison: the conditional VAE (Sohn et al. 2015) and
 * cVAE-GAN (Bao et al. 2017, reduced to its VAE + pixel-discriminator core).
 *   z ~ q(z|x) = N(mu(x), diag sigma^2(x)),  x_rec = G([z, onehot(y)])
 *   loss = -log p(x | z, y) + beta KL(q(z|x) || N(0, I))   (+ w * hinge generator term)
 * Generation of class c: G([z, onehot(c)]), z ~ N(0, I) (the paper's protocol for both).
 * Simplification: the encoder sees x only; the label enters the decoder (both baselines and
 * the paper's sampling use exactly that path). cVAE-GAN's auxiliary classifier and feature
 * matching are left out; its D is the shared unconditional hinge D (./conditional.ts).
 */
import * as tf from '../tf';
import { buildDecoder, buildEncoder, netVariables, trainableVariables, type NetConfig } from '../nets';
import type { Batch, Checkpointable, ModelConfig, StepContext, UpdateSpec } from '../core/types';
import { klToStdNormal, noise, reparameterize, splitPosterior } from './gaussian';
import { logLikelihood, meanOf, type LikelihoodConfig } from './likelihood';
import {
  buildMlpCritic, discriminatorOptimizer, hingeDiscriminatorLoss, hingeGeneratorLoss, labelsOf, randomClasses,
  type ConditionalGenerator, type GanConfig,
} from './conditional';
import { InvalidArgumentError } from '../core/errors';

/** Config of a cVAE / cVAE-GAN (rebuilt from JSON by the model registry). */
export interface CvaeConfig extends ModelConfig {
  kind: 'cvae' | 'cvae-gan';
  /** [height, width, channels] of one input. */
  inputShape: [number, number, number];
  /** Number of classes. */
  classes: number;
  /** Dimension of z. */
  latentDim: number;
  /** Encoder/decoder pair (lab nets). */
  net: NetConfig;
  /** p(x|z, y); default Bernoulli. */
  likelihood?: LikelihoodConfig;
  /** Adam learning rate of encoder + decoder (default 1e-3). */
  learningRate?: number;
  /** Weight of the KL term (default 1). */
  beta?: number;
  /** The pixel discriminator; required for 'cvae-gan', ignored for 'cvae'. */
  gan?: GanConfig;
}

export class ConditionalVAE implements Checkpointable, ConditionalGenerator {
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  readonly discriminator?: tf.LayersModel;
  readonly classes: number;
  readonly inputShape: [number, number, number];
  readonly latentDim: number;
  private readonly likelihood: LikelihoodConfig;
  private specs?: UpdateSpec[];

  constructor(readonly cfg: CvaeConfig) {
    this.classes = cfg.classes;
    this.inputShape = cfg.inputShape;
    this.latentDim = cfg.latentDim;
    this.likelihood = cfg.likelihood ?? { kind: 'bernoulli' };
    this.encoder = buildEncoder(cfg.net, { inputShape: cfg.inputShape, latentDim: cfg.latentDim });
    this.decoder = buildDecoder(cfg.net, { inputShape: cfg.inputShape, latentDim: cfg.latentDim + cfg.classes });
    if (cfg.kind === 'cvae-gan') {
      if (!cfg.gan) throw new InvalidArgumentError("cvae-gan needs a 'gan' config (the discriminator's hidden sizes)");
      this.discriminator = buildMlpCritic(cfg.inputShape, cfg.gan.hidden, 1);
    }
  }

  /** Decoder output before squashing for codes z and labels y. */
  decodeRaw(z: tf.Tensor2D, y: tf.Tensor1D, training = false): tf.Tensor4D {
    return this.decoder.apply(tf.concat([z, tf.oneHot(tf.cast(y, 'int32'), this.classes).toFloat()], 1), { training }) as tf.Tensor4D;
  }

  /** Mean of p(x | z, y). */
  decode(z: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor4D {
    return tf.tidy(() => meanOf(this.likelihood, this.decodeRaw(z, y)));
  }

  sample(c: number, n: number, seed: number): tf.Tensor4D {
    return tf.tidy(() => this.decode(tf.randomNormal([n, this.latentDim], 0, 1, 'float32', seed) as tf.Tensor2D, tf.fill([n], c, 'int32') as tf.Tensor1D));
  }

  /** Inpainting needs the label here (the paper's point against cVAE-GAN): encode the masked image, paste. */
  inpaint(x: tf.Tensor4D, mask: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D {
    return tf.tidy(() => {
      const keep = tf.sub(1, mask);
      const q = splitPosterior(this.encoder.apply(tf.mul(x, keep)) as tf.Tensor2D, this.latentDim);
      return tf.add(tf.mul(x, keep), tf.mul(this.decode(q.mean, y), mask)) as tf.Tensor4D;
    });
  }

  updates(): UpdateSpec[] {
    if (this.specs) return this.specs;
    const vaeVars = [...trainableVariables(this.encoder), ...trainableVariables(this.decoder)];
    const specs: UpdateSpec[] = [{
      name: 'vae',
      optimizer: tf.train.adam(this.cfg.learningRate ?? 1e-3),
      variables: () => vaeVars,
      loss: (batch: Batch, ctx: StepContext) => {
        const y = labelsOf(batch, this.cfg.kind);
        const q = splitPosterior(this.encoder.apply(batch.x, { training: true }) as tf.Tensor2D, this.latentDim);
        const z = reparameterize(q, noise(q.mean.shape, ctx.rng)) as tf.Tensor2D;
        const raw = this.decodeRaw(z, y, true);
        const recon = tf.neg(tf.mean(logLikelihood(this.likelihood, batch.x, raw))) as tf.Scalar;
        const kl = tf.mean(klToStdNormal(q)) as tf.Scalar;
        let loss = tf.add(recon, tf.mul(this.cfg.beta ?? 1, kl)) as tf.Scalar;
        const terms: Record<string, tf.Scalar> = { recon, kl };
        if (this.discriminator) {
          const n = batch.x.shape[0];
          const prior = this.decodeRaw(noise([n, this.latentDim], ctx.rng) as tf.Tensor2D, randomClasses(n, this.classes, ctx.rng.seed()), true);
          const g = hingeGeneratorLoss(this.discriminator.apply(meanOf(this.likelihood, raw)) as tf.Tensor,
            this.discriminator.apply(meanOf(this.likelihood, prior)) as tf.Tensor);
          loss = tf.add(loss, tf.mul(this.cfg.gan?.weight ?? 1, g)) as tf.Scalar;
          terms.ganG = g;
        }
        return { loss, terms };
      },
    }];
    if (this.discriminator && this.cfg.gan) {
      const D = this.discriminator;
      const dVars = trainableVariables(D);
      specs.push({
        name: 'discriminator',
        optimizer: discriminatorOptimizer(this.cfg.gan),
        variables: () => dVars,
        loss: (batch: Batch, ctx: StepContext) => {
          const y = labelsOf(batch, this.cfg.kind);
          const n = batch.x.shape[0];
          const q = splitPosterior(this.encoder.apply(batch.x) as tf.Tensor2D, this.latentDim);
          const rec = this.decode(reparameterize(q, noise(q.mean.shape, ctx.rng)) as tf.Tensor2D, y);
          const prior = this.decode(noise([n, this.latentDim], ctx.rng) as tf.Tensor2D, randomClasses(n, this.classes, ctx.rng.seed()));
          const loss = hingeDiscriminatorLoss(D.apply(batch.x) as tf.Tensor, D.apply(rec) as tf.Tensor, D.apply(prior) as tf.Tensor);
          return { loss, terms: { dLoss: loss } };
        },
      });
    }
    this.specs = specs;
    return specs;
  }

  config(): CvaeConfig {
    return { ...this.cfg };
  }

  nets(): Record<string, tf.LayersModel> {
    return { encoder: this.encoder, decoder: this.decoder, ...(this.discriminator ? { discriminator: this.discriminator } : {}) };
  }

  variables(): tf.Variable[] {
    return Object.values(this.nets()).flatMap(netVariables);
  }

  dispose(): void {
    Object.values(this.nets()).forEach((n) => n.dispose());
    this.specs?.forEach((s) => s.optimizer.dispose());
  }
}
