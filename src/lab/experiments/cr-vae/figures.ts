/** CR-VAE, figures: the results table beside the paper's rows. */
import type { EvalResult } from '../../metrics/evaluate';
import { PAPER_MNIST } from './score';

/**
 * A Markdown table of results beside the paper's MNIST rows (Table 1 / Table 4; NLL in nats).
 * The paper columns are always MNIST's: on another data set they are a reference, not a target.
 */
export function resultsMarkdown(runs: { label: string; test: EvalResult; tTest: EvalResult }[]): string {
  const f = (v: number | undefined, digits = 1) => (v === undefined ? '–' : v.toFixed(digits));
  const rows = runs.map((r) => {
    const p = PAPER_MNIST.find((q) => q.label === r.label);
    return `| ${r.label} | ${f(r.test.nll)} | ${f(r.tTest.nll)} | ${f(r.test.mi, 2)} | ${f(r.tTest.mi, 2)} | ${r.test.au} | ${f(p?.nllTest)} | ${f(p?.nllTTest)} | ${p?.au ?? '–'} |`;
  });
  return ['| model | NLL test | NLL t-Test | MI test | MI t-Test | AU | paper (MNIST) NLL test | paper NLL t-Test | paper AU |', '|---|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}
