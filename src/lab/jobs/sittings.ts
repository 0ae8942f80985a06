/**
 * Sittings: when a sweep's jobs actually ran. A sweep can span several sessions (a laptop run
 * over two evenings, a cluster run after a local one), and a notebook that reports its runs says
 * which sittings produced them and how long each took.
 *
 * A sitting is a maximal stretch of time in which some job was running, allowing gaps shorter
 * than `gapMinutes` (a driver restarted at once is the same sitting). Only jobs that have both a
 * start and an end time count; a job still running has no end yet and is left out.
 */
import { jobDir, readJobStatus, readSweepFile } from './files';

export interface Sitting {
  /** ms since the epoch: the first job's start and the last job's end. */
  from: number;
  to: number;
  /** Jobs that ran in it (by id), in order of start. */
  jobs: string[];
  /** The hosts the jobs ran on. */
  hosts: string[];
  /** Sum of the jobs' own wall times, seconds (more than to - from when jobs ran side by side). */
  jobSeconds: number;
}

interface Interval {
  id: string;
  start: number;
  end: number;
  host?: string;
}

/** Groups job intervals into sittings: a new sitting starts when nothing ran for gapMinutes. */
export function groupSittings(intervals: Interval[], gapMinutes = 30): Sitting[] {
  const gap = gapMinutes * 60_000;
  const out: Sitting[] = [];
  for (const iv of [...intervals].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && iv.start <= last.to + gap) {
      last.to = Math.max(last.to, iv.end);
      last.jobs.push(iv.id);
      if (iv.host && !last.hosts.includes(iv.host)) last.hosts.push(iv.host);
      last.jobSeconds += (iv.end - iv.start) / 1000;
    } else out.push({ from: iv.start, to: iv.end, jobs: [iv.id], hosts: iv.host ? [iv.host] : [], jobSeconds: (iv.end - iv.start) / 1000 });
  }
  return out;
}

/** The sittings of a sweep folder's done jobs (read from each job's state.json). */
export function sittingsOf(dir: string, gapMinutes = 30): Sitting[] {
  const file = readSweepFile(dir);
  if (!file) throw new Error(`${dir} is not a sweep folder (no sweep.json)`);
  const intervals: Interval[] = [];
  for (const j of file.jobs) {
    const s = readJobStatus(jobDir(dir, j.id));
    if (s.state === 'done' && s.startedAt !== undefined && s.endedAt !== undefined)
      intervals.push({ id: j.id, start: s.startedAt, end: s.endedAt, host: s.host });
  }
  return groupSittings(intervals, gapMinutes);
}

const utc = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

/** One line per sitting: "2026-12-06 14:55 to 16:40 UTC (105 min wall, 26 jobs, 190 job-min, host x)". */
export function sittingsMarkdown(sittings: Sitting[]): string {
  if (sittings.length === 0) return 'No job has finished yet.';
  return sittings
    .map((s, i) => {
      const to = utc(s.to);
      const sameDay = to.slice(0, 10) === utc(s.from).slice(0, 10);
      return (
        `- sitting ${i + 1}: ${utc(s.from)} to ${sameDay ? to.slice(11) : to} UTC ` +
        `(${((s.to - s.from) / 60_000).toFixed(0)} min wall, ${s.jobs.length} job${s.jobs.length === 1 ? '' : 's'}, ` +
        `${(s.jobSeconds / 60).toFixed(0)} job-min${s.hosts.length ? `, on ${s.hosts.join(', ')}` : ''})`
      );
    })
    .join('\n');
}
