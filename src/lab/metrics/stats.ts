/**
 * Statistics over seeds: mean ± standard error of a row, paired differences (same seed, same
 * evaluation images), and the verdict rule that turns an effect and its error into a word.
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
 * differences. Pairing removes what the two share (the seed's data order, the evaluation
 * images), so its se is usually far smaller than that of two independent means.
 */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; se: number; n: number } {
  if (a.length !== b.length) throw new RangeError(`pairedDifference: ${a.length} vs ${b.length} values; pair the same seeds`);
  return meanAndSe(Array.from({ length: a.length }, (_, i) => b[i] - a[i]));
}

export type Verdict = 'reproduced' | 'not reproduced' | 'inconclusive';

/**
 * The verdict rule. `expected` is the sign of the effect the paper reports (-1: the claim
 * says the quantity falls, +1: rises). With z = effect / se:
 * - reproduced: the effect has the paper's sign and |z| > 2;
 * - not reproduced: the opposite sign and |z| > 2 (the data contradict the claim);
 * - inconclusive: |z| <= 2, or no se (one seed) — noise could explain the effect either way.
 * Two standard errors is roughly a 95% interval for a mean over a few seeds; with 3 seeds the
 * t-distribution would ask for 4.3 se, so "reproduced" at 2 se is a lenient reading and the
 * notebook shows the se beside every verdict.
 */
export function verdict(effect: number, se: number, expected: 1 | -1, threshold = 2): { verdict: Verdict; why: string } {
  if (!Number.isFinite(se) || !Number.isFinite(effect)) return { verdict: 'inconclusive', why: 'no standard error (fewer than 2 seeds)' };
  if (se === 0) {
    if (effect === 0) return { verdict: 'inconclusive', why: 'no difference at all' };
    return Math.sign(effect) === expected
      ? { verdict: 'reproduced', why: 'same sign, no spread over seeds' }
      : { verdict: 'not reproduced', why: 'opposite sign, no spread over seeds' };
  }
  const z = effect / se;
  if (Math.abs(z) <= threshold) return { verdict: 'inconclusive', why: `|effect| = ${Math.abs(z).toFixed(1)} se <= ${threshold} se` };
  return Math.sign(z) === expected
    ? { verdict: 'reproduced', why: `paper's sign, ${Math.abs(z).toFixed(1)} se from 0` }
    : { verdict: 'not reproduced', why: `opposite sign to the paper, ${Math.abs(z).toFixed(1)} se from 0` };
}

/** A value of one model (row) at one seed: what a paired claim compares. */
export interface SeedRow {
  row: string;
  seed: number;
}

/** A claim: `metric` of row `b` minus that of row `a` has sign `expected` (the paper's figure for it: `paper`). */
export interface PairedClaim<K extends string = string> {
  claim: string;
  a: string;
  b: string;
  metric: K;
  expected: 1 | -1;
  /** The paper's figure for the same difference, as text. */
  paper: string;
}

/** One line of a verdict table. */
export interface VerdictRow {
  claim: string;
  paper: string;
  effect: number;
  se: number;
  /** Seeds paired. */
  n: number;
  verdict: Verdict;
  why: string;
}

/**
 * Test each claim on values over seeds: pair the seeds both rows have (a value of undefined
 * counts as missing), take b - a per seed, mean ± se, and the verdict rule. A pure function.
 */
export function pairedVerdicts<K extends string>(scores: readonly (SeedRow & Partial<Record<K, number>>)[], claims: readonly PairedClaim<K>[]): VerdictRow[] {
  return claims.map((c) => {
    const of = (row: string) => new Map(scores.filter((s) => s.row === row && s[c.metric] !== undefined).map((s) => [s.seed, s[c.metric] as number]));
    const A = of(c.a),
      B = of(c.b);
    const seeds = [...A.keys()].filter((s) => B.has(s)).sort((x, y) => x - y);
    if (!seeds.length)
      return { claim: c.claim, paper: c.paper, effect: NaN, se: NaN, n: 0, verdict: 'inconclusive' as Verdict, why: `no seed has both ${c.a} and ${c.b}` };
    const d = pairedDifference(
      seeds.map((s) => A.get(s)!),
      seeds.map((s) => B.get(s)!),
    );
    return { claim: c.claim, paper: c.paper, effect: d.mean, se: d.se, n: d.n, ...verdict(d.mean, d.se, c.expected) };
  });
}
