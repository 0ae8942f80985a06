/**
 * Statistics over seeds and the one verdict rule of all three reproductions (issue 27;
 * METHODS.md, "Verdicts").
 *
 * The estimate. A claim compares row b with row a on one metric, paired by seed: d_i = b_i - a_i
 * for every seed i both rows have (pairing removes what the two share: the seed's data order,
 * the initial weights' draw, the evaluation images). Each value was measured on a finite
 * evaluation sample (500 test images, 800 held-out votes, 1000 generated samples), so each d_i
 * carries an evaluation variance v_i (the variance of the per-item scores / the number of
 * items; for an accuracy p over m items, p (1 - p) / m; for a difference, v_a + v_b). The se is
 * a hierarchical (two-level) estimate, not a bootstrap:
 *   Var(d_i) = tau^2 + v_i, tau^2 the between-seed variance of the effect.
 * - Evaluation sample drawn afresh per seed (`evalShared` false): the sample variance s^2 of the
 *   d_i already holds v, but with few seeds it can come out below it by chance, so
 *   se^2 = max(s^2, mean v) / n (tau^2 estimated as max(0, s^2 - mean v)).
 * - The same evaluation sample for every seed (`evalShared` true, e.g. CR-VAE's 500 seeded test
 *   images): its error is common to all seeds, does not average out over them and does not show
 *   in s^2, so se^2 = s^2 / n + mean v (conservative: any part of v that does vary by seed is
 *   counted twice). Where both rows hold the per-item scores of the shared items, v is the
 *   paired per-item variance Var_i(b_i - a_i) / m (pairEvalVar).
 * Without evaluation variances (v unknown) the se is s / sqrt(n), and the row says so.
 * Degrees of freedom: df = n - 1 (the between-seed term's; conservative when v dominates).
 *
 * The rule. With the two-sided 95% Student t interval effect ± t_{0.975, df} se, and signs
 * taken in the claim's direction (e' = expected * effect, the interval [lo, hi] likewise), and
 * m >= 0 the smallest effect worth counting, declared with the claim before any data (default 0):
 * - untestable: the claim's precondition (its regime, measured) fails; nothing else is read;
 * - inconclusive: n < 3 seeds, or no se, or the interval contains 0;
 * - reproduced: lo > 0 (the claim's sign, beyond the interval) and hi >= m (an effect worth
 *   counting is inside it);
 * - not reproduced: hi < 0 (the opposite sign, beyond the interval), or 0 < lo <= hi < m (a real
 *   effect, but the whole interval is below the smallest one worth counting).
 * A firm verdict therefore always has |effect| / se > t_crit(df) and n >= 3: what
 * /work/shared/hooks/before-stop checks in notebooks/verdicts/*.json.
 */

/** Mean and standard error of the mean (sample sd / sqrt n; NaN se for n < 2). */
export function meanAndSe(v: ArrayLike<number>): { mean: number; se: number; n: number } {
  const n = v.length;
  if (n === 0) return { mean: NaN, se: NaN, n };
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i];
  const mean = s / n;
  if (n < 2) return { mean, se: NaN, n };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i] - mean) ** 2;
  return { mean, se: Math.sqrt(ss / (n - 1) / n), n };
}

/**
 * The paired difference b - a over matched entries (same seed): mean ± se of the per-pair
 * differences (between-seed only; `estimate` adds the evaluation sample).
 */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; se: number; n: number } {
  if (a.length !== b.length) throw new RangeError(`pairedDifference: ${a.length} vs ${b.length} values; pair the same seeds`);
  return meanAndSe(Array.from({ length: a.length }, (_, i) => b[i] - a[i]));
}

// ---- Student t ---------------------------------------------------------------------------

/** log Gamma(x), x > 0 (Lanczos, g = 7, 9 terms: ~1e-15 relative). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the regularized incomplete beta (modified Lentz), for x < (a + 1) / (a + b + 2). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1,
    d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 500; m++) {
    for (const num of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** P(T <= t) for Student's t with `df` > 0 degrees of freedom (any real df): 1 - I_{df/(df+t^2)}(df/2, 1/2) / 2 for t >= 0. */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`tCdf: df must be > 0, got ${df}`);
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with `df` degrees of freedom, by bisection on tCdf (to 1e-12). df = Infinity: the normal's. */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile: p must be in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  const cdf = df === Infinity ? (t: number) => 0.5 * (1 + erf(t / Math.SQRT2)) : (t: number) => tCdf(t, df);
  let lo = 0,
    hi = 1;
  while (cdf(hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)), the Maclaurin series (ample for the |x| <= 6 a quantile search visits). */
function erf(x: number): number {
  if (Math.abs(x) > 6) return Math.sign(x);
  let sum = 0,
    term = x;
  for (let n = 0; n < 200; n++) {
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** The two-sided critical value of a `level` t interval: t_{(1 + level)/2, df}. 12.706 at df 1, 4.303 at 2, 2.571 at 5, 1.960 as df grows. */
export function tCritical(df: number, level = 0.95): number {
  return tQuantile((1 + level) / 2, df);
}

// ---- The estimate and the rule -------------------------------------------------------------

/** An effect with its standard error and where it came from. */
export interface Estimate {
  effect: number;
  se: number;
  /** Seeds paired. */
  n: number;
  /** Degrees of freedom of the t interval: n - 1. */
  df: number;
  /** The between-seed part of the se (s / sqrt n) and the evaluation sample's part of the variance, as se terms. */
  seSeeds: number;
  seEval: number;
  /** Whether evaluation variances were given (else the se is between-seed only). */
  evalIncluded: boolean;
}

/**
 * The hierarchical estimate of the mean of per-seed effects `d` with per-seed evaluation
 * variances `evalVar` (module comment): se^2 = max(s^2, mean v) / n for evaluation samples drawn
 * per seed, s^2 / n + mean v for one sample shared by every seed.
 */
export function estimate(d: readonly number[], evalVar?: readonly number[], o: { evalShared?: boolean } = {}): Estimate {
  const n = d.length;
  if (evalVar && evalVar.length !== n) throw new RangeError(`estimate: ${n} effects but ${evalVar.length} evaluation variances; give one per seed`);
  const { mean, se: seSeeds } = meanAndSe(d);
  const evalIncluded = !!evalVar && evalVar.every(Number.isFinite);
  const v = evalIncluded ? evalVar!.reduce((s, x) => s + x, 0) / n : 0;
  let se = seSeeds;
  if (evalIncluded && n >= 2) se = o.evalShared ? Math.sqrt(seSeeds ** 2 + v) : Math.sqrt(Math.max(seSeeds ** 2 * n, v) / n);
  else if (evalIncluded && n === 1 && o.evalShared) se = NaN; // one seed: no between-seed term, no interval
  return { effect: mean, se, n, df: Math.max(0, n - 1), seSeeds, seEval: Math.sqrt(o.evalShared ? v : v / Math.max(1, n)), evalIncluded };
}

export type Verdict = 'reproduced' | 'not reproduced' | 'inconclusive' | 'untestable';

/** A claim's regime, measured: what is required, the measured value, and whether it holds. */
export interface Precondition {
  what: string;
  value: number | string;
  holds: boolean;
}

/** Seeds a firm verdict needs at least. */
export const MIN_SEEDS = 3;

const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2));

/**
 * The verdict rule (module comment). `expected`: the sign the claim gives the effect (-1 falls,
 * +1 rises); `minEffect`: the smallest effect worth counting, a magnitude in that direction.
 */
export function verdict(
  e: Pick<Estimate, 'effect' | 'se' | 'n' | 'df'>,
  expected: 1 | -1,
  o: { minEffect?: number; precondition?: Precondition; level?: number } = {},
): { verdict: Verdict; why: string; interval?: [number, number] } {
  const m = o.minEffect ?? 0;
  if (o.precondition && !o.precondition.holds)
    return { verdict: 'untestable', why: `untestable at this preset: ${o.precondition.what} fails (measured ${o.precondition.value})` };
  if (!Number.isFinite(e.effect) || !Number.isFinite(e.se) || e.n < 2)
    return { verdict: 'inconclusive', why: `${e.n} seed${e.n === 1 ? '' : 's'}: no standard error, no interval` };
  const t = tCritical(e.df, o.level ?? 0.95);
  const interval: [number, number] = [e.effect - t * e.se, e.effect + t * e.se];
  const [lo, hi] = expected > 0 ? interval : [-interval[1], -interval[0]];
  const iv = `95% t interval ${num(interval[0])} to ${num(interval[1])} (t ${t.toFixed(2)}, df ${e.df})`;
  if (e.n < MIN_SEEDS) return { verdict: 'inconclusive', why: `${e.n} seeds (a firm verdict needs ${MIN_SEEDS}); ${iv}`, interval };
  if (lo <= 0 && hi >= 0)
    return { verdict: 'inconclusive', why: `${iv} contains 0${hi < m ? ` (though it lies below the smallest effect counted, ${m})` : ''}`, interval };
  if (hi < 0) return { verdict: 'not reproduced', why: `opposite sign to the claim: ${iv} excludes 0`, interval };
  if (hi < m) return { verdict: 'not reproduced', why: `the claim's sign, but ${iv} lies below the smallest effect counted (${m})`, interval };
  return { verdict: 'reproduced', why: `the claim's sign: ${iv} excludes 0`, interval };
}

/** A value of one model (row) at one seed: what a paired claim compares. */
export interface SeedRow {
  row: string;
  seed: number;
  /** The evaluation sample's variance of each metric's value (per-item variance / items; p (1 - p) / m for an accuracy). */
  evalVar?: Partial<Record<string, number>>;
  /**
   * Per-item scores of a metric on evaluation items shared by the rows (the same test images):
   * a pair whose rows both have them gets v = Var_i(b_i - a_i) / m, the paired per-item variance
   * (far below v_a + v_b when the two models find the same images hard).
   */
  items?: Partial<Record<string, ArrayLike<number>>>;
}

/** The evaluation variance of b - a at one seed: paired per-item when both rows hold the items, else v_a + v_b (a row's v from its items when it has no evalVar). */
export function pairEvalVar(a: SeedRow, b: SeedRow, metric: string): number {
  const ia = a.items?.[metric],
    ib = b.items?.[metric];
  if (ia && ib && ia.length === ib.length && ia.length > 1) {
    const { se } = pairedDifference(ia, ib);
    return se * se;
  }
  const rowVar = (r: SeedRow, items?: ArrayLike<number>) => r.evalVar?.[metric] ?? (items && items.length > 1 ? meanAndSe(items).se ** 2 : NaN);
  return rowVar(a, ia) + rowVar(b, ib);
}

/**
 * A claim, declared before the data: `metric` of row `b` minus that of row `a` has sign
 * `expected`; the smallest effect worth counting (`minEffect`, default 0) and whether the
 * evaluation sample is shared by every seed are part of the declaration.
 */
export interface PairedClaim<K extends string = string> {
  claim: string;
  a: string;
  b: string;
  metric: K;
  expected: 1 | -1;
  /** The paper's figure for the same difference, as text. */
  paper: string;
  /** Smallest effect worth counting, a magnitude in the claim's direction (metric units). Default 0. */
  minEffect?: number;
  /** The same evaluation items for every seed (module comment). Default false. */
  evalShared?: boolean;
}

/** One line of a verdict table, and one entry of notebooks/verdicts/<notebook>.json. */
export interface VerdictRow {
  claim: string;
  paper: string;
  effect: number;
  se: number;
  /** Seeds paired. */
  n: number;
  df: number;
  precondition?: Precondition;
  verdict: Verdict;
  why: string;
  /** The 95% t interval of the effect. */
  interval?: [number, number];
  /** Whether the se includes the evaluation sample. */
  evalIncluded?: boolean;
}

/** A claim's effect estimate and verdict, as a row. */
export function verdictRow(c: Pick<PairedClaim, 'claim' | 'paper' | 'expected' | 'minEffect'>, e: Estimate, precondition?: Precondition): VerdictRow {
  const v = verdict(e, c.expected, { minEffect: c.minEffect, precondition });
  const why = e.n >= 2 && !e.evalIncluded && v.verdict !== 'untestable' ? `${v.why}; se between seeds only (no evaluation variance given)` : v.why;
  return {
    claim: c.claim,
    paper: c.paper,
    effect: e.effect,
    se: e.se,
    n: e.n,
    df: e.df,
    ...(precondition ? { precondition } : {}),
    ...v,
    why,
    evalIncluded: e.evalIncluded,
  };
}

/**
 * Test each claim on values over seeds: pair the seeds both rows have (a value of undefined
 * counts as missing), take b - a per seed with v_a + v_b as its evaluation variance, the
 * hierarchical estimate and the rule. `preconditions(claim)` gives a claim's measured regime
 * (undefined: none). A pure function.
 */
export function pairedVerdicts<K extends string>(
  scores: readonly (SeedRow & Partial<Record<K, number>>)[],
  claims: readonly PairedClaim<K>[],
  preconditions: (c: PairedClaim<K>) => Precondition | undefined = () => undefined,
): VerdictRow[] {
  return claims.map((c) => {
    const of = (row: string) => new Map(scores.filter((s) => s.row === row && s[c.metric] !== undefined).map((s) => [s.seed, s]));
    const A = of(c.a),
      B = of(c.b);
    const seeds = [...A.keys()].filter((s) => B.has(s)).sort((x, y) => x - y);
    const d = seeds.map((s) => (B.get(s)![c.metric] as number) - (A.get(s)![c.metric] as number));
    const evalVar = seeds.map((s) => pairEvalVar(A.get(s)!, B.get(s)!, c.metric));
    const e = estimate(d, evalVar, { evalShared: c.evalShared });
    const pre = preconditions(c);
    if (seeds.length) return verdictRow(c, e, pre);
    // Nothing to compare yet (a row not run, or not done in a sweep that spans sittings): that is
    // no evidence either way, not a regime that failed; the precondition is shown as measured so far.
    return { ...verdictRow(c, e), ...(pre ? { precondition: pre } : {}), verdict: 'inconclusive', why: `no seed has both ${c.a} and ${c.b} yet` };
  });
}
