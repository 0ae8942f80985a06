/**
 * Baselines of the label-relevant VAE comparison, conditioned as published.
 *
 * CVAE (Sohn et al. 2015): encoder q(z|x,y), decoder p(x|z,y), prior N(0, I):
 *   z ~ q(z|x,y) = N(mu(x,y), diag sigma^2(x,y)),  x_rec = G([z, onehot(y)])
 *   loss = -log p(x | z, y) + beta KL(q(z|x,y) || N(0, I))
 * The label enters the encoder as K constant input planes (onehot(y) broadcast over h x w,
 * concatenated to the channels), which lets every lab net kind read it; for the moons' 1x1
 * "images" that is exactly concat(x, y), Sohn et al.'s MLP input (an MLP on 28x28 images
 * gets (c + K) x 784 inputs: the price of one rule for all nets).
 *
 * cVAE-GAN (Bao et al. 2017), the CVAE plus:
 *   - a discriminator D on real images, reconstructions and prior samples G(z, c), z ~ N(0, I);
 *     here the same D as the LR-VAE-GAN's (./conditional.ts: the label-conditional projection
 *     discriminator with spectral normalization, hinge loss; real images and reconstructions
 *     scored with y, prior samples with c), not Bao's unconditional D with log loss, and the
 *     generator takes the hinge generator term, not Bao's mean feature matching on D;
 *   - Bao's classifier C, trained on real images with cross-entropy, and Bao's class-wise mean
 *     feature matching for the generator:
 *       L_GC = 1/2 sum_c || mean_{y_i = c} f_C(x_i) - mean_{c_j = c} f_C(G(z_j, c_j)) ||^2
 *     with f_C C's last hidden layer, over the classes of one batch (Bao et al. keep running
 *     means across batches); prior samples take the batch's labels, so every class present
 *     has both sides;
 *   - left out: Bao's pairwise feature matching of x and x_rec (the likelihood term stays).
 * Generation of class c: G([z, onehot(c)]), z ~ N(0, I) (the paper's protocol for both).
 */
import * as tf from '../tf';
import { buildDecoder, buildEncoder, netVariables, trainableVariables, type NetConfig } from '../nets';
import { initRng, seededKernel } from '../nets/init';
import type { Rng } from '../core/random';
import type { Batch, Checkpointable, ModelConfig, StepContext, UpdateSpec } from '../core/types';
import { klToStdNormal, noise, reparameterize, splitPosterior } from './gaussian';
import { logLikelihood, meanOf, type LikelihoodConfig } from './likelihood';
import type { GaussianPosterior } from './types';
import {
  buildProjectionDiscriminator,
  discriminatorOptimizer,
  discriminatorScores,
  hingeDiscriminatorLoss,
  hingeGeneratorLoss,
  labelsOf,
  randomClasses,
  type ConditionalGenerator,
  type GanConfig,
} from './conditional';
import { InvalidArgumentError } from '../core/errors';
import type { ProjectionDiscriminator } from '../nets/spectralNorm';

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
  /**
   * cVAE-GAN's classifier C and its feature-matching loss; default { hidden: gan.hidden } for
   * 'cvae-gan', false switches it off (D only). Ignored for 'cvae'.
   */
  classifier?: ClassifierLossConfig | false;
  /** Seed of the initial weights (default 0); each net draws from its own stream of it. */
  seed?: number;
}

/** Bao et al.'s classifier C of cVAE-GAN. */
export interface ClassifierLossConfig {
  /** Hidden layer sizes of the MLP classifier (LeakyReLU 0.2); features f_C = the last one. */
  hidden: number[];
  /** Weight of L_GC in the encoder/decoder loss (default 1). */
  weight?: number;
  /** Adam learning rate of C (default 2e-4, betas 0.5 / 0.999). */
  learningRate?: number;
}

/** x with onehot(y) as K constant planes appended to its channels: [n, h, w, c + K]. */
export function withLabelPlanes(x: tf.Tensor4D, y: tf.Tensor1D, classes: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    const planes = tf.tile(tf.reshape(tf.oneHot(tf.cast(y, 'int32'), classes).toFloat(), [n, 1, 1, classes]), [1, h, w, 1]);
    return tf.concat([x, planes], 3) as tf.Tensor4D;
  });
}

/** MLP classifier with two outputs: [features (last hidden layer), logits]. */
function buildFeatureClassifier(inputShape: number[], hidden: number[], classes: number, rng: Rng): tf.LayersModel {
  if (!hidden.length)
    throw new InvalidArgumentError('cvae-gan: the classifier needs at least one hidden layer (its features); set classifier.hidden, e.g. [256]');
  const input = tf.input({ shape: inputShape });
  let y = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  for (const units of hidden) {
    y = tf.layers.dense({ units, ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.leakyReLU({ alpha: 0.2 }).apply(y) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: [y, tf.layers.dense({ units: classes, ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor] });
}

/**
 * L_GC: half the summed squared distance between the class-mean features of real and generated
 * images, over classes present in both (features [n, F], labels [n]).
 */
export function classMeanFeatureMatching(real: tf.Tensor2D, yReal: tf.Tensor1D, fake: tf.Tensor2D, yFake: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(() => {
    const means = (f: tf.Tensor2D, y: tf.Tensor1D) => {
      const oh = tf.oneHot(tf.cast(y, 'int32'), classes).toFloat();
      const count = tf.sum(oh, 0);
      return { m: tf.div(tf.matMul(oh, f, true), tf.reshape(tf.maximum(count, 1), [classes, 1])), present: tf.greater(count, 0) };
    };
    const r = means(real, yReal),
      g = means(fake, yFake);
    const both = tf.logicalAnd(r.present, g.present).toFloat();
    return tf.mul(0.5, tf.sum(tf.mul(both, tf.sum(tf.square(tf.sub(r.m, g.m)), 1)))) as tf.Scalar;
  });
}

export class ConditionalVAE implements Checkpointable, ConditionalGenerator {
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  readonly discriminator?: ProjectionDiscriminator;
  /** cVAE-GAN's classifier C ([features, logits]). */
  readonly classifier?: tf.LayersModel;
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
    const [h, w, c] = cfg.inputShape;
    const seed = cfg.seed ?? 0;
    const init = initRng(seed);
    this.encoder = buildEncoder(cfg.net, { inputShape: [h, w, c + cfg.classes], latentDim: cfg.latentDim }, init);
    this.decoder = buildDecoder(cfg.net, { inputShape: cfg.inputShape, latentDim: cfg.latentDim + cfg.classes }, init);
    if (cfg.kind === 'cvae-gan') {
      if (!cfg.gan) throw new InvalidArgumentError("cvae-gan needs a 'gan' config (the discriminator's hidden sizes)");
      this.discriminator = buildProjectionDiscriminator(cfg.inputShape, cfg.gan, cfg.classes, initRng(seed, 1));
      if (cfg.classifier !== false)
        this.classifier = buildFeatureClassifier(cfg.inputShape, cfg.classifier?.hidden ?? cfg.gan.hidden, cfg.classes, initRng(seed, 2));
    }
  }

  /** q(z | x, y). */
  encode(x: tf.Tensor4D, y: tf.Tensor1D, training = false): GaussianPosterior {
    return tf.tidy(() => {
      const q = splitPosterior(this.encoder.apply(withLabelPlanes(x, y, this.classes), { training }) as tf.Tensor2D, this.latentDim);
      return { mean: q.mean, logVar: q.logVar };
    });
  }

  /** C's features and logits of images. */
  private classifierOutputs(x: tf.Tensor4D): { features: tf.Tensor2D; logits: tf.Tensor2D } {
    const [features, logits] = this.classifier!.apply(x) as tf.Tensor2D[];
    return { features, logits };
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
      const q = this.encode(tf.mul(x, keep) as tf.Tensor4D, y);
      return tf.add(tf.mul(x, keep), tf.mul(this.decode(q.mean, y), mask)) as tf.Tensor4D;
    });
  }

  updates(): UpdateSpec[] {
    if (this.specs) return this.specs;
    const vaeVars = [...trainableVariables(this.encoder), ...trainableVariables(this.decoder)];
    const specs: UpdateSpec[] = [
      {
        name: 'vae',
        optimizer: tf.train.adam(this.cfg.learningRate ?? 1e-3),
        variables: () => vaeVars,
        loss: (batch: Batch, ctx: StepContext) => {
          const y = labelsOf(batch, this.cfg.kind);
          const q = this.encode(batch.x, y, true);
          const z = reparameterize(q, noise(q.mean.shape, ctx.rng)) as tf.Tensor2D;
          const raw = this.decodeRaw(z, y, true);
          const recon = tf.neg(tf.mean(logLikelihood(this.likelihood, batch.x, raw))) as tf.Scalar;
          const kl = tf.mean(klToStdNormal(q)) as tf.Scalar;
          let loss = tf.add(recon, tf.mul(this.cfg.beta ?? 1, kl)) as tf.Scalar;
          const terms: Record<string, tf.Scalar> = { recon, kl };
          if (this.discriminator) {
            const n = batch.x.shape[0];
            // Prior samples of the batch's own classes, so L_GC has both sides for every class present.
            const prior = meanOf(this.likelihood, this.decodeRaw(noise([n, this.latentDim], ctx.rng) as tf.Tensor2D, y, true)) as tf.Tensor4D;
            // D scores with its current spectral normalizers (training=false: u, v move in D's update only).
            const D = this.discriminator;
            const g = hingeGeneratorLoss(D.score(meanOf(this.likelihood, raw), y, false), D.score(prior, y, false));
            loss = tf.add(loss, tf.mul(this.cfg.gan?.weight ?? 1, g)) as tf.Scalar;
            terms.ganG = g;
            if (this.classifier) {
              const fm = classMeanFeatureMatching(this.classifierOutputs(batch.x).features, y, this.classifierOutputs(prior).features, y, this.classes);
              loss = tf.add(loss, tf.mul(this.classifierCfg().weight ?? 1, fm)) as tf.Scalar;
              terms.classFeatureMatch = fm;
            }
          }
          return { loss, terms };
        },
      },
    ];
    if (this.discriminator && this.cfg.gan) {
      const D = this.discriminator;
      const dVars = D.trainableVariables();
      specs.push({
        name: 'discriminator',
        optimizer: discriminatorOptimizer(this.cfg.gan),
        variables: () => dVars,
        loss: (batch: Batch, ctx: StepContext) => {
          const y = labelsOf(batch, this.cfg.kind);
          const n = batch.x.shape[0];
          const q = this.encode(batch.x, y);
          const rec = this.decode(reparameterize(q, noise(q.mean.shape, ctx.rng)) as tf.Tensor2D, y);
          const c = randomClasses(n, this.classes, ctx.rng.seed());
          const prior = this.decode(noise([n, this.latentDim], ctx.rng) as tf.Tensor2D, c);
          const s = discriminatorScores(D, batch.x, rec, y, prior, c, true);
          const loss = hingeDiscriminatorLoss(s.real, s.rec, s.prior);
          return { loss, terms: { dLoss: loss } };
        },
      });
    }
    if (this.classifier) {
      const cVars = trainableVariables(this.classifier);
      specs.push({
        name: 'classifier',
        optimizer: tf.train.adam(this.classifierCfg().learningRate ?? 2e-4, 0.5, 0.999),
        variables: () => cVars,
        loss: (batch: Batch) => {
          const y = labelsOf(batch, this.cfg.kind);
          const { logits } = this.classifierOutputs(batch.x);
          const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(y, 'int32'), this.classes), logits) as tf.Scalar;
          const acc = tf.mean(tf.equal(tf.argMax(logits, 1), tf.cast(y, 'int32')).toFloat()) as tf.Scalar;
          return { loss, terms: { cAccuracy: acc } };
        },
      });
    }
    this.specs = specs;
    return specs;
  }

  private classifierCfg(): Partial<ClassifierLossConfig> {
    return this.cfg.classifier || {};
  }

  config(): CvaeConfig {
    return { ...this.cfg };
  }

  nets(): Record<string, tf.LayersModel> {
    return {
      encoder: this.encoder,
      decoder: this.decoder,
      ...(this.classifier ? { classifier: this.classifier } : {}),
    };
  }

  /** cVAE-GAN's D (weights and the spectral normalizers' u, v): not a layers model. */
  variableSets(): Record<string, Record<string, tf.Variable>> {
    return this.discriminator ? { discriminator: this.discriminator.namedVariables() } : {};
  }

  variables(): tf.Variable[] {
    return [...Object.values(this.nets()).flatMap(netVariables), ...(this.discriminator?.variables() ?? [])];
  }

  dispose(): void {
    Object.values(this.nets()).forEach((n) => n.dispose());
    this.discriminator?.dispose();
    this.specs?.forEach((s) => s.optimizer.dispose());
  }
}
