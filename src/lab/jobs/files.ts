/**
 * The on-disk contract of a job and a sweep: what every executor writes and every watcher
 * (the CLI, the VS Code Runs view, Train CR-VAE, notebooks) reads. Node built-ins only, no
 * tfjs: the extension host bundles this file to follow runs without loading the lab.
 *
 * A sweep folder DIR:
 *
 *     DIR/sweep.json            the expanded spec: name, command, base, grid, jobs [{id, params}]
 *     DIR/summary.json          jobs and per-setting groups (written atomically by the driver)
 *     DIR/jobs/<id>/job.json    {id, command, params, argv}: what the job runs (argv has no shell)
 *     DIR/jobs/<id>/state.json  JobStatus, rewritten atomically on every change of state
 *     DIR/jobs/<id>/events.jsonl one JobEvent per line, appended while the job runs
 *     DIR/jobs/<id>/log.txt     the job's stdout and stderr
 *     DIR/jobs/<id>/metrics.json written by the run itself, last, atomically
 *
 * A lone run (`vae-lab train --out D`) uses the same files in D minus job.json's sweep context.
 *
 * A job counts as done only when state.json says `done` AND metrics.json exists: the state is
 * written after metrics.json, so a job killed at any point is never read as done.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A job's parameters: the flag names of `vae-lab train` (without dashes) to their values. */
export type JobParams = Record<string, string | number | boolean>;

/** DIR/jobs/<id>/job.json */
export interface JobSpec {
  id: string;
  command: string;
  params: JobParams;
  /** The CLI argv after `vae-lab` (e.g. ['train', '--model', 'vae', ...]); passed as an array, never through a shell. */
  argv: string[];
  /** The folder relative paths in params are read from (where `sweep run` was started); added with the sweep engine. */
  cwd?: string;
}

/** Where a Slurm task stands, as the driver last read it from squeue / scontrol. */
export interface SlurmInfo {
  jobId: string;
  arrayTaskId?: number;
  /** Slurm's state name (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, NODE_FAIL, ...). */
  state?: string;
  /** Slurm's reason (e.g. "NonZeroExitCode", "Resources"). */
  reason?: string;
  /** "exit:signal", as scontrol prints it (e.g. "3:0"). */
  exitCode?: string;
  restarts?: number;
  /** ms since the epoch: when the sweep driver first saw the task ended (added with the sweep engine). */
  collectedAt?: number;
}

/** DIR/jobs/<id>/state.json */
export interface JobStatus {
  state: JobState;
  /** Attempts started so far (a retry or a Slurm requeue adds one). */
  attempt: number;
  executor?: 'local' | 'slurm';
  host?: string;
  pid?: number;
  /** The process that started the job and writes its end (`sweep run`'s driver, or `sweep job`), and its machine. */
  driver?: { pid: number; host: string };
  /** ms since the epoch */
  queuedAt?: number;
  startedAt?: number;
  endedAt?: number;
  exitCode?: number | null;
  signal?: string | null;
  /** Why it failed or was cancelled, one line. */
  reason?: string;
  slurm?: SlurmInfo;
}

/** One line of events.jsonl. `t` is ms since the epoch. */
export type JobEvent =
  | { t: number; type: 'phase'; phase: string; message?: string }
  | { t: number; type: 'step'; step: number; totalSteps?: number; epoch?: number; terms: Record<string, number> }
  | { t: number; type: 'epoch'; epoch: number; epochs?: number; /** the step the epoch ended at */ step?: number; terms: Record<string, number> }
  | { t: number; type: 'done'; seconds?: number }
  | { t: number; type: 'error'; message: string };

export const jobsDir = (sweepDir: string) => join(sweepDir, 'jobs');
export const jobDir = (sweepDir: string, id: string) => join(sweepDir, 'jobs', id);
export const jobFiles = (dir: string) => ({
  spec: join(dir, 'job.json'),
  state: join(dir, 'state.json'),
  events: join(dir, 'events.jsonl'),
  log: join(dir, 'log.txt'),
  metrics: join(dir, 'metrics.json'),
});

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The job's status; a folder without state.json is `queued`. A `done` without metrics.json reads `failed`. */
export function readJobStatus(dir: string): JobStatus {
  const f = jobFiles(dir);
  const s = readJson<JobStatus>(f.state) ?? { state: 'queued', attempt: 0 };
  if (s.state === 'done' && !existsSync(f.metrics)) return { ...s, state: 'failed', reason: 'state.json says done but metrics.json is missing' };
  return s;
}

export const isDone = (dir: string) => readJobStatus(dir).state === 'done';

/** Whether a process of this machine lives (EPERM: it lives, as another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why a job that says `running` can no longer end (one line), or undefined while it can: a
 * local job of this machine whose driver is gone (killed with -9: nobody is left to write its
 * end, even if its training process still runs) or whose training process is gone. Slurm jobs
 * and other machines' jobs are not judged here (Slurm's own state says). `sweep run` runs an
 * interrupted job again.
 */
export function interruptedReason(s: JobStatus, o: { host?: string; alive?: (pid: number) => boolean } = {}): string | undefined {
  if (s.state !== 'running' || s.executor === 'slurm') return undefined;
  const host = o.host ?? hostname();
  const alive = o.alive ?? pidAlive;
  if (s.driver && s.driver.host === host && !alive(s.driver.pid)) return `interrupted: its driver (pid ${s.driver.pid} on ${s.driver.host}) is gone`;
  if (s.pid !== undefined && (!s.host || s.host === host) && !alive(s.pid)) return `interrupted: its process (pid ${s.pid}) is gone`;
  return undefined;
}

/**
 * Reads events.jsonl from byte `offset`; returns the complete lines' events and the offset after
 * the last complete line (a line being written is left for the next read). Bad lines are skipped.
 */
export function readEvents(dir: string, offset = 0): { events: JobEvent[]; offset: number } {
  const file = jobFiles(dir).events;
  let buf: Buffer;
  try {
    if (statSync(file).size <= offset) return { events: [], offset };
    buf = readFileSync(file).subarray(offset);
  } catch {
    return { events: [], offset };
  }
  const end = buf.lastIndexOf(0x0a);
  if (end < 0) return { events: [], offset };
  const events: JobEvent[] = [];
  for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as JobEvent);
    } catch {
      /* a torn or foreign line: skip */
    }
  }
  return { events, offset: offset + end + 1 };
}

/** The ids of the jobs under a sweep folder, sorted. */
export function listJobIds(sweepDir: string): string[] {
  try {
    return readdirSync(jobsDir(sweepDir), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

export const isSweepDir = (dir: string) => existsSync(join(dir, 'sweep.json'));

// ---- Added with the sweep engine (additive: the names above are unchanged). ----

/** One grid value: `true` puts a boolean flag on the command line, `false` leaves it off. */
export type GridValue = string | number | boolean;

/** A sweep spec as the user writes it (`vae-lab sweep run SPEC`). */
export interface SweepSpec {
  name: string;
  command: 'train';
  base: JobParams;
  /** One grid, or a list of grids whose jobs are joined in order. */
  grid: Record<string, GridValue[]> | Record<string, GridValue[]>[];
}

/** DIR/sweep.json: the spec and its expansion, one job per grid combination, in grid order. */
export interface SweepFile extends SweepSpec {
  jobs: { id: string; params: JobParams }[];
}

/** A numeric metric over a group's done jobs: mean and standard error (sd / sqrt(n), sd with n - 1; null below 2 jobs). */
export interface MetricStat {
  mean: number;
  se: number | null;
  /** Done jobs that have this metric. */
  n: number;
}

/** One setting of a sweep: the params without `seed`, and its done jobs' metrics. */
export interface SweepGroup {
  /** Stable name of the setting, e.g. `cr=true` (`all` when only the seed varies). */
  key: string;
  params: JobParams;
  /** Done jobs in the group. */
  n: number;
  /** Every job in the group, done or not. */
  jobs: string[];
  /** Keyed by the dotted path of the numeric leaf in metrics.json ("test.nll"); arrays are left out. */
  metrics: Record<string, MetricStat>;
}

export interface SweepSummaryJob {
  id: string;
  params: JobParams;
  state: JobState;
  /** The job's folder, relative to the sweep folder (jobs/<id>). */
  dir: string;
  reason?: string;
  attempt?: number;
  slurm?: SlurmInfo;
}

/** DIR/summary.json */
export interface SweepSummary {
  name: string;
  /** ms since the epoch */
  updatedAt: number;
  counts: Record<JobState, number>;
  jobs: SweepSummaryJob[];
  groups: SweepGroup[];
}

/** DIR/slurm.json: every array job submitted for the sweep, newest last (cancel scancels them all). */
export interface SlurmRecord {
  submissions: { jobId: string; indices: number[]; submittedAt: number }[];
}

export const sweepFiles = (dir: string) => ({
  spec: join(dir, 'sweep.json'),
  summary: join(dir, 'summary.json'),
  slurm: join(dir, 'slurm.json'),
  /** Present while a cancel is asked for: the driver stops starting jobs, running ones end `cancelled`. */
  cancel: join(dir, 'cancel-requested'),
});

export const readSweepFile = (dir: string) => readJson<SweepFile>(sweepFiles(dir).spec);
export const readSummary = (dir: string) => readJson<SweepSummary>(sweepFiles(dir).summary);
