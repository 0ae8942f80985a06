/**
 * CR-VAE, the paper's tables as data: the rows of Table 1, Table 4 and the eta sweep, the
 * claims each table makes, and the verdict table that tests them on results over seeds.
 * Every effect is a paired difference (same seed, same evaluation images) with its standard
 * error; the verdict rule is metrics/stats.ts `verdict` (reproduced: the paper's sign and
 * |effect| > 2 se; not reproduced: the opposite sign beyond 2 se; else inconclusive).
 */
import type { EvalResult } from '../../metrics/evaluate';
import { meanAndSe, pairedVerdicts, type PairedClaim, type VerdictRow } from '../../metrics/stats';
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
}

/** A scored model as a row of the tables: the one conversion every table of this experiment uses. */
export function scoreOf(row: string, seed: number, test: EvalResult, tTest: EvalResult, arrowRatio?: number): SeedScore {
  return {
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

/**
 * Test each claim on scores over seeds: pair the seeds both rows have, take b - a per seed,
 * mean ± se, and the verdict rule (metrics/stats.ts pairedVerdicts). A pure function of its input.
 */
export function verdicts(scores: SeedScore[], claims: Claim[]): VerdictRow[] {
  return pairedVerdicts(scores, claims);
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
