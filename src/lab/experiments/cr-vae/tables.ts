/**
 * CR-VAE, the paper's tables as data: the rows of Table 1, Table 4 and the eta sweep, the
 * claims each table makes, and the verdict table that tests them on results over seeds.
 * Every effect is a paired difference (same seed, same evaluation images) with the lab's
 * hierarchical se and rule (metrics/stats.ts): the NLLs' evaluation variance is the paired
 * per-image one (the same 500 test images for every model and seed, so `evalShared`); AU and
 * the arrow ratio carry between-seed variance only. Smallest effects worth counting, fixed here
 * before any run: 1 nat for an NLL, 1 unit for AU, 0.02 for the arrow ratio.
 *
 * Preconditions (each claim's regime, measured on the base row a, mean over its seeds):
 * - test NLL falls (a claim about generalization): the base overfits, NLL_test - NLL_train >=
 *   OVERFIT_GAP = 2 nats (fixed before the overfit runs: METHODS measured -0.6 nats at the
 *   full-data laptop setting and a 2,000-image, 60-epoch run that moved test NLL by ~3 nats);
 * - t-Test NLL falls: the warp hurts the base, NLL_tTest - NLL_test >= OVERFIT_GAP;
 * - more active units: the base leaves room, AU <= latent size - 1 (not at the ceiling);
 * - shorter arrows (Figure 1, the eta sweep): the base's arrows leave room to shorten, its arrow
 *   ratio above the smallest effect counted (0.02): the ratio is >= 0, so a base already below
 *   it sits at the floor, as an AU of 50 of 50 sits at the ceiling.
 */
import type { EvalResult } from '../../metrics/evaluate';
import { meanAndSe, pairedVerdicts, type PairedClaim, type Precondition, type VerdictRow } from '../../metrics/stats';
import { label, type CrModelSpec } from './build';
import { PAPER_MNIST } from './score';
import { formatMeanSe as fmt, verdictMarkdown as verdictTable } from '../../viz/markdown';

export { type VerdictRow };

/** Table 1: four base models, each alone and CR-wrapped (eta = 0.1, 0.1 * beta for beta-VAE). */
export const TABLE1: CrModelSpec[] = [
  { model: 'vae', variant: 'none' },
  { model: 'vae', variant: 'cr' },
  { model: 'iwae', variant: 'none' },
  { model: 'iwae', variant: 'cr' },
  { model: 'beta-vae', beta: 0.5, variant: 'none' },
  { model: 'beta-vae', beta: 0.5, variant: 'cr' },
  { model: 'beta-vae', beta: 10, variant: 'none' },
  { model: 'beta-vae', beta: 10, variant: 'cr' },
];

/** Table 4: the ablation "VAE + Aug" (both bounds, no consistency KL: eta = 0). */
export const TABLE4: CrModelSpec[] = [{ model: 'vae', variant: 'aug' }];

/** The eta sweep of the consistency weight on CR-VAE: 0.1 (Table 1's CR-VAE, the same runs), 1, 10. */
export const ETA_SWEEP: CrModelSpec[] = [
  { model: 'vae', variant: 'cr' },
  { model: 'vae', variant: 'cr', eta: 1 },
  { model: 'vae', variant: 'cr', eta: 10 },
];

/** Figure 1's panels. */
export const FIGURE1 = ['VAE', 'VAE + Aug', 'CR-VAE'];

/** A row's name in the tables: the paper's label, plus eta when it is not the default. */
export function rowLabel(spec: CrModelSpec): string {
  const l = label(spec);
  return spec.variant === 'cr' && spec.eta !== undefined && spec.eta !== (spec.model === 'beta-vae' ? 0.1 * (spec.beta ?? 1) : 0.1)
    ? `${l} (eta ${spec.eta})`
    : l;
}

/** The scores of one trained model (one row, one seed), as the tables use them. */
export interface SeedScore {
  row: string;
  seed: number;
  nllTest: number;
  nllTTest: number;
  auTest: number;
  miTest: number;
  miTTest: number;
  /** log M of the MI estimates, and whether either MI is at that bound. */
  logM: number;
  miAtBound: boolean;
  /** Mean arrow length / mean class-centre distance (viz/arrowStats), when measured. */
  arrowRatio?: number;
  /** NLL of the training images (`trainEval`), when scored: the overfitting precondition. */
  nllTrain?: number;
  /** Latent size (AU's ceiling). */
  latentDim?: number;
  /** Per-image NLLs of the shared evaluation images (metrics/stats.ts pairEvalVar). */
  items?: { nllTest?: number[]; nllTTest?: number[] };
}

/** A scored model as a row of the tables: the one conversion every table of this experiment uses. */
export function scoreOf(
  row: string,
  seed: number,
  test: EvalResult,
  tTest: EvalResult,
  arrowRatio?: number,
  train?: EvalResult,
  latentDim?: number,
): SeedScore {
  return {
    ...(train ? { nllTrain: train.nll } : {}),
    ...(latentDim ? { latentDim } : {}),
    ...(test.nllPerExample && tTest.nllPerExample ? { items: { nllTest: test.nllPerExample, nllTTest: tTest.nllPerExample } } : {}),
    row,
    seed,
    nllTest: test.nll,
    nllTTest: tTest.nll,
    auTest: test.au,
    miTest: test.mi,
    miTTest: tTest.mi,
    logM: test.logM,
    miAtBound: test.miAtBound || tTest.miAtBound,
    arrowRatio,
  };
}

export type Metric = 'nllTest' | 'nllTTest' | 'auTest' | 'miTest' | 'miTTest' | 'arrowRatio';

/** One Markdown row per table row: mean ± se over its seeds, log M beside the MI, the paper's numbers. */
export function summaryMarkdown(scores: SeedScore[], rows: string[]): string {
  const lines = rows.map((row) => {
    const s = scores.filter((r) => r.row === row);
    if (!s.length) return `| ${row} | 0 | – | – | – | – | – | – |`;
    const m = (k: Metric) => meanAndSe(s.map((r) => r[k] as number));
    const bound = s.some((r) => r.miAtBound) ? ' (at the bound)' : '';
    const p = PAPER_MNIST.find((q) => q.label === row);
    return `| ${row} | ${s.length} | ${fmt(m('nllTest'))} | ${fmt(m('nllTTest'))} | ${fmt(m('auTest'))} | ${fmt(m('miTest'), 2)} / ${fmt(m('miTTest'), 2)}${bound} | ${s[0].logM.toFixed(2)} | ${p ? `${p.nllTest} / ${p.nllTTest} / ${p.au}` : '–'} |`;
  });
  return [
    '| model | seeds | NLL test | NLL t-Test | AU | MI test / t-Test | log M | paper (MNIST) NLL test / t-Test / AU |',
    '|---|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}

/** A claim: `metric` of row `b` minus that of row `a` has sign `expected` (paper: `paper`). */
export type Claim = PairedClaim<Metric>;

/** The base model's train - test gap a test-NLL claim needs (and the warp's cost a t-Test claim needs), nats. */
export const OVERFIT_GAP = 2;

/** The smallest effect worth counting per metric (module comment). */
const MIN_EFFECT: Record<Metric, number> = { nllTest: 1, nllTTest: 1, auTest: 1, miTest: 0.1, miTTest: 0.1, arrowRatio: 0.02 };

/**
 * A claim's precondition measured on `scores` (module comment), or undefined for a claim with
 * none. Mean over the base row's seeds; a base row without the needed scores fails, saying so.
 */
export function precondition(scores: SeedScore[], c: Claim): Precondition | undefined {
  const base = scores.filter((s) => s.row === c.a);
  const mean = (f: (s: SeedScore) => number | undefined) => {
    const v = base.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
  };
  const nats = (x: number | undefined) => (x === undefined ? 'not measured' : `${x.toFixed(2)} nats`);
  if (c.metric === 'nllTest') {
    const gap = mean((s) => (s.nllTrain === undefined ? undefined : s.nllTest - s.nllTrain));
    return { what: `${c.a} overfits: NLL test − train >= ${OVERFIT_GAP} nats`, value: nats(gap), holds: gap !== undefined && gap >= OVERFIT_GAP };
  }
  if (c.metric === 'nllTTest') {
    const gap = mean((s) => s.nllTTest - s.nllTest);
    return { what: `the warp hurts ${c.a}: NLL t-Test − test >= ${OVERFIT_GAP} nats`, value: nats(gap), holds: gap !== undefined && gap >= OVERFIT_GAP };
  }
  if (c.metric === 'auTest') {
    const au = mean((s) => s.auTest),
      dim = mean((s) => s.latentDim);
    return {
      what: `${c.a}'s AU below the latent size`,
      value: au === undefined ? 'not measured' : `${au.toFixed(1)} of ${dim ?? '?'}`,
      holds: au !== undefined && dim !== undefined && au <= dim - 1,
    };
  }
  if (c.metric === 'arrowRatio') {
    const r = mean((s) => s.arrowRatio),
      floor = MIN_EFFECT.arrowRatio;
    return {
      what: `${c.a}'s arrows leave room to shorten: arrow ratio > ${floor}`,
      value: r === undefined ? 'not measured' : r.toFixed(3),
      holds: r !== undefined && r > floor,
    };
  }
  return undefined;
}

/**
 * Test each claim on scores over seeds: pair the seeds both rows have, take b - a per seed, the
 * hierarchical se and the rule (metrics/stats.ts pairedVerdicts), each claim's precondition
 * first. A pure function of its input.
 */
export function verdicts(scores: SeedScore[], claims: Claim[]): VerdictRow[] {
  return pairedVerdicts(
    scores,
    claims.map((c) => ({ minEffect: MIN_EFFECT[c.metric], evalShared: c.metric === 'nllTest' || c.metric === 'nllTTest', ...c })),
    (c) => precondition(scores, c),
  );
}

/** What a verdict table at the quick preset says above itself: its numbers test nothing. */
const QUICK_CLAIMS_NOTHING =
  '**Preset quick claims nothing**: it is a smoke test for CI (a small subset, a few epochs), so these verdicts only show that the code runs. ' +
  'Only the laptop preset (and paper, on a GPU) tests the claims.';

/**
 * The verdict table in Markdown: claim | the paper's figure | ours (effect ± se) | verdict | why.
 * With `preset` 'quick', QUICK_CLAIMS_NOTHING comes first.
 */
export function verdictMarkdown(rows: VerdictRow[], o: { preset?: string } = {}): string {
  return (o.preset === 'quick' ? `${QUICK_CLAIMS_NOTHING}\n\n` : '') + verdictTable(rows);
}

const paperDiff = (a: string, b: string, k: 'nllTest' | 'nllTTest' | 'au') => {
  const pa = PAPER_MNIST.find((r) => r.label === a)!,
    pb = PAPER_MNIST.find((r) => r.label === b)!;
  return `${pb[k] - pa[k] >= 0 ? '+' : ''}${(pb[k] - pa[k]).toFixed(1)} (${pb[k]} vs ${pa[k]})`;
};

/** Table 1's claims, for each base and its CR version: t-Test NLL falls, test NLL falls, AU rises. */
export function table1Claims(): Claim[] {
  const pairs = [
    ['VAE', 'CR-VAE'],
    ['IWAE', 'CR-IWAE'],
    ['beta-VAE (0.5)', 'beta-CR-VAE (0.5)'],
    ['beta-VAE (10)', 'beta-CR-VAE (10)'],
  ];
  return pairs.flatMap(([a, b]) => [
    { claim: `${b} − ${a}: t-Test NLL falls`, a, b, metric: 'nllTTest' as Metric, expected: -1 as const, paper: paperDiff(a, b, 'nllTTest') },
    { claim: `${b} − ${a}: test NLL falls`, a, b, metric: 'nllTest' as Metric, expected: -1 as const, paper: paperDiff(a, b, 'nllTest') },
    { claim: `${b} − ${a}: more active units`, a, b, metric: 'auTest' as Metric, expected: 1 as const, paper: paperDiff(a, b, 'au') },
  ]);
}

/** Table 4's claims: CR-VAE beats VAE + Aug on both NLLs and keeps more active units. */
export function table4Claims(): Claim[] {
  const a = 'VAE + Aug',
    b = 'CR-VAE';
  return [
    { claim: 'CR-VAE − VAE + Aug: t-Test NLL falls', a, b, metric: 'nllTTest', expected: -1, paper: paperDiff(a, b, 'nllTTest') },
    { claim: 'CR-VAE − VAE + Aug: test NLL falls', a, b, metric: 'nllTest', expected: -1, paper: paperDiff(a, b, 'nllTest') },
    { claim: 'CR-VAE − VAE + Aug: more active units', a, b, metric: 'auTest', expected: 1, paper: paperDiff(a, b, 'au') },
  ];
}

/** Figure 1's claims (arrow ratio, lower = the code moves less under a transform), and the eta sweep's. */
export function arrowClaims(): Claim[] {
  const etaTop = rowLabel(ETA_SWEEP[2]);
  return [
    { claim: 'CR-VAE − VAE: shorter arrows', a: 'VAE', b: 'CR-VAE', metric: 'arrowRatio', expected: -1, paper: 'shorter (Figure 1, no number)' },
    { claim: 'CR-VAE − VAE + Aug: shorter arrows', a: 'VAE + Aug', b: 'CR-VAE', metric: 'arrowRatio', expected: -1, paper: 'shorter (Figure 1, no number)' },
    {
      claim: `${etaTop} − CR-VAE (eta 0.1): a larger eta shortens the arrows`,
      a: 'CR-VAE',
      b: etaTop,
      metric: 'arrowRatio',
      expected: -1,
      paper: 'not in the paper (what the consistency term is for)',
    },
  ];
}

/** The claims of Tables 1 and 4 whose two rows are both among `rows` (e.g. a Train CR-VAE run with its baseline). */
export function applicableClaims(rows: string[]): Claim[] {
  return [...table1Claims(), ...table4Claims()].filter((c) => rows.includes(c.a) && rows.includes(c.b));
}

/** The rows trained again in the preset's overfitting setting (presets.ts `overfit`): the base, CR and the ablation. */
export const OVERFIT_ROWS: CrModelSpec[] = [
  { model: 'vae', variant: 'none' },
  { model: 'vae', variant: 'cr' },
  { model: 'vae', variant: 'aug' },
];

/**
 * The claims tested in the overfitting setting: Table 1's three for CR-VAE vs VAE and Table 4's
 * three, on the rows labelled with `suffix` (sweep.ts overfitLabel).
 */
export function overfitClaims(suffix: string): Claim[] {
  return [...table1Claims().filter((c) => c.a === 'VAE'), ...table4Claims()].map((c) => ({
    ...c,
    claim: `${c.claim}${suffix}`,
    a: c.a + suffix,
    b: c.b + suffix,
  }));
}
