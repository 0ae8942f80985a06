/**
 * A GitHub-flavoured markdown table. A `|` inside a cell would end the cell, and a newline the
 * row, so both are escaped: a verdict's reason may well say "|effect| > t se".
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** "mean ± se" with `digits` decimals ("mean" alone when the se is not finite, e.g. one seed). */
export function formatMeanSe(m: { mean: number; se: number }, digits = 1): string {
  return `${m.mean.toFixed(digits)}${Number.isFinite(m.se) ? ` ± ${m.se.toFixed(digits)}` : ''}`;
}

/**
 * The verdict table in Markdown: claim | the paper's figure | ours (effect ± se, seeds, df) |
 * precondition (what, measured, holds) | verdict | why. An untestable claim reads
 * "untestable at this preset".
 */
export function verdictMarkdown(
  rows: readonly {
    claim: string;
    paper: string;
    effect: number;
    se: number;
    n: number;
    df?: number;
    precondition?: { what: string; value: number | string; holds: boolean };
    verdict: string;
    why: string;
  }[],
  digits = 2,
): string {
  const pre = (p?: { what: string; value: number | string; holds: boolean }) =>
    p ? `${p.what}: ${typeof p.value === 'number' ? Number(p.value.toFixed(3)) : p.value} (${p.holds ? 'holds' : 'fails'})` : '–';
  return markdownTable(
    ['claim', 'paper', 'ours (effect ± se)', 'precondition', 'verdict', 'why'],
    rows.map((r) => [
      r.claim,
      r.paper,
      Number.isFinite(r.effect)
        ? `${formatMeanSe({ mean: r.effect, se: r.se }, digits)} (${r.n} seed${r.n === 1 ? '' : 's'}${r.df ? `, df ${r.df}` : ''})`
        : '–',
      pre(r.precondition),
      r.verdict === 'untestable' ? 'untestable at this preset' : r.verdict,
      r.why,
    ]),
  );
}
