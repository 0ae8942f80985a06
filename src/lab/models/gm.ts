/**
 * The Gaussian-mixture (GM) loss of Wan et al. 2018 ("Rethinking feature distribution for
 * loss functions in image classification"), as used by Zheng & Sun for the label-relevant
 * code z_s = f = E_s(x). Class k has a learnable mean mu_k and diagonal covariance Lambda_k:
 *
 *   d_k(f)   = 0.5 (f - mu_k)^T Lambda_k^-1 (f - mu_k)
 *   logit_k  = -(1 + alpha [k = y]) d_k - 0.5 log|Lambda_k|      (margin alpha only in training)
 *   L_cls    = -log softmax(logit)_y                              (= -log p(y | f))
 *   L_lkd    = d_y + 0.5 log|Lambda_y|                            (= -log N(f; mu_y, Lambda_y) + const)
 *   L_GM     = L_cls + lambda_lkd L_lkd
 *
 * Lambda_k = minVariance + exp(rho_k) elementwise. The floor matters: L_lkd is unbounded
 * below when E_s shrinks every feature towards its class mean while Lambda follows it down
 * (the instability the paper's appendix B.4 works around by decaying E_s's learning rate).
 *
 * The parameters live in a tf.layers Layer so that a model's checkpoint (nets()) keeps them;
 * as a layer it maps f [n, D] to the distances d [n, K].
 */
import * as tf from '../tf';
import { InvalidArgumentError } from '../core/errors';

export interface GaussianMixtureConfig {
  /** Number of classes K (mixture components). */
  classes: number;
  /** Dimension D of the feature / latent code f. */
  dim: number;
  /** Lower bound on every variance, keeps log|Lambda| bounded below (default 1e-2). */
  minVariance?: number;
  /** Standard deviation of the random initial means (default 1). */
  initScale?: number;
  /** Seed of the initial means. */
  seed?: number;
  /** tf.layers name. */
  name?: string;
}

export interface GmLossOptions {
  /** Classification margin alpha >= 0 (paper: 0 to 0.1; default 0.1). */
  alpha?: number;
  /** Weight lambda_lkd of the likelihood regulariser (default 0.1). */
  lambdaLkd?: number;
}

/** The class means and diagonal covariances as a layer: f [n, D] -> d [n, K]. */
export class GaussianMixture extends tf.layers.Layer {
  static className = 'VaeLabGaussianMixture';
  readonly classes: number;
  readonly dim: number;
  readonly minVariance: number;
  private readonly initScale: number;
  private readonly seed?: number;
  private meansW!: tf.LayerVariable;
  private rhoW!: tf.LayerVariable;

  constructor(config: GaussianMixtureConfig) {
    super({ name: config.name });
    this.classes = config.classes;
    this.dim = config.dim;
    this.minVariance = config.minVariance ?? 1e-2;
    this.initScale = config.initScale ?? 1;
    this.seed = config.seed;
    // Build eagerly: the loss reads the parameters before the layer is ever called.
    this.build([null, config.dim]);
  }

  override build(_inputShape?: tf.Shape | tf.Shape[]): void {
    if (this.built) return;
    this.meansW = this.addWeight(
      'means',
      [this.classes, this.dim],
      'float32',
      tf.initializers.randomNormal({ mean: 0, stddev: this.initScale, seed: this.seed }),
    );
    // rho = log(1 - minVariance) so that the initial variance is exactly 1.
    this.rhoW = this.addWeight('rho', [this.classes, this.dim], 'float32', tf.initializers.constant({ value: Math.log(Math.max(1 - this.minVariance, 1e-6)) }));
    this.built = true;
  }

  /** mu [K, D]. */
  means(): tf.Tensor2D {
    return this.meansW.read() as tf.Tensor2D;
  }

  /** diag(Lambda) [K, D] = minVariance + exp(rho). */
  variances(): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.exp(this.rhoW.read()), this.minVariance) as tf.Tensor2D);
  }

  /** log|Lambda_k| [K]. */
  logDets(): tf.Tensor1D {
    return tf.tidy(() => tf.sum(tf.log(this.variances()), 1) as tf.Tensor1D);
  }

  /** d [n, K]: d_k = 0.5 sum_j (f_j - mu_kj)^2 / lambda_kj, expanded as three matmuls. */
  distances(f: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const inv = tf.reciprocal(this.variances()); // [K, D]
      const mu = this.means();
      const ff = tf.matMul(tf.square(f), inv, false, true); // sum f^2 / lambda
      const fm = tf.matMul(f, tf.mul(mu, inv), false, true); // sum f mu / lambda
      const mm = tf.sum(tf.mul(tf.square(mu), inv), 1); // sum mu^2 / lambda, [K]
      return tf.mul(0.5, tf.add(tf.sub(ff, tf.mul(2, fm)), mm)) as tf.Tensor2D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const f = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
    return this.distances(f);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], this.classes];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      classes: this.classes,
      dim: this.dim,
      minVariance: this.minVariance,
      initScale: this.initScale,
    };
  }
}
tf.serialization.registerClass(GaussianMixture);

/** Wraps the mixture in a tf.layers model (input f [D], output d [K]) so checkpoints save it. */
export function gaussianMixtureModel(config: GaussianMixtureConfig): { model: tf.LayersModel; gm: GaussianMixture } {
  const input = tf.input({ shape: [config.dim] });
  const gm = new GaussianMixture(config);
  const model = tf.model({ inputs: input, outputs: gm.apply(input) as tf.SymbolicTensor, name: config.name });
  return { model, gm };
}

/** The classification logits (with margin alpha on the true class when labels are given). */
export function gmLogits(gm: GaussianMixture, f: tf.Tensor2D, y?: tf.Tensor1D, alpha = 0): tf.Tensor2D {
  return tf.tidy(() => {
    const d = gm.distances(f);
    const scaled = y && alpha !== 0 ? tf.mul(d, tf.add(1, tf.mul(alpha, tf.oneHot(tf.cast(y, 'int32'), gm.classes)))) : d;
    return tf.sub(tf.neg(scaled), tf.mul(0.5, gm.logDets())) as tf.Tensor2D;
  });
}

/** p(y | f) without margin [n, K]. */
export function gmPosterior(gm: GaussianMixture, f: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(gmLogits(gm, f)) as tf.Tensor2D);
}

/** The GM loss and its two terms (batch means). Call inside a gradient scope. */
export function gmLoss(
  gm: GaussianMixture,
  f: tf.Tensor2D,
  y: tf.Tensor1D,
  opts: GmLossOptions = {},
): { loss: tf.Scalar; cls: tf.Scalar; lkd: tf.Scalar; accuracy: tf.Scalar } {
  const { alpha = 0.1, lambdaLkd = 0.1 } = opts;
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.cast(y, 'int32'), gm.classes).toFloat();
    const logits = gmLogits(gm, f, y, alpha);
    const cls = tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
    const nll = tf.add(gm.distances(f), tf.mul(0.5, gm.logDets())); // d_k + 0.5 log|Lambda_k|
    const lkd = tf.mean(tf.sum(tf.mul(onehot, nll), 1)) as tf.Scalar;
    const accuracy = tf.mean(tf.equal(tf.argMax(gmLogits(gm, f), 1), tf.cast(y, 'int32')).toFloat()) as tf.Scalar;
    return { loss: tf.add(cls, tf.mul(lambdaLkd, lkd)) as tf.Scalar, cls, lkd, accuracy };
  });
}

/**
 * Prior terms for unlabeled f (semi-supervised fine-tuning), per example [n], up to constants:
 *  - 'mixture':   -log sum_k (1/K) N(f; mu_k, Lambda_k)  (the label is in the known range);
 *  - 'ambiguous': -log N(f; mu_bar, Sigma_bar), the moment-matched Gaussian of the uniform
 *    mixture (paper eq. 11, for classes outside the known range):
 *      mu_bar = mean_k mu_k,  Sigma_bar = mean_k (Lambda_k + mu_k^2) - mu_bar^2  (diagonal).
 */
export function gmUnlabeledNll(gm: GaussianMixture, f: tf.Tensor2D, prior: 'mixture' | 'ambiguous'): tf.Tensor1D {
  return tf.tidy(() => {
    if (prior === 'mixture') {
      const logp = tf.neg(tf.add(gm.distances(f), tf.mul(0.5, gm.logDets())));
      return tf.sub(Math.log(gm.classes), tf.logSumExp(logp, 1)) as tf.Tensor1D;
    }
    const { mean, variance } = ambiguousGaussian(gm);
    const d = tf.mul(0.5, tf.sum(tf.div(tf.square(tf.sub(f, mean)), variance), 1));
    return tf.add(d, tf.mul(0.5, tf.sum(tf.log(variance)))) as tf.Tensor1D;
  });
}

/** mu_bar [D] and diag(Sigma_bar) [D] of the uniform mixture (see gmUnlabeledNll). */
export function ambiguousGaussian(gm: GaussianMixture): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  return tf.tidy(() => {
    const mu = gm.means();
    const mean = tf.mean(mu, 0) as tf.Tensor1D;
    const second = tf.mean(tf.add(gm.variances(), tf.square(mu)), 0);
    return { mean, variance: tf.sub(second, tf.square(mean)) as tf.Tensor1D };
  });
}

/** n draws of z_s from class c's Gaussian N(mu_c, Lambda_c) [n, D]. */
export function sampleClass(gm: GaussianMixture, c: number, n: number, seed?: number): tf.Tensor2D {
  if (!Number.isInteger(c) || c < 0 || c >= gm.classes) {
    throw new InvalidArgumentError(`sampleClass: class ${c} is outside 0..${gm.classes - 1}`);
  }
  return tf.tidy(() => {
    const mu = tf.slice(gm.means(), [c, 0], [1, gm.dim]);
    const sd = tf.sqrt(tf.slice(gm.variances(), [c, 0], [1, gm.dim]));
    return tf.add(mu, tf.mul(sd, tf.randomNormal([n, gm.dim], 0, 1, 'float32', seed))) as tf.Tensor2D;
  });
}
