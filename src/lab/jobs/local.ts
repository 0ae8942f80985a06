/**
 * The local executor: a pool of `jobs` child processes on this machine, each job through
 * runJob. With more than one process, each gets floor(cores / jobs) threads (at least 1) unless
 * VAE_LAB_WASM_THREADS is set: on 2 cores two one-thread trainings beat one two-thread training
 * (README "Sweeps" gives the measurement, `npm run bench -- sweep`).
 *
 * Cancel: the signal, or the sweep's cancel file (written by `vae-lab sweep cancel`, polled
 * twice a second) stops the running jobs and starts no more; those not started end `cancelled`.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readJobStatus, jobDir, sweepFiles, type JobStatus } from './files';
import { runJob, writeJobStatus } from './runner';

export interface LocalOptions {
  cli: string;
  nodeArgs?: string[];
  /** Processes at once (default: the cores). */
  jobs?: number;
  signal?: AbortSignal;
  /** Each job's state as it starts and ends. */
  onChange?(id: string, s: JobStatus): void;
}

/** Threads per process for `jobs` processes on this machine: the cores shared out, at least 1. */
export function threadsPerJob(jobs: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / jobs));
}

export async function runLocal(sweepDir: string, ids: string[], o: LocalOptions): Promise<void> {
  const jobs = Math.max(1, Math.min(o.jobs ?? availableParallelism(), ids.length));
  const env = process.env.VAE_LAB_WASM_THREADS ? process.env : { ...process.env, VAE_LAB_WASM_THREADS: String(threadsPerJob(jobs)) };
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const cancelFile = sweepFiles(sweepDir).cancel;
  const watch = setInterval(() => existsSync(cancelFile) && ac.abort(), 500);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      if (ac.signal.aborted || existsSync(cancelFile)) {
        const dir = jobDir(sweepDir, id);
        const s: JobStatus = { ...readJobStatus(dir), state: 'cancelled', endedAt: Date.now(), reason: 'cancelled before it started' };
        writeJobStatus(dir, s);
        o.onChange?.(id, s);
        continue;
      }
      const s = await runJob(sweepDir, id, {
        cli: o.cli,
        nodeArgs: o.nodeArgs,
        env,
        executor: 'local',
        signal: ac.signal,
        onStart: (r) => o.onChange?.(id, r),
      });
      o.onChange?.(id, s);
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    clearInterval(watch);
    o.signal?.removeEventListener('abort', onAbort);
  }
}
