/**
 * One job, run to its end in a child process: `node <cli> <argv from job.json>`, its output
 * into log.txt, its state into state.json around it. Used by the local pool (one call per job)
 * and by `vae-lab sweep job` (a Slurm array task runs one).
 *
 * `done` is written only after the child exited 0 AND its metrics.json (written last by
 * `vae-lab train`, atomically) exists, so a run killed at any moment never reads as done.
 * The child leads its own process group, so a cancel (this process's signal, or
 * `vae-lab sweep cancel` from another one, which kills the recorded pid's group) stops the
 * child and anything it started.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { writeFileAtomic } from '../../common/atomic';
import { interruptedReason, jobDir, jobFiles, readEvents, readJobStatus, sweepFiles, type JobSpec, type JobStatus, type SlurmInfo } from './files';

export interface RunJobOptions {
  /** The `vae-lab` entry (dist/cli.js) and node options before it. */
  cli: string;
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  executor: 'local' | 'slurm';
  slurm?: SlurmInfo;
  /** Aborting stops the child (SIGTERM to its group, SIGKILL after `killAfterMs`); the job ends `cancelled`. */
  signal?: AbortSignal;
  killAfterMs?: number;
  onStart?(status: JobStatus): void;
}

export function writeJobStatus(dir: string, s: JobStatus): void {
  writeFileAtomic(jobFiles(dir).state, JSON.stringify(s, null, 2));
}

/** The last `lines` lines of the job's log. */
export function logTail(dir: string, lines = 20): string {
  try {
    const f = jobFiles(dir).log;
    const size = statSync(f).size;
    const fd = openSync(f, 'r');
    const buf = Buffer.alloc(Math.min(size, 16384));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    closeSync(fd);
    return buf
      .toString('utf8')
      .replace(/\r/g, '\n')
      .split('\n')
      .filter((l) => l.trim())
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

/** Signals a process group (the child's pid is its group id); false when it is gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Why a job that did not finish ended, in one line: the last error event, else how the process ended. */
function failureReason(dir: string, code: number | null, signal: string | null): string {
  const err = readEvents(dir)
    .events.filter((e) => e.type === 'error')
    .pop();
  if (err && err.type === 'error') return err.message.split('\n')[0];
  if (signal) return `killed by ${signal}`;
  if (code === 0) return 'exited 0 without writing metrics.json';
  return `exited with code ${code}`;
}

export function runJob(sweepDir: string, id: string, o: RunJobOptions): Promise<JobStatus> {
  const dir = jobDir(sweepDir, id);
  const f = jobFiles(dir);
  const spec = JSON.parse(readFileSync(f.spec, 'utf8')) as JobSpec;
  const prev = readJobStatus(dir);
  const attempt = prev.attempt + 1;
  // An interrupted attempt's training process may outlive its driver: stop it before this one writes the same folder.
  if (prev.pid !== undefined && prev.host === hostname() && interruptedReason(prev)) killGroup(prev.pid, 'SIGKILL');
  // A fresh attempt: the last one's partial events and any stale metrics go; the log keeps every attempt.
  rmSync(f.metrics, { force: true });
  rmSync(f.events, { force: true });
  const log = openSync(f.log, 'a');
  writeSync(log, `\n--- vae-lab sweep: job ${id}, attempt ${attempt}, ${new Date().toISOString()} on ${hostname()}: vae-lab ${spec.argv.join(' ')}\n`);
  const base: JobStatus = {
    state: 'running',
    attempt,
    executor: o.executor,
    host: hostname(),
    driver: { pid: process.pid, host: hostname() },
    queuedAt: prev.queuedAt,
    startedAt: Date.now(),
    slurm: o.slurm,
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (s: JobStatus) => {
      if (settled) return;
      settled = true;
      closeSync(log);
      writeJobStatus(dir, s);
      resolve(s);
    };
    if (o.signal?.aborted) return finish({ ...base, state: 'cancelled', endedAt: Date.now(), reason: 'cancelled before it started' });
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), o.cli, ...spec.argv], {
      cwd: spec.cwd && existsSync(spec.cwd) ? spec.cwd : sweepDir,
      env: o.env ?? process.env,
      stdio: ['ignore', log, log],
      detached: true,
    });
    const pid = child.pid;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (!pid) return;
      killGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), o.killAfterMs ?? 5000);
    };
    child.on('error', (e) => finish({ ...base, state: 'failed', endedAt: Date.now(), reason: `could not start node: ${e.message}` }));
    if (pid) {
      const running = { ...base, pid };
      writeJobStatus(dir, running);
      o.onStart?.(running);
      o.signal?.addEventListener('abort', onAbort, { once: true });
    }
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      o.signal?.removeEventListener('abort', onAbort);
      const end = { ...base, pid, endedAt: Date.now(), exitCode: code, signal };
      if (code === 0 && existsSync(f.metrics)) return finish({ ...end, state: 'done' });
      // Cancelled: this process was told to stop, or `sweep cancel` marked the sweep.
      if (o.signal?.aborted || existsSync(sweepFiles(sweepDir).cancel)) return finish({ ...end, state: 'cancelled', reason: 'cancelled' });
      finish({ ...end, state: 'failed', reason: failureReason(dir, code, signal) });
    });
  });
}
