/**
 * The numbers of a sweep: jobs grouped by setting (the params without `seed`), and for every
 * numeric leaf of the done jobs' metrics.json its mean and standard error over the group.
 * Pure functions over plain objects; reading the folders is in sweep.ts.
 *
 *   mean = (1/n) sum x_i,   sd = sqrt( sum (x_i - mean)^2 / (n - 1) ),   se = sd / sqrt(n)
 *
 * se is null for n < 2 (one run says nothing about the spread). Arrays (training curves,
 * trajectories) are left out: their entries are not one number per run.
 */
import type { JobParams, JobState, MetricStat, SweepGroup, SweepSummary, SweepSummaryJob } from './files';
import { JOB_STATES } from './files';

/** Every finite numeric leaf of `value` under its dotted path: {test: {nll: 90}} -> {"test.nll": 90}. */
export function numericLeaves(value: unknown, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && prefix) out[prefix] = value;
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) numericLeaves(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

export function meanSe(xs: number[]): MetricStat {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, se: null, n };
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, se: Math.sqrt(ss / (n - 1) / n), n };
}

/** The params that name a setting: all but `seed`. */
export function settingOf(params: JobParams): JobParams {
  const { seed: _seed, ...rest } = params;
  return rest;
}

/** A group's name: the params that vary between the sweep's settings, `k=v` joined by `,` (`all` if none). */
function groupKey(setting: JobParams, varying: string[]): string {
  return varying.map((k) => `${k}=${String(setting[k] ?? false)}`).join(',') || 'all';
}

/** A job as the summary sees it: its row and, when done, its metrics. */
export interface JobRecord extends SweepSummaryJob {
  metrics?: unknown;
}

/** summary.json from the jobs (in the sweep's order): groups in order of first appearance. */
export function summarize(name: string, records: JobRecord[], now = Date.now()): SweepSummary {
  const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  for (const r of records) counts[r.state]++;
  const settings = records.map((r) => settingOf(r.params));
  const keys = [...new Set(settings.flatMap((s) => Object.keys(s)))];
  const varying = keys.filter((k) => new Set(settings.map((s) => JSON.stringify(s[k] ?? false))).size > 1);
  const byKey = new Map<string, { params: JobParams; jobs: string[]; leaves: Record<string, number>[] }>();
  records.forEach((r, i) => {
    const key = groupKey(settings[i], varying);
    const g = byKey.get(key) ?? { params: settings[i], jobs: [], leaves: [] };
    byKey.set(key, g);
    g.jobs.push(r.id);
    if (r.state === 'done' && r.metrics !== undefined) g.leaves.push(numericLeaves(r.metrics));
  });
  const groups: SweepGroup[] = [...byKey].map(([key, g]) => {
    const paths = [...new Set(g.leaves.flatMap((l) => Object.keys(l)))];
    const metrics: Record<string, MetricStat> = {};
    for (const p of paths) metrics[p] = meanSe(g.leaves.filter((l) => p in l).map((l) => l[p]));
    return { key, params: g.params, n: g.leaves.length, jobs: g.jobs, metrics };
  });
  const jobs = records.map(({ metrics: _m, ...row }) => row);
  return { name, updatedAt: now, counts, jobs, groups };
}
