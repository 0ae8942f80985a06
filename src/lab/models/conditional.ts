/**
 * Pieces shared by the class-conditional generators (label-relevant VAE, cVAE, cVAE-GAN):
 * the generator interface the metrics and the notebook use, the MLP critic (the adversarial
 * latent classifier C), the pixel discriminator D, and the hinge GAN losses (Lim & Ye 2017;
 * Miyato et al. 2018):
 *   L_D = mean relu(1 - D(x, y)) + 1/2 [mean relu(1 + D(x_rec, y)) + mean relu(1 + D(x_prior, c))]
 *   L_G = -1/2 [mean D(x_rec, y) + mean D(x_prior, c)]
 * D is the label-conditional projection discriminator with spectral normalization on every
 * weight (nets/spectralNorm.ts; the label-relevant paper's "like in [30]", section 3.4 and
 * appendix B): real images are scored with their labels y, reconstructions with the input's
 * label y, prior samples with the class c they were drawn for. Both GAN variants compared
 * (LR-VAE-GAN, cVAE-GAN) build the same D, so the comparison is symmetric.
 * One power iteration of D's spectral normalizers per discriminator update (its three batches
 * are scored in one call); the generator's update scores with the current u, v and moves
 * neither (Miyato et al. update u once per D step).
 */
import * as tf from '../tf';
import { LabError } from '../core/errors';
import type { Rng } from '../core/random';
import { initRng, initSeed, seededKernel } from '../nets/init';
import { ProjectionDiscriminator } from '../nets/spectralNorm';

/** A model that draws images of a chosen class. */
export interface ConditionalGenerator {
  /** Number of classes. */
  readonly classes: number;
  /** [height, width, channels] of one sample. */
  readonly inputShape: [number, number, number];
  /** n samples of class c, NHWC (in [0, 1] for image models). `seed` fixes the draw. */
  sample(c: number, n: number, seed: number): tf.Tensor4D;
}

/** The pixel discriminator of the GAN variants. */
export interface GanConfig {
  /** Hidden layer sizes of phi, the projection discriminator's MLP (LeakyReLU 0.2, spectrally normalized). */
  hidden: number[];
  /** Weight of the generator's hinge term in the decoder's loss (default 1). */
  weight?: number;
  /** Adam learning rate of D (default 2e-4, betas 0.5 / 0.999). */
  learningRate?: number;
}

/** MLP critic: flatten -> hidden (LeakyReLU 0.2) -> dense `outputs` (logits / scores); `rng` seeds the kernels (nets/init.ts). */
export function buildMlpCritic(inputShape: number[], hidden: number[], outputs: number, rng: Rng = initRng(0)): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  let y = (inputShape.length > 1 ? tf.layers.flatten().apply(input) : input) as tf.SymbolicTensor;
  for (const units of hidden) {
    y = tf.layers.dense({ units, ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.leakyReLU({ alpha: 0.2 }).apply(y) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: outputs, ...seededKernel(rng) }).apply(y) as tf.SymbolicTensor });
}

/** The GAN variants' D: the projection discriminator of `gan.hidden`, seeded from `rng` (nets/init.ts). */
export function buildProjectionDiscriminator(inputShape: number[], gan: GanConfig, classes: number, rng: Rng): ProjectionDiscriminator {
  return new ProjectionDiscriminator({ inputShape, hidden: gan.hidden, classes, seed: initSeed(rng) });
}

/**
 * D's scores of real images (labels y), reconstructions (labels y) and prior samples (classes c),
 * in one call: one power iteration per D update when `training` (all [n, 1]).
 */
export function discriminatorScores(
  D: ProjectionDiscriminator,
  real: tf.Tensor4D,
  rec: tf.Tensor4D,
  y: tf.Tensor1D,
  prior: tf.Tensor4D,
  c: tf.Tensor1D,
  training: boolean,
): { real: tf.Tensor2D; rec: tf.Tensor2D; prior: tf.Tensor2D } {
  return tf.tidy(() => {
    const labels = tf.concat([tf.cast(y, 'int32'), tf.cast(y, 'int32'), tf.cast(c, 'int32')]) as tf.Tensor1D;
    const s = D.score(tf.concat([real, rec, prior]), labels, training);
    const [a, b, p] = tf.split(s, [real.shape[0], rec.shape[0], prior.shape[0]]) as tf.Tensor2D[];
    return { real: a, rec: b, prior: p };
  });
}

/** D's hinge loss on real images and two kinds of fakes (all D scores [n, 1]). */
export function hingeDiscriminatorLoss(real: tf.Tensor, rec: tf.Tensor, prior: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const r = tf.mean(tf.relu(tf.sub(1, real)));
    const f = tf.mul(0.5, tf.add(tf.mean(tf.relu(tf.add(1, rec))), tf.mean(tf.relu(tf.add(1, prior)))));
    return tf.add(r, f) as tf.Scalar;
  });
}

/** The generator's hinge term (decoder and encoders minimise it). */
export function hingeGeneratorLoss(rec: tf.Tensor, prior: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul(-0.5, tf.add(tf.mean(rec), tf.mean(prior))) as tf.Scalar);
}

/** Adam with GAN betas for D. */
export function discriminatorOptimizer(gan: GanConfig): tf.Optimizer {
  return tf.train.adam(gan.learningRate ?? 2e-4, 0.5, 0.999);
}

/**
 * A model trained with class labels (cVAE, cVAE-GAN, LR-VAE) got a batch without them. Thrown
 * by the model's loss on the first such batch (the trainer's sanity step reports it before any
 * update); the user trains on a labelled data set.
 */
export class LabelsRequiredError extends LabError {
  constructor(model: string) {
    super(
      `${model} is trained with class labels, but the batch has none: use a labelled data set (moons, mnist, fashion-mnist), or the semi-supervised fine-tuning for unlabelled data.`,
    );
  }
}

/** Labels of a batch, or a clear error. */
export function labelsOf(batch: { y?: tf.Tensor1D }, model: string): tf.Tensor1D {
  if (!batch.y) throw new LabelsRequiredError(model);
  return batch.y;
}

/** n random class indices as int32 [n] (seeded), for prior samples over all classes. */
export function randomClasses(n: number, classes: number, seed: number): tf.Tensor1D {
  return tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([n], 0, classes, 'float32', seed)), 'int32') as tf.Tensor1D);
}
