/**
 * Total correlation TC(z) = KL(q(z) || prod_d q(z_d)) as a reported number, two honest ways:
 *
 * - The discriminator's estimate (FactorVAE's D, the paper's number): mean(logit_0 - logit_1)
 *   over samples z ~ q(z|x) of the evaluation images. Only a FactorVAE has a D.
 * - The Gaussian TC of the posterior means, -1/2 log det R with R the correlation matrix of
 *   E_q[z|x] over the evaluation images. For a Gaussian vector this is its exact TC (the
 *   entropies of the marginals minus the joint's: 1/2 sum log S_dd - 1/2 log det S); for any
 *   other distribution it measures linear dependence only, so it is a lower bound on how much
 *   the codes share in the Gaussian sense, not the TC of q(z). It is model-agnostic, so
 *   beta-VAE and FactorVAE are measured alike, and it does not depend on the posterior width.
 *
 * Not reported: the minibatch mixture estimate that puts each sample's own posterior in the
 * aggregate q(z) ~= 1/M sum_j q(z|x_j). With narrow posteriors in many dims that own term
 * dominates the joint density, so the estimate is biased HIGH and tracks posterior width, not
 * dependence (independent codes, true TC 0, D 10, M 500: 2.1 nats at posterior sd 0.5, 10.0
 * at 0.2, 16.6 at 0.1).
 */

/** Dims whose std is below this (relative to the largest) are left out of R: they carry nothing and make R singular. */
const REL_STD_FLOOR = 1e-6;

/**
 * -1/2 log det of the correlation matrix of codes (flat [n*D]), in nats, by Cholesky in
 * float64. 0 for independent dims (up to sampling noise of order D^2 / (4n)); for a 2-D
 * Gaussian with correlation rho it is -1/2 log(1 - rho^2). Constant dims are dropped.
 */
export function gaussianTc(codes: ArrayLike<number>, n: number): number {
  const D = codes.length / n;
  if (n < 2 || !Number.isInteger(D)) throw new Error(`gaussianTc: ${codes.length} values are not n = ${n} codes; pass the flat [n*D] array and n >= 2.`);
  const mean = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) mean[d] += codes[i * D + d] / n;
  const S = new Float64Array(D * D);
  const x = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) x[d] = codes[i * D + d] - mean[d];
    for (let a = 0; a < D; a++) for (let b = 0; b <= a; b++) S[a * D + b] += x[a] * x[b];
  }
  const sd = Array.from({ length: D }, (_, d) => Math.sqrt(S[d * D + d]));
  const top = Math.max(...sd);
  const keep = sd
    .map((s, d) => [s, d] as const)
    .filter(([s]) => s > REL_STD_FLOOR * top)
    .map(([, d]) => d);
  const m = keep.length;
  if (m < 2) return 0;
  // R = corr of the kept dims; log det R = 2 sum log L_ii for R = L L^T.
  const L = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) {
      const [i, j] = [keep[a], keep[b]];
      let s = S[i * D + j] / (sd[i] * sd[j]);
      for (let c = 0; c < b; c++) s -= L[a * m + c] * L[b * m + c];
      if (a === b) {
        // s <= 0: a dim is an exact linear function of others; TC is infinite, capped by the float floor.
        L[a * m + a] = Math.sqrt(Math.max(s, 1e-12));
      } else L[a * m + b] = s / L[b * m + b];
    }
  }
  let logDet = 0;
  for (let a = 0; a < m; a++) logDet += 2 * Math.log(L[a * m + a]);
  return -0.5 * logDet;
}
