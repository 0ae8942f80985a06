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
}

/** DIR/jobs/<id>/state.json */
export interface JobStatus {
  state: JobState;
  /** Attempts started so far (a retry or a Slurm requeue adds one). */
  attempt: number;
  executor?: 'local' | 'slurm';
  host?: string;
  pid?: number;
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
  | { t: number; type: 'epoch'; epoch: number; epochs?: number; terms: Record<string, number> }
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
