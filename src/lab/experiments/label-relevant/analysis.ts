/**
 * Label-relevant VAE, the numbers behind the figures, each read off by the scoring classifier:
 * - swap: of the swapped images whose z_s and z_u sources have different classes, the fraction
 *   classified as the z_s source's class, and as the z_u source's (the claim: z_s carries the class);
 * - traversal: over frames of one z_u dimension swept with the rest of the code fixed, the fraction
 *   still classified as the image's class, and the mean pixel change from the unswept decode;
 * - inpainting: the classifier's accuracy on completed images (true labels) and the mean squared
 *   error inside the mask;
 * - matched IS: on two diversity-against-IS trajectories, the epochs where both models are at the
 *   same IS.
 * Every read is asynchronous (`await t.array()`), so these run on webgpu as on every backend.
 */
import * as tf from '../../tf';
import type { ProbabilisticClassifier } from '../../metrics/inception';
import type { LabelRelevantVAE } from '../../models/lrVae';
import type { TrajectoryPoint } from './score';
import { InvalidArgumentError } from '../../core/errors';

/** Reads a tensor made by `f` and disposes it: asynchronously, so it works on webgpu too. */
async function readOnce<T>(f: () => tf.Tensor): Promise<T> {
  const t = tf.tidy(f);
  try {
    return (await t.array()) as T;
  } finally {
    t.dispose();
  }
}

const classesOf = (clf: ProbabilisticClassifier, x: tf.Tensor4D): Promise<number[]> => readOnce(() => tf.argMax(clf.predict(x), 1));

/** What the swap test measures. */
export interface SwapAgreement {
  /** Fraction of counted cells classified as the z_s source's class. */
  followsS: number;
  /** Fraction classified as the z_u source's class. */
  followsU: number;
  /** Cells counted: those whose two sources have different labels. */
  cells: number;
}

/** The swap test on rows (z_s sources) x cols (z_u sources) with their true labels. */
export async function swapAgreement(
  model: LabelRelevantVAE,
  clf: ProbabilisticClassifier,
  rows: tf.Tensor4D,
  rowLabels: ArrayLike<number>,
  cols: tf.Tensor4D,
  colLabels: ArrayLike<number>,
): Promise<SwapAgreement> {
  const c = cols.shape[0];
  const swapped = model.swap(rows, cols);
  let got: number[];
  try {
    got = await classesOf(clf, swapped);
  } finally {
    swapped.dispose();
  }
  let s = 0,
    u = 0,
    cells = 0;
  got.forEach((k, i) => {
    const ys = rowLabels[Math.floor(i / c)],
      yu = colLabels[i % c];
    if (ys === yu) return;
    cells++;
    if (k === ys) s++;
    if (k === yu) u++;
  });
  if (!cells) throw new InvalidArgumentError('swapAgreement: every row and column source has the same label; pick sources of different classes');
  return { followsS: s / cells, followsU: u / cells, cells };
}

/** The `count` z_u dimensions whose posterior means vary most over `x` (the active ones), most first. */
export async function activeUDims(model: LabelRelevantVAE, x: tf.Tensor4D, count: number): Promise<number[]> {
  const v = await readOnce<number[]>(() => tf.moments(model.encodeU(x).mean, 0).variance);
  return v
    .map((x, d) => [x, d])
    .sort((a, b) => b[0] - a[0])
    .slice(0, count)
    .map(([, d]) => d);
}

/** What the traversal test measures. */
export interface TraversalKeep {
  /** Fraction of frames classified as the image's label. */
  kept: number;
  /** Mean |frame - decode at the image's own code| over pixels and frames (0 = the dimension does nothing). */
  change: number;
  frames: number;
}

/** Sweep each of `dims` over `values` for every image of x (labels y) and classify the frames. */
export async function traversalKeep(
  model: LabelRelevantVAE,
  clf: ProbabilisticClassifier,
  x: tf.Tensor4D,
  y: ArrayLike<number>,
  dims: number[],
  values: number[],
): Promise<TraversalKeep> {
  let kept = 0,
    frames = 0,
    change = 0;
  for (let i = 0; i < x.shape[0]; i++) {
    const one = tf.slice(x, [i], [1]) as tf.Tensor4D;
    try {
      for (const d of dims) {
        const t = model.traverse(one, d, values);
        const base = tf.tidy(() => model.decode(tf.concat([model.encodeS(one), model.encodeU(one).mean], 1) as tf.Tensor2D));
        try {
          kept += (await classesOf(clf, t)).filter((k) => k === y[i]).length;
          change += (await readOnce<number>(() => tf.mean(tf.abs(tf.sub(t, base))))) * values.length;
          frames += values.length;
        } finally {
          tf.dispose([t, base]);
        }
      }
    } finally {
      one.dispose();
    }
  }
  return { kept: kept / frames, change: change / frames, frames };
}

/** A right-half or bottom-half mask [n, h, w, 1] (1 = missing). */
export function halfMask(n: number, h: number, w: number, which: 'right' | 'bottom'): tf.Tensor4D {
  return tf.tidy(() => {
    const one =
      which === 'right'
        ? tf.concat([tf.zeros([1, h, w - Math.floor(w / 2), 1]), tf.ones([1, h, Math.floor(w / 2), 1])], 2)
        : tf.concat([tf.zeros([1, h - Math.floor(h / 2), w, 1]), tf.ones([1, Math.floor(h / 2), w, 1])], 1);
    return tf.tile(one, [n, 1, 1, 1]) as tf.Tensor4D;
  });
}

/** What the inpainting test measures. */
export interface InpaintScores {
  /** Classifier accuracy on the completed images against the true labels. */
  accuracy: number;
  /** Mean squared error inside the mask (completed vs original). */
  maskError: number;
}

/** Score completed images `out` against the originals x (labels y) under `mask`. */
export async function inpaintScores(
  clf: ProbabilisticClassifier,
  x: tf.Tensor4D,
  y: ArrayLike<number>,
  out: tf.Tensor4D,
  mask: tf.Tensor4D,
): Promise<InpaintScores> {
  const got = await classesOf(clf, out);
  const accuracy = got.filter((k, i) => k === y[i]).length / got.length;
  const maskError = await readOnce<number>(() => tf.div(tf.sum(tf.mul(tf.square(tf.sub(out, x)), mask)), tf.sum(mask)));
  return { accuracy, maskError };
}

/** Two trajectories compared at one IS. */
export interface MatchedPoints {
  /** The IS both reach: the lower of the two models' best. */
  target: number;
  a: TrajectoryPoint;
  b: TrajectoryPoint;
}

/**
 * The matched-IS rule, fixed before any run: target = min(best IS of a, best IS of b), the
 * highest IS both models reach; in each trajectory the epoch whose IS is nearest the target
 * (the earlier on a tie). The diversity gap there compares the models at a similar IS.
 */
export function matchedIs(a: TrajectoryPoint[], b: TrajectoryPoint[]): MatchedPoints {
  if (!a.length || !b.length)
    throw new InvalidArgumentError('matchedIs: both trajectories need at least one point; train with a preset that scores every epoch');
  const best = (t: TrajectoryPoint[]) => Math.max(...t.map((p) => p.inceptionScore));
  const target = Math.min(best(a), best(b));
  const nearest = (t: TrajectoryPoint[]) => t.reduce((m, p) => (Math.abs(p.inceptionScore - target) < Math.abs(m.inceptionScore - target) ? p : m));
  return { target, a: nearest(a), b: nearest(b) };
}
