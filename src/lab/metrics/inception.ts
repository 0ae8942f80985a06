/**
 * Inception Score with a classifier the lab trains on the REAL data (the paper's Inception
 * nets, trained on ImageNet / VGGFace2, are not available offline, so scores are comparable
 * between models here but not with the paper's numbers; ./scoringClassifier.ts builds the
 * conv net that stands in for them on MNIST-like data):
 *   IS = exp( E_x KL( p(y|x) || p(y) ) ),  p(y) = E_x p(y|x)
 * over samples x of all classes; high when each sample is confidently one class and the
 * classes are balanced (max = number of classes). Plus the scores the comparison table uses.
 */
import * as tf from '../tf';
import { trainableVariables, netVariables } from '../nets';
import { initRng, seededKernel } from '../nets/init';
import { buildMlpCritic, type ConditionalGenerator } from '../models/conditional';
import { Trainer, type BatchSource } from '../train/trainer';
import type { Batch, LossResult, Trainable, UpdateSpec } from '../core/types';
import { intraClassDiversity, type DiversityOptions } from './msssim';
import { InvalidArgumentError } from '../core/errors';

/**
 * A small conv net for 28x28-like images: 3x3 convs with `filters` (the first stride 1, the
 * rest stride 2, 'same' padding) -> dense `dense` -> K logits, ReLU between. Strided convs
 * instead of max-pooling keep every layer on kernels whose gradients all backends have.
 */
export interface ConvClassifierArch {
  kind: 'conv';
  /** Filters of the conv layers (default [32, 64, 64]: 28 -> 28 -> 14 -> 7). */
  filters?: number[];
  /** Units of the hidden dense layer (default 128). */
  dense?: number;
}

/** Options of the scoring classifier. */
export interface ScoreClassifierOptions {
  /** Hidden layer sizes of the MLP (default [256]); ignored when `arch` is a conv net. */
  hidden?: number[];
  /** The conv net instead of the MLP. */
  arch?: ConvClassifierArch;
  /** Learning rate multiplied by this after each epoch (default 1: constant). */
  lrDecay?: number;
  /** Passes over the data (default 2). */
  epochs?: number;
  /** Batch size (default 128). */
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  learningRate?: number;
  /** Seed of the data order (default 0). */
  seed?: number;
  /** Cancels training between steps. */
  signal?: AbortSignal;
}

/** The conv net of ConvClassifierArch; weights drawn from `seed` (one seed per layer, nets/init.ts). */
export function buildConvClassifier(inputShape: [number, number, number], classes: number, arch: ConvClassifierArch, seed = 0): tf.LayersModel {
  const filters = arch.filters ?? [32, 64, 64];
  const rng = initRng(seed);
  const input = tf.input({ shape: inputShape });
  let y = input;
  filters.forEach((f, l) => {
    y = tf.layers
      .conv2d({ filters: f, kernelSize: 3, strides: l === 0 ? 1 : 2, padding: 'same', activation: 'relu', ...seededKernel(rng, 'glorotUniform') })
      .apply(y) as tf.SymbolicTensor;
  });
  y = tf.layers.flatten().apply(y) as tf.SymbolicTensor;
  y = tf.layers.dense({ units: arch.dense ?? 128, activation: 'relu', ...seededKernel(rng, 'glorotUniform') }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: classes, ...seededKernel(rng, 'glorotUniform') }).apply(y) as tf.SymbolicTensor });
}

/** What the scores need of a classifier: p(y | x) [n, K]. */
export interface ProbabilisticClassifier {
  predict(x: tf.Tensor4D): tf.Tensor2D;
}

/** A classifier of real data used to score generated samples. */
export class ScoreClassifier implements Trainable, ProbabilisticClassifier {
  readonly net: tf.LayersModel;
  private spec?: UpdateSpec;

  /** `net`: an already built (e.g. loaded) net of the same architecture, used instead of a fresh one. */
  constructor(
    readonly inputShape: [number, number, number],
    readonly classes: number,
    private readonly opts: ScoreClassifierOptions = {},
    net?: tf.LayersModel,
  ) {
    this.net =
      net ??
      (opts.arch?.kind === 'conv'
        ? buildConvClassifier(inputShape, classes, opts.arch, opts.seed ?? 0)
        : buildMlpCritic(inputShape, opts.hidden ?? [256], classes, initRng(opts.seed ?? 0)));
  }

  /** p(y | x) [n, K]. */
  predict(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.net.apply(x) as tf.Tensor2D) as tf.Tensor2D);
  }

  /** Fraction of a labelled batch classified correctly (read back asynchronously). */
  async accuracy(batch: Batch): Promise<number> {
    if (!batch.y) throw new InvalidArgumentError('accuracy: the batch has no labels; score with a labelled data set');
    return readScalar(tf.tidy(() => tf.mean(tf.equal(tf.argMax(this.predict(batch.x), 1), tf.cast(batch.y!, 'int32')).toFloat()) as tf.Scalar));
  }

  /** Accuracy over every example of a labelled source, in batches of `batchSize`. */
  async accuracyOn(data: BatchSource, batchSize = 500): Promise<number> {
    let correct = 0;
    for (let i = 0; i < data.n; i += batchSize) {
      const b = data.batch(Int32Array.from({ length: Math.min(batchSize, data.n - i) }, (_, k) => i + k));
      try {
        correct += (await this.accuracy(b)) * b.x.shape[0];
      } finally {
        tf.dispose([b.x, ...(b.y ? [b.y] : [])]);
      }
    }
    return correct / data.n;
  }

  /** The Adam learning rate (set between epochs by lrDecay). */
  setLearningRate(lr: number): void {
    // tfjs's Adam reads its (protected) learningRate field on every apply.
    const opt = this.updates()[0].optimizer as unknown as { learningRate: number };
    opt.learningRate = lr;
  }

  updates(): UpdateSpec[] {
    const vars = trainableVariables(this.net);
    this.spec ??= {
      name: 'classifier',
      optimizer: tf.train.adam(this.opts.learningRate ?? 1e-3),
      variables: () => vars,
      loss: (batch: Batch): LossResult => {
        if (!batch.y) throw new InvalidArgumentError('the scoring classifier needs labelled data; train it on a labelled data set');
        const loss = tf.losses.softmaxCrossEntropy(
          tf.oneHot(tf.cast(batch.y, 'int32'), this.classes),
          this.net.apply(batch.x, { training: true }) as tf.Tensor2D,
        ) as tf.Scalar;
        return { loss };
      },
    };
    return [this.spec];
  }

  variables(): tf.Variable[] {
    return netVariables(this.net);
  }

  dispose(): void {
    this.net.dispose();
    this.spec?.optimizer.dispose();
  }
}

/** Train the scoring classifier on labelled real data with the lab's Trainer. */
export async function trainScoreClassifier(
  data: BatchSource,
  inputShape: [number, number, number],
  classes: number,
  opts: ScoreClassifierOptions = {},
): Promise<ScoreClassifier> {
  const clf = new ScoreClassifier(inputShape, classes, opts);
  const lr0 = opts.learningRate ?? 1e-3;
  const decay = opts.lrDecay ?? 1;
  const onEpochEnd = decay === 1 ? undefined : ({ epoch }: { epoch: number }) => clf.setLearningRate(lr0 * decay ** (epoch + 1));
  try {
    await new Trainer({
      epochs: opts.epochs ?? 2,
      batchSize: opts.batchSize ?? 128,
      seed: opts.seed ?? 0,
      signal: opts.signal,
      sanityCheck: false,
      callbacks: { onEpochEnd },
    }).fit(clf, data);
  } catch (e) {
    clf.dispose();
    throw e;
  }
  return clf;
}

/** A scalar's value, read asynchronously (webgpu cannot read synchronously); disposes it. */
async function readScalar(t: tf.Scalar): Promise<number> {
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}

/** IS of class probabilities [n, K], mean and standard deviation over `splits` equal parts. */
export async function inceptionScore(probs: tf.Tensor2D, splits = 1): Promise<{ mean: number; std: number }> {
  const n = probs.shape[0];
  const size = Math.floor(n / splits);
  if (size < 1) throw new InvalidArgumentError(`inceptionScore: ${n} samples cannot make ${splits} splits; give more samples or fewer splits`);
  // Every split's mean KL in one tensor, so one read serves them all.
  const kls = tf.tidy(() =>
    tf.stack(
      Array.from({ length: splits }, (_, s) => {
        const p = tf.clipByValue(tf.slice(probs, [s * size, 0], [size, -1]), 1e-12, 1);
        const py = tf.mean(p, 0, true);
        return tf.mean(tf.sum(tf.mul(p, tf.sub(tf.log(p), tf.log(py))), 1));
      }),
    ),
  );
  const scores = Array.from(await kls.data().finally(() => kls.dispose()), (kl) => Math.exp(kl));
  const mean = scores.reduce((a, b) => a + b, 0) / splits;
  const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / splits);
  return { mean, std };
}

/**
 * Class agreement of a class-conditional generator: the fraction of its class-c samples that
 * `clf` labels c, over `perClass` samples of every class (class c drawn with seed + 1000 c).
 * 1 = every sample shows the class asked for; 1/K = the label is ignored.
 */
export async function classAgreement(
  gen: ConditionalGenerator,
  clf: ProbabilisticClassifier,
  opts: { perClass?: number; seed?: number } = {},
): Promise<number> {
  const perClass = opts.perClass ?? 100;
  const seed = opts.seed ?? 0;
  let agree = 0;
  for (let c = 0; c < gen.classes; c++) {
    agree += await readScalar(tf.tidy(() => tf.sum(tf.equal(tf.argMax(clf.predict(gen.sample(c, perClass, seed + 1000 * c)), 1), c).toFloat()) as tf.Scalar));
  }
  return agree / (perClass * gen.classes);
}

/** Options of generatorScores. */
export interface GeneratorScoreOptions {
  /** Samples drawn per class (default 100). */
  perClass?: number;
  /** Seed of the samples (class c uses seed + 1000 c). */
  seed?: number;
  /** IS splits (default 10: mean ± sd over ten parts, each holding every class equally). */
  splits?: number;
  /** Diversity options (pairs per class, MS-SSIM settings). Skip diversity with `false` (non-images). */
  diversity?: DiversityOptions | false;
}

/** The comparison table's row for one generator. */
export interface GeneratorScores {
  /** IS from the lab's classifier of real data (NOT the paper's Inception nets). */
  inceptionScore: number;
  inceptionScoreStd: number;
  /** Mean over classes of the intra-class diversity (mean 1 - MS-SSIM over same-class pairs). */
  diversity?: number;
  perClassDiversity?: number[];
  /** Fraction of class-c samples the classifier assigns to c (does the class come out?). */
  classAgreement: number;
  samples: number;
}

/** IS, intra-class diversity and class agreement of a class-conditional generator. */
export async function generatorScores(gen: ConditionalGenerator, clf: ProbabilisticClassifier, opts: GeneratorScoreOptions = {}): Promise<GeneratorScores> {
  const perClass = opts.perClass ?? 100;
  const seed = opts.seed ?? 0;
  const probs: tf.Tensor2D[] = [];
  const perClassDiversity: number[] = [];
  let agree = 0;
  try {
    for (let c = 0; c < gen.classes; c++) {
      const x = gen.sample(c, perClass, seed + 1000 * c);
      const p = clf.predict(x);
      probs.push(p);
      try {
        agree += await readScalar(tf.tidy(() => tf.sum(tf.equal(tf.argMax(p, 1), c).toFloat()) as tf.Scalar));
        if (opts.diversity !== false) perClassDiversity.push(await intraClassDiversity(x, { seed: seed + c, ...(opts.diversity ?? {}) }));
      } finally {
        x.dispose();
      }
    }
    // Interleave the classes (row j*K + c = sample j of class c) so every split sees them all.
    const order = Int32Array.from({ length: perClass * gen.classes }, (_, i) => (i % gen.classes) * perClass + Math.floor(i / gen.classes));
    const all = tf.tidy(() => tf.gather(tf.concat(probs, 0), order) as tf.Tensor2D);
    const is = await inceptionScore(all, opts.splits ?? 10).finally(() => all.dispose());
    const diversity = perClassDiversity.length ? perClassDiversity.reduce((a, b) => a + b, 0) / perClassDiversity.length : undefined;
    return {
      inceptionScore: is.mean,
      inceptionScoreStd: is.std,
      classAgreement: agree / (perClass * gen.classes),
      samples: perClass * gen.classes,
      ...(diversity !== undefined ? { diversity, perClassDiversity } : {}),
    };
  } finally {
    tf.dispose(probs);
  }
}
