/**
 * Two-component PCA for the consistency-arrow view, on plain arrays (no tensors: the
 * covariance of a 50-dim latent space is 2,500 numbers, and a pure function is easy to test).
 *
 * C = (1/n) sum_i (z_i - mu)(z_i - mu)^T. The top eigenvectors come from power iteration
 * (v <- Cv / |Cv|), the second after deflation C' = C - l1 v1 v1^T. Signs are fixed (largest
 * |component| positive) so the same data always gives the same picture.
 */
import { InvalidArgumentError } from '../core/errors';

export interface Pca2 {
  mean: Float64Array;
  /** Unit eigenvectors of the covariance, largest eigenvalue first. */
  components: [Float64Array, Float64Array];
  /** Their eigenvalues (variance along each axis). */
  variances: [number, number];
  /** Trace of the covariance: total variance. */
  totalVariance: number;
}

/** `data` is row-major [n, d]. */
export function covariance(data: ArrayLike<number>, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = data[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ra = row[a] / n;
      for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a];
  return { mean, cov };
}

function topEigen(cov: Float64Array, d: number, iterations: number): { value: number; vector: Float64Array } {
  // Deterministic start that is not orthogonal to any axis in practice.
  let v = Float64Array.from({ length: d }, (_, i) => 1 + 0.1 * Math.sin(i + 1));
  let value = 0;
  for (let it = 0; it < iterations; it++) {
    const w = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += cov[a * d + b] * v[b];
      w[a] = s;
    }
    const norm = Math.hypot(...w);
    if (norm === 0) break; // zero covariance: any unit vector is an eigenvector
    let delta = 0;
    for (let a = 0; a < d; a++) {
      w[a] /= norm;
      delta += Math.abs(w[a] - v[a]);
    }
    v = w;
    value = norm;
    if (delta < 1e-12) break;
  }
  const norm = Math.hypot(...v);
  for (let a = 0; a < d; a++) v[a] /= norm;
  let big = 0;
  for (let a = 1; a < d; a++) if (Math.abs(v[a]) > Math.abs(v[big]) + 1e-12) big = a;
  if (v[big] < 0) for (let a = 0; a < d; a++) v[a] = -v[a];
  return { value, vector: v };
}

export function fitPca2(data: ArrayLike<number>, n: number, d: number, iterations = 500): Pca2 {
  if (d < 2) throw new InvalidArgumentError(`PCA to 2-D needs codes of at least 2 dimensions, got ${d}`);
  const { mean, cov } = covariance(data, n, d);
  let total = 0;
  for (let a = 0; a < d; a++) total += cov[a * d + a];
  const first = topEigen(cov, d, iterations);
  const deflated = Float64Array.from(cov);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) deflated[a * d + b] -= first.value * first.vector[a] * first.vector[b];
  const second = topEigen(deflated, d, iterations);
  // Re-orthogonalise against v1 (power iteration on a nearly degenerate pair can drift).
  let dot = 0;
  for (let a = 0; a < d; a++) dot += second.vector[a] * first.vector[a];
  for (let a = 0; a < d; a++) second.vector[a] -= dot * first.vector[a];
  const n2 = Math.hypot(...second.vector) || 1;
  for (let a = 0; a < d; a++) second.vector[a] /= n2;
  return { mean, components: [first.vector, second.vector], variances: [first.value, second.value], totalVariance: total };
}

/** Projects row-major [m, d] data onto the two components: [m, 2]. */
export function project(p: Pca2, data: ArrayLike<number>, m: number): Float32Array {
  const d = p.mean.length;
  const out = new Float32Array(2 * m);
  for (let i = 0; i < m; i++) {
    let x = 0,
      y = 0;
    for (let j = 0; j < d; j++) {
      const c = data[i * d + j] - p.mean[j];
      x += c * p.components[0][j];
      y += c * p.components[1][j];
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}

/** Picks two latent dims instead of PCA: [m, 2]. */
export function selectDims(data: ArrayLike<number>, m: number, d: number, dims: [number, number]): Float32Array {
  if (dims.some((k) => !Number.isInteger(k) || k < 0 || k >= d))
    throw new InvalidArgumentError(`dims [${dims}] must be integers in [0, ${d}) for a ${d}-dimensional latent space`);
  const out = new Float32Array(2 * m);
  for (let i = 0; i < m; i++) {
    out[2 * i] = data[i * d + dims[0]];
    out[2 * i + 1] = data[i * d + dims[1]];
  }
  return out;
}
