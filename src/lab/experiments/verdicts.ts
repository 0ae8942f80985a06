/**
 * Verdicts as data (issue 27): each reproduction notebook writes notebooks/verdicts/<notebook>.json
 * beside its verdict tables, a list of
 *   { claim, paper, effect, se, n, df, precondition: { what, value, holds } | null, verdict, why, preset, section }
 * with verdict one of reproduced | not reproduced | inconclusive | untestable (metrics/stats.ts,
 * the rule). /work/shared/hooks/before-stop (and the lead) read these files: a firm verdict with
 * n < 3, a failing precondition or |effect| / se < t_crit(df) is flagged.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../common/atomic';
import type { VerdictRow } from '../metrics/stats';

/** One entry of a verdicts file. */
export interface VerdictRecord {
  claim: string;
  paper: string;
  /** NaN (no seed pairs, one seed) is written as null: JSON has no NaN. */
  effect: number | null;
  se: number | null;
  n: number;
  df: number;
  precondition: { what: string; value: number | string; holds: boolean } | null;
  verdict: VerdictRow['verdict'];
  why: string;
  /** The preset that produced the numbers, and the notebook section (table) the claim belongs to. */
  preset: string;
  section: string;
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/** The records of one section's verdict rows. */
export function verdictRecords(rows: readonly VerdictRow[], o: { preset: string; section: string }): VerdictRecord[] {
  return rows.map((r) => ({
    claim: r.claim,
    paper: r.paper,
    effect: finite(r.effect),
    se: finite(r.se),
    n: r.n,
    df: r.df,
    precondition: r.precondition ?? null,
    verdict: r.verdict,
    why: r.why,
    preset: o.preset,
    section: o.section,
  }));
}

/**
 * Collects a notebook's verdicts section by section and writes the whole list to `file` after
 * each section (atomically: a reader never sees half a file, and a notebook stopped midway
 * leaves the sections it reached). A section added twice (a cell run again) replaces its rows.
 */
export class VerdictLog {
  private sections = new Map<string, VerdictRecord[]>();
  constructor(
    readonly file: string,
    readonly preset: string,
  ) {}

  /** Record `rows` as `section` and rewrite the file; returns the rows (to chain into a table). */
  add<R extends VerdictRow>(section: string, rows: R[]): R[] {
    this.sections.set(section, verdictRecords(rows, { preset: this.preset, section }));
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, JSON.stringify(this.records(), null, 2) + '\n');
    return rows;
  }

  records(): VerdictRecord[] {
    return [...this.sections.values()].flat();
  }
}
