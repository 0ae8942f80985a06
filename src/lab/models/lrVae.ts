/**
 * The label-relevant / label-irrelevant VAE of Zheng & Sun (2019).
 *   z_s = E_s(x)                     label relevant, a point estimate trained with the GM loss
 *                                    (class Gaussians N(mu_c, Lambda_c), ./gm.ts)
 *   q(z_u|x) = N(mu_u(x), sigma_u^2) label irrelevant, KL to N(0, I); an adversarial classifier
 *                                    C(z_u) learns y while E_u is pushed to C's uniform output
 *   x_rec = G([z_s, z_u])            decoder; optional pixel discriminator D (hinge loss)
 *
 * One training step, as UpdateSpecs run in order by the lab's Trainer:
 *   1. 'label-relevant' (E_s + mu, Lambda), repeat 3:  L_GM = L_cls + lambda_lkd L_lkd
 *   2. 'joint' (E_s, E_u, G):  -log p(x | z_s, z_u) + beta KL(q(z_u|x) || N(0, I))
 *          + w_adv CE(C(z_u), uniform) + w_gm L_GM(z_s) (+ w_gan hinge generator term)
 *   3. 'adversary' (C):  CE(C(z_u), y) on detached codes
 *   C and the push on E_u see the SAME code (cfg.adversaryInput): both a sample of q(z_u|x)
 *   (default), or both its mean. Were C trained on the mean while E_u is pushed on samples, a
 *   label carried by the variance (or hidden under the noise) would go unseen by one of them.
 *   4. 'discriminator' (D, GAN variant only): hinge loss on real images with their labels,
 *      reconstructions with the input's label, prior samples with the class they were drawn for;
 *      D is the label-conditional projection discriminator with spectral normalization
 *      (./conditional.ts), as in the paper (section 3.4, appendix B: "like in [30]")
 * E_s is the lab's Gaussian encoder with only its mean half used (the paper's delta posterior).
 */
import * as tf from '../tf';
import { buildDecoder, buildEncoder, netVariables, trainableVariables, type NetConfig } from '../nets';
import { initRng, initSeed } from '../nets/init';
import type { Batch, Checkpointable, LossResult, ModelConfig, StepContext, Trainable, UpdateSpec } from '../core/types';
import { GaussianMixture, gaussianMixtureModel, gmLoss, gmPosterior, gmUnlabeledNll, sampleClass } from './gm';
import { klToStdNormal, noise, reparameterize, splitPosterior } from './gaussian';
import { logLikelihood, meanOf, type LikelihoodConfig } from './likelihood';
import type { GaussianPosterior, LatentModel } from './types';
import {
  buildProjectionDiscriminator,
  buildMlpCritic,
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

/** Config of a label-relevant VAE (rebuilt from JSON by the model registry). */
export interface LrVaeConfig extends ModelConfig {
  kind: 'lr-vae';
  /** [height, width, channels] of one input. */
  inputShape: [number, number, number];
  /** Number of classes K. */
  classes: number;
  /** Dimension of z_s (public MNIST release: 32; moons: 2). */
  zs: number;
  /** Dimension of z_u (public MNIST release: 100; moons: 2). */
  zu: number;
  /** Net of E_s, E_u and G (lab nets). */
  net: NetConfig;
  /** p(x | z_s, z_u); default Bernoulli. */
  likelihood?: LikelihoodConfig;
  /** Adam learning rate of E_u, G and C (default 1e-3). */
  learningRate?: number;
  /** Adam learning rate of stage 1 (E_s + GM parameters); default learningRate. */
  esLearningRate?: number;
  /** Stage-1 repeats per step (paper: 3). */
  esRepeat?: number;
  /** GM margin alpha (paper 0..0.1; default 0.1). */
  alpha?: number;
  /** GM likelihood-regulariser weight lambda_lkd (default 0.1). */
  lambdaLkd?: number;
  /** Variance floor of the class Gaussians (default 1e-2; see gm.ts). */
  minVariance?: number;
  /** Weight of KL(q(z_u|x) || N(0, I)) (default 1). */
  beta?: number;
  /** Weight of E_u's adversarial term CE(C(z_u), uniform) (default 1). */
  adversaryWeight?: number;
  /** Weight of L_GM in the joint update, keeping z_s on its mixture while G trains E_s (default 1). */
  gmWeight?: number;
  /**
   * The code of z_u that C learns from and E_u is pushed on, the same for both: 'sample' (default)
   * z_u ~ q(z_u|x), the code the decoder receives, so any label in mean or variance is in view;
   * 'mean' the posterior mean, the code the swap grid and traversals use.
   */
  adversaryInput?: 'sample' | 'mean';
  /** Hidden sizes of the adversarial classifier C (paper: [256]). */
  adversaryHidden?: number[];
  /** The pixel discriminator: present = the GAN variant. */
  gan?: GanConfig;
  /** Seed of the initial weights and class means (default 0); each net draws from its own stream of it. */
  seed?: number;
}

/** Prior for z_s of unlabelled data in semi-supervised fine-tuning (see gmUnlabeledNll). */
export type UnlabeledPrior = 'mixture' | 'ambiguous';

export class LabelRelevantVAE implements Checkpointable, LatentModel, ConditionalGenerator {
  readonly es: tf.LayersModel;
  readonly eu: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  readonly adversary: tf.LayersModel;
  readonly gmNet: tf.LayersModel;
  readonly gm: GaussianMixture;
  readonly discriminator?: ProjectionDiscriminator;
  readonly classes: number;
  readonly inputShape: [number, number, number];
  readonly latentDim: number;
  private readonly likelihood: LikelihoodConfig;
  private specs?: UpdateSpec[];

  constructor(readonly cfg: LrVaeConfig) {
    const { inputShape, net, zs, zu, classes } = cfg;
    this.classes = classes;
    this.inputShape = inputShape;
    this.latentDim = zs + zu;
    this.likelihood = cfg.likelihood ?? { kind: 'bernoulli' };
    const seed = cfg.seed ?? 0;
    const init = initRng(seed);
    this.es = buildEncoder(net, { inputShape, latentDim: zs }, init);
    this.eu = buildEncoder(net, { inputShape, latentDim: zu }, init);
    this.decoder = buildDecoder(net, { inputShape, latentDim: zs + zu }, init);
    this.adversary = buildMlpCritic([zu], cfg.adversaryHidden ?? [256], classes, initRng(seed, 1));
    const gmSeed = initSeed(initRng(seed, 3));
    ({ model: this.gmNet, gm: this.gm } = gaussianMixtureModel({ classes, dim: zs, minVariance: cfg.minVariance, seed: gmSeed }));
    if (cfg.gan) this.discriminator = buildProjectionDiscriminator(inputShape, cfg.gan, classes, initRng(seed, 2));
  }

  /** z_s = E_s(x) [n, zs] (the mean half of the lab encoder's output). */
  encodeS(x: tf.Tensor4D, training = false): tf.Tensor2D {
    return tf.tidy(() => splitPosterior(this.es.apply(x, { training }) as tf.Tensor2D, this.cfg.zs).mean);
  }

  /** q(z_u | x). */
  encodeU(x: tf.Tensor4D, training = false): GaussianPosterior {
    return tf.tidy(() => {
      const q = splitPosterior(this.eu.apply(x, { training }) as tf.Tensor2D, this.cfg.zu);
      return { mean: q.mean, logVar: q.logVar };
    });
  }

  /** LatentModel view: z = [z_s, z_u]; z_s is a point mass (log-variance -30). */
  encode(x: tf.Tensor4D, training = false): GaussianPosterior {
    return tf.tidy(() => {
      const s = this.encodeS(x, training);
      const u = this.encodeU(x, training);
      return { mean: tf.concat([s, u.mean], 1), logVar: tf.concat([tf.fill(s.shape, -30), u.logVar], 1) as tf.Tensor2D };
    });
  }

  decodeRaw(z: tf.Tensor2D, training = false): tf.Tensor4D {
    return this.decoder.apply(z, { training }) as tf.Tensor4D;
  }

  /** Mean of p(x | z), z = [z_s, z_u]. */
  decode(z: tf.Tensor2D, training = false): tf.Tensor4D {
    return tf.tidy(() => meanOf(this.likelihood, this.decodeRaw(z, training)));
  }

  /** Class c: z_s ~ N(mu_c, Lambda_c), z_u ~ N(0, I). */
  sample(c: number, n: number, seed: number): tf.Tensor4D {
    return tf.tidy(() =>
      this.decode(tf.concat([sampleClass(this.gm, c, n, seed), tf.randomNormal([n, this.cfg.zu], 0, 1, 'float32', seed + 1)], 1) as tf.Tensor2D),
    );
  }

  /** p(y | z_s = E_s(x)) [n, K] (the GM posterior, no margin). */
  classify(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => gmPosterior(this.gm, this.encodeS(x)));
  }

  /** Swap grid: cell (i, j) decodes [z_s of rows[i], mean z_u of cols[j]]; [rows*cols, h, w, c], row-major. */
  swap(rows: tf.Tensor4D, cols: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const r = rows.shape[0],
        c = cols.shape[0];
      const s = tf.reshape(tf.tile(tf.expandDims(this.encodeS(rows), 1), [1, c, 1]), [r * c, this.cfg.zs]);
      const u = tf.tile(this.encodeU(cols).mean, [r, 1]);
      return this.decode(tf.concat([s, u], 1) as tf.Tensor2D);
    });
  }

  /** Traversal of z_u dimension `dim` over `values`, the rest from x's codes: [values.length, h, w, c]. */
  traverse(x: tf.Tensor4D, dim: number, values: number[]): tf.Tensor4D {
    if (dim < 0 || dim >= this.cfg.zu) throw new InvalidArgumentError(`traverse: z_u has dimensions 0..${this.cfg.zu - 1}, got ${dim}`);
    return tf.tidy(() => {
      const one = tf.slice(x, [0, 0, 0, 0], [1, ...this.inputShape]) as tf.Tensor4D;
      const s = tf.tile(this.encodeS(one), [values.length, 1]);
      const u = tf.tile(this.encodeU(one).mean, [values.length, 1]);
      const mask = tf.oneHot(tf.fill([values.length], dim, 'int32') as tf.Tensor1D, this.cfg.zu).toFloat();
      const col = tf.reshape(tf.tensor1d(values), [values.length, 1]);
      const uT = tf.add(tf.mul(u, tf.sub(1, mask)), tf.mul(mask, col));
      return this.decode(tf.concat([s, uT], 1) as tf.Tensor2D);
    });
  }

  /** Inpainting without a label: encode x with the mask region blanked, paste the decoded pixels there. */
  inpaint(x: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const keep = tf.sub(1, mask);
      const masked = tf.mul(x, keep) as tf.Tensor4D;
      const rec = this.decode(tf.concat([this.encodeS(masked), this.encodeU(masked).mean], 1) as tf.Tensor2D);
      return tf.add(masked, tf.mul(rec, mask)) as tf.Tensor4D;
    });
  }

  /** Reconstruction and its parts for a batch (shared by the joint and fine-tuning updates). */
  private reconstruct(
    x: tf.Tensor4D,
    ctx: StepContext,
  ): { zs: tf.Tensor2D; zu: tf.Tensor2D; q: GaussianPosterior; raw: tf.Tensor4D; recon: tf.Scalar; kl: tf.Scalar } {
    const zs = this.encodeS(x, true);
    const q = this.encodeU(x, true);
    const zu = reparameterize(q, noise(q.mean.shape, ctx.rng)) as tf.Tensor2D;
    const raw = this.decodeRaw(tf.concat([zs, zu], 1) as tf.Tensor2D, true);
    const recon = tf.neg(tf.mean(logLikelihood(this.likelihood, x, raw))) as tf.Scalar;
    return { zs, zu, q, raw, recon, kl: tf.mean(klToStdNormal(q)) as tf.Scalar };
  }

  /** Prior samples of random classes c (raw decoder output) and c, for the GAN terms. */
  private priorRaw(n: number, ctx: StepContext, training: boolean): { raw: tf.Tensor4D; c: tf.Tensor1D } {
    const c = randomClasses(n, this.classes, ctx.rng.seed());
    const mu = tf.gather(this.gm.means(), c);
    const sd = tf.sqrt(tf.gather(this.gm.variances(), c));
    const zs = tf.add(mu, tf.mul(sd, noise(mu.shape, ctx.rng)));
    return { raw: this.decodeRaw(tf.concat([zs, noise([n, this.cfg.zu], ctx.rng)], 1) as tf.Tensor2D, training), c };
  }

  updates(): UpdateSpec[] {
    if (this.specs) return this.specs;
    const lr = this.cfg.learningRate ?? 1e-3;
    const gmOpts = { alpha: this.cfg.alpha ?? 0.1, lambdaLkd: this.cfg.lambdaLkd ?? 0.1 };
    const esVars = trainableVariables(this.es);
    const stage1 = [...esVars, ...trainableVariables(this.gmNet)];
    const joint = [...esVars, ...trainableVariables(this.eu), ...trainableVariables(this.decoder)];
    const advVars = trainableVariables(this.adversary);
    const K = this.classes;
    const specs: UpdateSpec[] = [
      {
        name: 'label-relevant',
        optimizer: tf.train.adam(this.cfg.esLearningRate ?? lr),
        repeat: this.cfg.esRepeat ?? 3,
        variables: () => stage1,
        loss: (batch: Batch): LossResult => {
          const g = gmLoss(this.gm, this.encodeS(batch.x, true), labelsOf(batch, 'lr-vae'), gmOpts);
          return { loss: g.loss, terms: { cls: g.cls, lkd: g.lkd, accuracy: g.accuracy } };
        },
      },
      {
        name: 'joint',
        optimizer: tf.train.adam(lr),
        variables: () => joint,
        loss: (batch: Batch, ctx: StepContext): LossResult => {
          const y = labelsOf(batch, 'lr-vae');
          const r = this.reconstruct(batch.x, ctx);
          // CE against the uniform target: -1/K sum_k log softmax(C(z_u))_k.
          const code = this.cfg.adversaryInput === 'mean' ? r.q.mean : r.zu;
          const adv = tf.neg(tf.mean(tf.mean(tf.logSoftmax(this.adversary.apply(code) as tf.Tensor2D), 1))) as tf.Scalar;
          const gm = gmLoss(this.gm, r.zs, y, gmOpts).loss;
          let loss = tf.addN([
            r.recon,
            tf.mul(this.cfg.beta ?? 1, r.kl),
            tf.mul(this.cfg.adversaryWeight ?? 1, adv),
            tf.mul(this.cfg.gmWeight ?? 1, gm),
          ]) as tf.Scalar;
          const terms: Record<string, tf.Scalar> = { recon: r.recon, kl: r.kl, advUniform: adv, gm };
          if (this.discriminator) {
            // D scores with its current spectral normalizers (training=false: u, v move in D's update only).
            const D = this.discriminator;
            const prior = this.priorRaw(batch.x.shape[0], ctx, true);
            const g = hingeGeneratorLoss(D.score(meanOf(this.likelihood, r.raw), y, false), D.score(meanOf(this.likelihood, prior.raw), prior.c, false));
            loss = tf.add(loss, tf.mul(this.cfg.gan?.weight ?? 1, g)) as tf.Scalar;
            terms.ganG = g;
          }
          return { loss, terms };
        },
      },
      {
        name: 'adversary',
        optimizer: tf.train.adam(lr),
        variables: () => advVars,
        loss: (batch: Batch, ctx: StepContext): LossResult => {
          const y = tf.oneHot(tf.cast(labelsOf(batch, 'lr-vae'), 'int32'), K).toFloat();
          // The joint update's code, drawn the same way (its first noise draw from the step's rng).
          const q = this.encodeU(batch.x);
          const code = this.cfg.adversaryInput === 'mean' ? q.mean : (reparameterize(q, noise(q.mean.shape, ctx.rng)) as tf.Tensor2D);
          const logits = this.adversary.apply(code) as tf.Tensor2D;
          const loss = tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
          const acc = tf.mean(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)).toFloat()) as tf.Scalar;
          return { loss, terms: { advAccuracy: acc } };
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
        loss: (batch: Batch, ctx: StepContext): LossResult => {
          const y = labelsOf(batch, 'lr-vae');
          const n = batch.x.shape[0];
          const rec = this.decode(
            tf.concat([this.encodeS(batch.x), reparameterize(this.encodeU(batch.x), noise([n, this.cfg.zu], ctx.rng))], 1) as tf.Tensor2D,
          );
          const prior = this.priorRaw(n, ctx, false);
          const s = discriminatorScores(D, batch.x, rec, y, meanOf(this.likelihood, prior.raw) as tf.Tensor4D, prior.c, true);
          const loss = hingeDiscriminatorLoss(s.real, s.rec, s.prior);
          return { loss, terms: { dLoss: loss } };
        },
      });
    }
    this.specs = specs;
    return specs;
  }

  /**
   * Semi-supervised fine-tuning on UNLABELLED data (paper section 3.6): one update of E_s, E_u
   * and G on recon + beta KL + lambda_lkd * NLL of z_s under the chosen prior; the class
   * Gaussians stay fixed, C and D are not used (no labels). Fit it with the Trainer; dispose() frees its optimizer.
   */
  semiSupervised(prior: UnlabeledPrior = 'ambiguous', learningRate = this.cfg.learningRate ?? 1e-3): Trainable & { dispose(): void } {
    const vars = [...trainableVariables(this.es), ...trainableVariables(this.eu), ...trainableVariables(this.decoder)];
    const lambda = this.cfg.lambdaLkd ?? 0.1;
    const spec: UpdateSpec = {
      name: `fine-tune (${prior} prior)`,
      optimizer: tf.train.adam(learningRate),
      variables: () => vars,
      loss: (batch: Batch, ctx: StepContext): LossResult => {
        const r = this.reconstruct(batch.x, ctx);
        const lkd = tf.mean(gmUnlabeledNll(this.gm, r.zs, prior)) as tf.Scalar;
        const loss = tf.addN([r.recon, tf.mul(this.cfg.beta ?? 1, r.kl), tf.mul(lambda, lkd)]) as tf.Scalar;
        return { loss, terms: { recon: r.recon, kl: r.kl, lkd } };
      },
    };
    return { updates: () => [spec], variables: () => this.variables(), dispose: () => spec.optimizer.dispose() };
  }

  config(): LrVaeConfig {
    return { ...this.cfg };
  }

  nets(): Record<string, tf.LayersModel> {
    return { es: this.es, eu: this.eu, decoder: this.decoder, adversary: this.adversary, gm: this.gmNet };
  }

  /** The GAN variant's D (weights and the spectral normalizers' u, v): not a layers model. */
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
