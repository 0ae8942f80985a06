/**
 * One `vae-lab` child process, for the experiments that train each (model, seed) in its own
 * process (a crash or a stop loses one job, and finished jobs are not trained again).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Run `cmd args` with stdout ignored; rejects with the last 2,000 characters of its stderr when it fails. */
export function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, signal });
    let err = '';
    p.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-2000);
    });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`vae-lab ${args.slice(1).join(' ')} exited with ${code}:\n${err}`))));
  });
}

/** How a list of jobs maps onto `vae-lab` processes, one per job, each leaving a folder. */
export interface ProcessJobs<J, R> {
  /** The job's folder. */
  dir(job: J): string;
  /** The CLI arguments that train the job into `dir`. */
  args(job: J, dir: string): string[];
  /** The finished job's results, read from `dir`. */
  read(job: J, dir: string): R;
  /** Whether `dir` holds the job finished (default: its metrics.json, written last, exists). */
  finished?(job: J, dir: string): boolean;
  onDone?(job: J, result: R): void;
}

export interface ProcessPoolOptions {
  /** The `vae-lab` entry point, and node options before it. */
  cli: string;
  nodeArgs?: string[];
  /** Processes at once. With more than one, each gets one wasm thread unless VAE_LAB_WASM_THREADS says otherwise. */
  parallel: number;
  /** Stops the running processes; their jobs rerun next time. */
  signal?: AbortSignal;
  /** Named in the error a cancelled pool throws. */
  name: string;
}

/**
 * Run every job that is not finished, `parallel` processes at a time, and read every job's
 * results in the jobs' order; rejects with the first failure's stderr tail. A stopped pool
 * resumes: finished jobs are read, not trained again.
 */
export async function runJobProcesses<J, R>(jobs: J[], spec: ProcessJobs<J, R>, o: ProcessPoolOptions): Promise<R[]> {
  const parallel = Math.max(1, Math.min(o.parallel, jobs.length));
  const env = parallel > 1 && !process.env.VAE_LAB_WASM_THREADS ? { ...process.env, VAE_LAB_WASM_THREADS: '1' } : process.env;
  const finished = spec.finished ?? ((_job: J, dir: string) => existsSync(join(dir, 'metrics.json')));
  const results: R[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !o.signal?.aborted) {
      const i = next++;
      const dir = spec.dir(jobs[i]);
      if (!finished(jobs[i], dir)) await runProcess(process.execPath, [...(o.nodeArgs ?? []), o.cli, ...spec.args(jobs[i], dir)], env, o.signal);
      results[i] = spec.read(jobs[i], dir);
      spec.onDone?.(jobs[i], results[i]);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  if (o.signal?.aborted) throw new Error(`${o.name}: cancelled. Run it again to resume: finished jobs keep their metrics.json and are not retrained.`);
  return results;
}
