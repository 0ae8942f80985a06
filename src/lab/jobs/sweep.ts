/**
 * A sweep from start to end: the spec expanded into DIR (sweep.json and one folder per job),
 * the jobs that still need a run picked out, an executor run on them, and DIR/summary.json
 * written from the job folders (atomically, after every change of a job's state).
 *
 * Re-running is the resume: a done job is never run again; `retryFailed` also runs the failed
 * ones; queued, cancelled and interrupted ("running" with nobody running it) jobs run again.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../../common/atomic';
import { InvalidArgumentError } from '../core/errors';
import {
  jobDir,
  jobFiles,
  readEvents,
  readJobStatus,
  readSweepFile,
  sweepFiles,
  type JobSpec,
  type JobStatus,
  type SweepFile,
  type SweepSpec,
  type SweepSummary,
} from './files';
import { runLocal } from './local';
import { killGroup, logTail, writeJobStatus } from './runner';
import { followArray, readSlurmRecord, scancelSweep, submitArray, type SlurmOptions } from './slurm';
import { expandSpec, jobArgv } from './spec';
import { summarize, type JobRecord } from './summary';

export interface SweepRunOptions {
  executor?: 'local' | 'slurm';
  /** local: processes at once; slurm: tasks at once (none: as many as Slurm runs). */
  jobs?: number;
  retryFailed?: boolean;
  /** The `vae-lab` entry the jobs run (dist/cli.js) and node options before it. */
  cli: string;
  nodeArgs?: string[];
  slurm?: SlurmOptions;
  signal?: AbortSignal;
  /** One line of progress. */
  log?(line: string): void;
  /** How often a line of the running jobs' progress is logged (default 30 s; 0: never). */
  progressEveryMs?: number;
}

/** Where a running job is, from its events: "step 120/500", or its phase ("evaluate"). */
export function progressOf(jd: string): string {
  const ev = readEvents(jd).events;
  for (let i = ev.length - 1; i >= 0; i--) {
    const e = ev[i];
    if (e.type === 'step') return `step ${e.step}${e.totalSteps ? `/${e.totalSteps}` : ''}`;
    if (e.type === 'phase') return e.phase;
  }
  return 'starting';
}

/** Writes DIR/sweep.json and each job's folder with job.json; existing job folders keep their state. */
export function prepareSweep(spec: SweepSpec, dir: string): SweepFile {
  const file = expandSpec(spec);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(sweepFiles(dir).spec, JSON.stringify(file, null, 2));
  const now = Date.now();
  for (const j of file.jobs) {
    const jd = jobDir(dir, j.id);
    mkdirSync(jd, { recursive: true });
    const js: JobSpec = { id: j.id, command: file.command, params: j.params, argv: jobArgv(file.command, j.params, resolve(jd)), cwd: process.cwd() };
    writeFileAtomic(jobFiles(jd).spec, JSON.stringify(js, null, 2));
    if (!existsSync(jobFiles(jd).state)) writeJobStatus(jd, { state: 'queued', attempt: 0, queuedAt: now });
  }
  return file;
}

/** The indices of the jobs to run: not done, and not failed unless `retryFailed`. */
export function pendingIndices(dir: string, file: SweepFile, retryFailed = false): number[] {
  return file.jobs.flatMap((j, i) => {
    const s = readJobStatus(jobDir(dir, j.id)).state;
    return s === 'done' || (s === 'failed' && !retryFailed) ? [] : [i];
  });
}

function readMetrics(jd: string): unknown {
  try {
    return JSON.parse(readFileSync(jobFiles(jd).metrics, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Each job's row and (done ones) metrics, in the sweep's order. */
export function jobRecords(dir: string, file: SweepFile): JobRecord[] {
  return file.jobs.map((j) => {
    const jd = jobDir(dir, j.id);
    const s = readJobStatus(jd);
    return {
      id: j.id,
      params: j.params,
      state: s.state,
      dir: relative(dir, jd),
      attempt: s.attempt,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.slurm ? { slurm: s.slurm } : {}),
      ...(s.state === 'done' ? { metrics: readMetrics(jd) } : {}),
    };
  });
}

export function notASweep(dir: string): InvalidArgumentError {
  return new InvalidArgumentError(`${dir} is not a sweep folder (no sweep.json): give the --out folder of \`vae-lab sweep run\``);
}

/** Reads the job folders and writes DIR/summary.json atomically. */
export function writeSummary(dir: string, file = readSweepFile(dir)): SweepSummary {
  if (!file) throw notASweep(dir);
  const summary = summarize(file.name, jobRecords(dir, file));
  writeFileAtomic(sweepFiles(dir).summary, JSON.stringify(summary, null, 2));
  return summary;
}

/** A sweep as a notebook reads it: the summary (fresh from the job folders) and each job's metrics. */
export interface LoadedSweep extends SweepSummary {
  dir: string;
  spec: SweepFile;
  /** Done jobs' metrics.json by job id. */
  metrics: Record<string, unknown>;
}

/**
 * Reads a sweep folder (local or one a cluster ran, copied anywhere): summary from the job
 * folders themselves, so a sweep still running reads as far as it got.
 */
export function loadSweep(dir: string): LoadedSweep {
  const spec = readSweepFile(dir);
  if (!spec) throw notASweep(dir);
  const records = jobRecords(dir, spec);
  const metrics = Object.fromEntries(records.filter((r) => r.metrics !== undefined).map((r) => [r.id, r.metrics]));
  return { ...summarize(spec.name, records), dir: resolve(dir), spec, metrics };
}

const driverFile = (dir: string) => join(dir, 'driver.json');

/** Refuses a second driver on the same folder while the first one's process lives. */
function claimDriver(dir: string): void {
  try {
    const d = JSON.parse(readFileSync(driverFile(dir), 'utf8')) as { pid: number; host: string };
    if (d.host === hostname() && d.pid !== process.pid) {
      process.kill(d.pid, 0);
      throw new InvalidArgumentError(`${dir} is being run by process ${d.pid}: wait for it, or \`vae-lab sweep cancel ${dir}\``);
    }
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
  }
  writeFileAtomic(driverFile(dir), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: Date.now() }));
}

/** Runs the sweep to its end; resolves with the final summary (its counts say whether all are done). */
export async function runSweep(spec: SweepSpec, dir: string, o: SweepRunOptions): Promise<SweepSummary> {
  const log = o.log ?? (() => {});
  mkdirSync(dir, { recursive: true });
  claimDriver(dir);
  try {
    rmSync(sweepFiles(dir).cancel, { force: true });
    const file = prepareSweep(spec, dir);
    const todo = pendingIndices(dir, file, o.retryFailed);
    const skipped = file.jobs.length - todo.length;
    log(
      `sweep ${file.name}: ${file.jobs.length} jobs, ${todo.length} to run${skipped ? `, ${skipped} skipped (done${o.retryFailed ? '' : ' or failed; --retry-failed runs failed ones'})` : ''}, executor ${o.executor ?? 'local'}, in ${dir}`,
    );
    writeSummary(dir, file);
    if (todo.length === 0) return writeSummary(dir, file);
    // Between changes of state, a line now and then says how far the running jobs are.
    const every = o.progressEveryMs ?? 30_000;
    const ticker =
      every > 0
        ? setInterval(() => {
            const running = file.jobs.filter((j) => readJobStatus(jobDir(dir, j.id)).state === 'running');
            if (running.length) log(`  running: ${running.map((j) => `${j.id} ${progressOf(jobDir(dir, j.id))}`).join(', ')}`);
          }, every)
        : undefined;
    try {
      await execute(file, todo);
    } finally {
      clearInterval(ticker);
    }
    return writeSummary(dir, file);
  } finally {
    rmSync(driverFile(dir), { force: true });
  }

  /** Runs `todo` (indices into file.jobs) on the chosen executor, logging each change of state. */
  async function execute(file: SweepFile, todo: number[]): Promise<void> {
    const counts = () => {
      const c = writeSummary(dir, file).counts;
      return `${c.done} done, ${c.failed} failed, ${c.running} running, ${c.queued} queued${c.cancelled ? `, ${c.cancelled} cancelled` : ''}`;
    };
    const onChange = (id: string, s: JobStatus) => {
      const secs = s.startedAt && s.endedAt ? ` in ${((s.endedAt - s.startedAt) / 1000).toFixed(0)} s` : '';
      log(`  ${id}: ${s.state}${secs}${s.reason && s.state !== 'done' ? ` (${s.reason})` : ''}  [${counts()}]`);
    };
    if ((o.executor ?? 'local') === 'local') {
      await runLocal(
        dir,
        todo.map((i) => file.jobs[i].id),
        { cli: o.cli, nodeArgs: o.nodeArgs, jobs: o.jobs, signal: o.signal, onChange },
      );
    } else {
      const jobId = submitArray(dir, file, todo, { ...o.slurm, maxParallel: o.jobs, cli: o.cli, nodeArgs: o.nodeArgs });
      log(`  submitted Slurm array job ${jobId} (${todo.length} tasks)`);
      const onAbort = () => scancelSweep(dir);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await followArray(dir, file, jobId, todo, {
          pollMs: o.slurm?.pollMs,
          onTask: (i, t) => {
            writeSummary(dir, file);
            log(
              `  ${file.jobs[i].id}: Slurm ${t.state}${t.reason && t.reason !== 'None' ? ` (${t.reason})` : ''}${t.restarts ? `, restart ${t.restarts}` : ''}`,
            );
          },
        });
      } finally {
        o.signal?.removeEventListener('abort', onAbort);
      }
      log(`  Slurm array job ${jobId} ended [${counts()}]`);
    }
  }
}

/** The failed jobs, each with its reason and log tail: what `sweep run` prints at the end. */
export function failureReport(dir: string, summary: SweepSummary, lines = 15): string {
  return summary.jobs
    .filter((j) => j.state === 'failed')
    .map((j) => {
      const tail = logTail(join(dir, j.dir), lines);
      return `job ${j.id} failed: ${j.reason ?? 'no reason recorded'}\n  log ${join(dir, j.dir, 'log.txt')}, last lines:\n${tail.replace(/^/gm, '    | ')}`;
    })
    .join('\n\n');
}

/**
 * Cancels a sweep from any process: marks DIR (the driver starts nothing more and records the
 * running jobs as cancelled), kills the process groups of the running local jobs, and scancels
 * the Slurm array jobs it submitted.
 */
export function cancelSweep(dir: string): { killed: number[]; scancelled: string[] } {
  const file = readSweepFile(dir);
  if (!file) throw notASweep(dir);
  writeFileAtomic(sweepFiles(dir).cancel, JSON.stringify({ t: Date.now(), pid: process.pid }));
  const killed: number[] = [];
  for (const j of file.jobs) {
    const s = readJobStatus(jobDir(dir, j.id));
    if (s.state === 'running' && s.executor !== 'slurm' && s.pid && s.host === hostname() && killGroup(s.pid, 'SIGTERM')) killed.push(s.pid);
  }
  const scancelled = readSlurmRecord(dir).submissions.length ? scancelSweep(dir) : [];
  return { killed, scancelled };
}
