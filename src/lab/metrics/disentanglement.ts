/**
 * Supervised disentanglement metrics on a data set with known ground-truth factors.
 * Pure functions of a representation r: factors -> codes and an explicit seed (as in
 * disentanglement_lib); no tensors here, so nothing can leak. Model adapters (encode the
 * rendered images, TC, reconstruction) are in ./disentanglementEval.ts.
 *
 * - FactorVAE metric (Kim & Mnih 2018): s_d = std of code d over the data; drop collapsed dims
 *   (the caller's `dims`, e.g. KL(q(z_d|x) || N(0,1)) > 0.1 for every model alike, else
 *   s_d < minStd); a vote fixes factor k (uniform) at a random value, draws L examples,
 *   and takes d* = argmin_d Var_batch(z_d / s_d). A majority-vote classifier maps d* -> k
 *   (argmax of the train vote counts); the score is its accuracy on held-out votes.
 * - beta-VAE metric (Higgins et al. 2017): a point fixes factor k, draws L pairs that share
 *   only factor k, and has features mean_l |r(v1_l) - r(v2_l)|; a linear softmax classifier
 *   predicts k; the score is its held-out accuracy.
 * Chance level for both is 1/K (K = number of factors, 5 on dSprites).
 */
import { Rng } from '../core/random';
import { sampleFactors } from '../data/dsprites';

/**
 * A representation: factor tuples (flat [n*K]) -> codes (flat [n*D]); a model's may be async
 * (it reads codes back from a backend that cannot read synchronously, such as webgpu).
 */
export type Representation = (factors: Int32Array, n: number) => Float32Array | Promise<Float32Array>;

/** Options of the FactorVAE metric. */
export interface FactorVaeMetricOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Training votes (disentanglement_lib: 10000). Default 800. */
  numTrain?: number;
  /** Held-out votes (disentanglement_lib: 5000). Default 800. */
  numEval?: number;
  /** Examples per vote, L (paper 200, disentanglement_lib 64). Default 64. */
  batchSize?: number;
  /** Examples used for the per-dim std s_d. Default 5000. */
  numVarianceEstimate?: number;
  /** Dims whose std over the data is below this are dropped (collapsed to the prior). Default 0.05; unused with `dims`. */
  minStd?: number;
  /**
   * The dims to vote over, pruned beforehand by one rule applied to every model alike (the
   * evaluation's KL rule); dims of zero std are dropped too (they cannot be normalised).
   * Undefined: the minStd rule.
   */
  dims?: readonly number[];
  /** Checked between votes. */
  signal?: AbortSignal;
}

export interface FactorVaeMetricResult {
  /** Majority-vote accuracy on the training votes. */
  trainAccuracy: number;
  /** Accuracy on held-out votes: the reported score. */
  evalAccuracy: number;
  /** Dims kept after pruning. */
  activeDims: number;
  /** votes[d][k]: training votes with argmin d for fixed factor k. */
  votes: number[][];
}

/** Per-dim mean and std of codes (flat [n*D]). */
function moments(codes: Float32Array, n: number, D: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(D),
    sq = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) mean[d] += codes[i * D + d] / n;
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) sq[d] += (codes[i * D + d] - mean[d]) ** 2;
  return { mean, std: sq.map((s) => Math.sqrt(s / Math.max(1, n - 1))) };
}

export async function factorVaeMetric(r: Representation, sizes: readonly number[], options: FactorVaeMetricOptions): Promise<FactorVaeMetricResult> {
  const { numTrain = 800, numEval = 800, batchSize = 64, numVarianceEstimate = 5000, minStd = 0.05 } = options;
  const rng = new Rng(options.seed);
  const K = sizes.length;
  const all = await r(sampleFactors(sizes, numVarianceEstimate, rng), numVarianceEstimate);
  const D = all.length / numVarianceEstimate;
  const { std } = moments(all, numVarianceEstimate, D);
  const active = options.dims ? options.dims.filter((d) => d < D && std[d] > 0) : [...std.keys()].filter((d) => std[d] >= minStd);
  const votes = Array.from({ length: D }, () => new Array<number>(K).fill(0));
  if (active.length === 0) return { trainAccuracy: 0, evalAccuracy: 0, activeDims: 0, votes };

  const vote = async (): Promise<[number, number]> => {
    options.signal?.throwIfAborted();
    const k = rng.int(K);
    const codes = await r(sampleFactors(sizes, batchSize, rng, { factor: k, value: rng.int(sizes[k]) }), batchSize);
    const { std: s } = moments(codes, batchSize, D);
    let best = active[0];
    for (const d of active) if (s[d] / std[d] < s[best] / std[best]) best = d;
    return [best, k];
  };
  for (let i = 0; i < numTrain; i++) {
    const [d, k] = await vote();
    votes[d][k]++;
  }
  const classOf = votes.map((row) => row.indexOf(Math.max(...row)));
  const trainAccuracy = votes.reduce((s, row) => s + Math.max(...row), 0) / numTrain;
  let hits = 0;
  for (let i = 0; i < numEval; i++) {
    const [d, k] = await vote();
    if (classOf[d] === k) hits++;
  }
  return { trainAccuracy, evalAccuracy: hits / numEval, activeDims: active.length, votes };
}

/** Options of the beta-VAE metric. */
export interface BetaVaeMetricOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Training points (disentanglement_lib: 10000). Default 500. */
  numTrain?: number;
  /** Held-out points (disentanglement_lib: 5000). Default 300. */
  numEval?: number;
  /** Pairs averaged per point, L (disentanglement_lib: 64). Default 64. */
  batchSize?: number;
  /** Full-batch gradient steps of the softmax regression. Default 500. */
  iterations?: number;
  /** Checked between points. */
  signal?: AbortSignal;
}

export interface BetaVaeMetricResult {
  trainAccuracy: number;
  /** Held-out accuracy: the reported score. */
  evalAccuracy: number;
}

/** One beta-VAE metric point: features mean_l |r(v1_l) - r(v2_l)| for pairs sharing factor k. */
async function betaVaePoint(r: Representation, sizes: readonly number[], L: number, rng: Rng, k: number): Promise<Float64Array> {
  const K = sizes.length;
  const a = sampleFactors(sizes, L, rng);
  const b = sampleFactors(sizes, L, rng);
  for (let l = 0; l < L; l++) b[l * K + k] = a[l * K + k];
  const za = await r(a, L),
    zb = await r(b, L);
  const D = za.length / L;
  const f = new Float64Array(D);
  for (let i = 0; i < L * D; i++) f[i % D] += Math.abs(za[i] - zb[i]) / L;
  return f;
}

/**
 * Multinomial logistic regression by full-batch gradient descent on standardised features:
 * p(k|f) = softmax(W f + b)_k, minimising mean cross-entropy + (l2/2)|W|^2. Returns a predictor.
 */
export function fitSoftmax(X: Float64Array[], y: number[], K: number, iterations = 500, lr = 0.5, l2 = 1e-4): (f: Float64Array) => number {
  const n = X.length,
    D = X[0].length;
  const mu = new Float64Array(D),
    sd = new Float64Array(D);
  for (const x of X) for (let d = 0; d < D; d++) mu[d] += x[d] / n;
  for (const x of X) for (let d = 0; d < D; d++) sd[d] += (x[d] - mu[d]) ** 2 / n;
  for (let d = 0; d < D; d++) sd[d] = Math.sqrt(sd[d]) || 1;
  const Z = X.map((x) => x.map((v, d) => (v - mu[d]) / sd[d]));
  const W = Array.from({ length: K }, () => new Float64Array(D)),
    b = new Float64Array(K);
  const logits = (z: Float64Array) => W.map((w, k) => b[k] + w.reduce((s, wd, d) => s + wd * z[d], 0));
  for (let it = 0; it < iterations; it++) {
    const gW = Array.from({ length: K }, () => new Float64Array(D)),
      gb = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      const l = logits(Z[i]);
      const m = Math.max(...l);
      const e = l.map((v) => Math.exp(v - m));
      const s = e.reduce((a, c) => a + c, 0);
      for (let k = 0; k < K; k++) {
        const g = e[k] / s - (k === y[i] ? 1 : 0); // d CE / d logit_k
        gb[k] += g / n;
        for (let d = 0; d < D; d++) gW[k][d] += (g * Z[i][d]) / n;
      }
    }
    for (let k = 0; k < K; k++) {
      b[k] -= lr * gb[k];
      for (let d = 0; d < D; d++) W[k][d] -= lr * (gW[k][d] + l2 * W[k][d]);
    }
  }
  return (f) => {
    const l = logits(f.map((v, d) => (v - mu[d]) / sd[d]));
    return l.indexOf(Math.max(...l));
  };
}

export async function betaVaeMetric(r: Representation, sizes: readonly number[], options: BetaVaeMetricOptions): Promise<BetaVaeMetricResult> {
  const { numTrain = 500, numEval = 300, batchSize = 64, iterations = 500 } = options;
  const rng = new Rng(options.seed);
  const K = sizes.length;
  const draw = async (n: number) => {
    const X: Float64Array[] = [],
      y: number[] = [];
    for (let i = 0; i < n; i++) {
      options.signal?.throwIfAborted();
      const k = rng.int(K);
      X.push(await betaVaePoint(r, sizes, batchSize, rng, k));
      y.push(k);
    }
    return { X, y };
  };
  const train = await draw(numTrain),
    held = await draw(numEval);
  const predict = fitSoftmax(train.X, train.y, K, iterations);
  const acc = (s: { X: Float64Array[]; y: number[] }) => s.X.filter((x, i) => predict(x) === s.y[i]).length / s.X.length;
  return { trainAccuracy: acc(train), evalAccuracy: acc(held) };
}

/** Which factor one latent dim follows best. */
export interface LatentFactor {
  dim: number;
  /** Index of the factor with the largest eta^2 for this dim. */
  factor: number;
  /** That eta^2 in [0, 1]: the share of the dim's variance explained by the factor. */
  eta2: number;
}

/**
 * For each latent dim d, the factor k maximising the correlation ratio
 *   eta^2(d, k) = Var_v(E[z_d | f_k = v]) / Var(z_d)
 * over n codes of uniformly drawn factors: the share of z_d's variance that factor k alone
 * explains (1 when z_d is a function of f_k, about (values - 1) / n for an unrelated factor).
 * It labels traversal rows; unlike a linear correlation it sees non-monotone codes such as
 * orientation. A dim with no variance (to float precision) gets eta^2 0.
 */
export async function latentFactors(r: Representation, sizes: readonly number[], o: { seed: number; n?: number }): Promise<LatentFactor[]> {
  const n = o.n ?? 5000;
  const K = sizes.length;
  const f = sampleFactors(sizes, n, new Rng(o.seed));
  const codes = await r(f, n);
  const D = codes.length / n;
  const { mean, std } = moments(codes, n, D);
  return Array.from({ length: D }, (_, d) => {
    let best = { dim: d, factor: 0, eta2: 0 };
    const total = std[d] ** 2 * (n - 1);
    // A constant code still has a rounding-level std; it follows nothing.
    if (std[d] <= 1e-6 * (Math.abs(mean[d]) + 1e-6)) return best;
    for (let k = 0; k < K; k++) {
      const sum = new Float64Array(sizes[k]),
        cnt = new Float64Array(sizes[k]);
      for (let i = 0; i < n; i++) {
        sum[f[i * K + k]] += codes[i * D + d];
        cnt[f[i * K + k]]++;
      }
      let between = 0;
      for (let v = 0; v < sizes[k]; v++) if (cnt[v] > 0) between += cnt[v] * (sum[v] / cnt[v] - mean[d]) ** 2;
      if (between / total > best.eta2) best = { dim: d, factor: k, eta2: between / total };
    }
    return best;
  });
}
