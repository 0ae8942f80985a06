/**
 * The number printed under each consistency-arrow panel: how far a transform moves a code,
 * relative to how far apart the classes are. Computed in the full latent space on posterior
 * means, so it does not depend on the 2-D view, and it is scale-free, so a model with a
 * larger latent spread is not penalised: ratio = mean_i |z(x~_i) - z(x_i)| / mean_{a<b} |c_a - c_b|,
 * with c_k the mean of z(x) over class k. Pure function on row-major [n, d] arrays.
 */

export interface ArrowStats {
  meanArrow: number;
  /** NaN with fewer than two classes. */
  meanCentreDistance: number;
  ratio: number;
}

export function arrowStats(zx: ArrayLike<number>, zt: ArrayLike<number>, labels: ArrayLike<number>, n: number, d: number): ArrowStats {
  let arrows = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = zt[i * d + j] - zx[i * d + j];
      s += v * v;
    }
    arrows += Math.sqrt(s);
  }
  const meanArrow = arrows / n;
  const sums = new Map<number, { count: number; sum: Float64Array }>();
  for (let i = 0; i < n; i++) {
    const k = labels[i];
    let e = sums.get(k);
    if (!e) sums.set(k, (e = { count: 0, sum: new Float64Array(d) }));
    e.count++;
    for (let j = 0; j < d; j++) e.sum[j] += zx[i * d + j];
  }
  const centres = [...sums.values()].map((e) => e.sum.map((v) => v / e.count));
  let total = 0,
    pairs = 0;
  for (let a = 0; a < centres.length; a++) {
    for (let b = a + 1; b < centres.length; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = centres[a][j] - centres[b][j];
        s += v * v;
      }
      total += Math.sqrt(s);
      pairs++;
    }
  }
  const meanCentreDistance = pairs ? total / pairs : NaN;
  return { meanArrow, meanCentreDistance, ratio: meanArrow / meanCentreDistance };
}
