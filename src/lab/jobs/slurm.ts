/**
 * The Slurm executor: the sweep's pending jobs as one `sbatch --array` job whose task i runs
 * `node <cli> sweep job DIR --index i` (job i of DIR/sweep.json), and a driver that follows the
 * tasks with `scontrol show job` until every one has ended.
 *
 * Nothing of the spec reaches a shell: the batch script holds only the node, cli and sweep
 * paths (single-quoted), and each task reads its params from the sweep folder. sbatch, scontrol
 * and scancel are run with argv arrays. No sacct: without slurmdbd there is no accounting, and
 * scontrol keeps a finished task for MinJobAge seconds, so the driver reads states as they come
 * and each task also writes its own state.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../common/atomic';
import { InvalidArgumentError } from '../core/errors';
import { jobDir, readJobStatus, sweepFiles, type SlurmInfo, type SlurmRecord, type SweepFile } from './files';
import { writeJobStatus } from './runner';

export interface SlurmOptions {
  partition?: string;
  /** sbatch --time, e.g. "30", "1:00:00", "1-0". */
  time?: string;
  cpusPerTask?: number;
  /** More sbatch arguments, each one word (e.g. "--mem=4G", "--account=lab"). */
  sbatchArgs?: string[];
  /** Tasks running at once (`--array=...%N`). */
  maxParallel?: number;
  /** Poll interval (default 1 s, or $VAE_LAB_SLURM_POLL_MS). */
  pollMs?: number;
}

/** Slurm states after which a task runs no more (REQUEUED and PENDING are not among them). */
const ENDED = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'SPECIAL_EXIT'];
export const slurmEnded = (state?: string) => !!state && ENDED.includes(state.split(/[ +]/)[0]);

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class SlurmError extends InvalidArgumentError {}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new SlurmError(`${cmd} not found: --executor slurm needs Slurm's client commands (sbatch, scontrol, scancel) on PATH`);
    throw new SlurmError(`${cmd} ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
}

export function readSlurmRecord(dir: string): SlurmRecord {
  try {
    return JSON.parse(readFileSync(sweepFiles(dir).slurm, 'utf8')) as SlurmRecord;
  } catch {
    return { submissions: [] };
  }
}

/** Submits `indices` of the sweep as one array job; returns its id (also saved in DIR/slurm.json). */
export function submitArray(dir: string, file: SweepFile, indices: number[], o: SlurmOptions & { cli: string; nodeArgs?: string[] }): string {
  const sdir = join(dir, 'slurm');
  mkdirSync(sdir, { recursive: true });
  const script = join(sdir, 'task.sh');
  const threads = o.cpusPerTask ?? 1;
  const node = [process.execPath, ...(o.nodeArgs ?? []), resolve(o.cli)].map(shQuote).join(' ');
  writeFileAtomic(
    script,
    `#!/bin/sh
# Written by \`vae-lab sweep run --executor slurm\`: array task i runs job i of sweep.json.
export VAE_LAB_WASM_THREADS=\${VAE_LAB_WASM_THREADS:-${threads}}
exec ${node} sweep job ${shQuote(resolve(dir))} --index "$SLURM_ARRAY_TASK_ID"
`,
  );
  const args = [
    '--parsable',
    `--array=${indices.join(',')}${o.maxParallel ? `%${o.maxParallel}` : ''}`,
    `--job-name=${file.name}`,
    `--output=${join(sdir, '%A_%a.out')}`,
    `--chdir=${process.cwd()}`,
    `--cpus-per-task=${threads}`,
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.time ? [`--time=${o.time}`] : []),
    ...(o.sbatchArgs ?? []),
    script,
  ];
  const submittedAt = Date.now();
  const jobId = run('sbatch', args).trim().split(';')[0];
  if (!/^\d+$/.test(jobId)) throw new SlurmError(`sbatch printed '${jobId}', not a job id`);
  const rec = readSlurmRecord(dir);
  rec.submissions.push({ jobId, indices, submittedAt });
  writeFileAtomic(sweepFiles(dir).slurm, JSON.stringify(rec, null, 2));
  return jobId;
}

/** "0-3,7%2" -> [0, 1, 2, 3, 7] */
export function parseArrayIds(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split('%')[0].split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) continue;
    for (let i = a; i <= (Number.isInteger(b) ? b : a); i++) out.push(i);
  }
  return out;
}

/** Each array task's Slurm state, from `scontrol show job -o` (one line per task; pending ones may share a line). */
export function parseScontrol(text: string): Map<number, SlurmInfo> {
  const out = new Map<number, SlurmInfo>();
  for (const line of text.split('\n')) {
    const kv = new Map<string, string>();
    for (const m of line.matchAll(/(?:^|\s)(\w+)=(\S*)/g)) if (!kv.has(m[1])) kv.set(m[1], m[2]);
    const tasks = kv.get('ArrayTaskId');
    if (!tasks) continue;
    for (const i of parseArrayIds(tasks))
      out.set(i, {
        jobId: kv.get('ArrayJobId') ?? kv.get('JobId') ?? '',
        arrayTaskId: i,
        state: kv.get('JobState'),
        reason: kv.get('Reason'),
        exitCode: kv.get('ExitCode'),
        restarts: Number(kv.get('Restarts') ?? 0),
      });
  }
  return out;
}

/** The tasks of one array job; empty once Slurm has forgotten it (MinJobAge after it ended). */
export function readTasks(jobId: string): Map<number, SlurmInfo> {
  try {
    return parseScontrol(execFileSync('scontrol', ['show', 'job', '-o', jobId], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return new Map();
  }
}

export interface FollowOptions {
  pollMs?: number;
  /** Each task's Slurm state when it changes. */
  onTask?(index: number, info: SlurmInfo): void;
  signal?: AbortSignal;
}

/**
 * Polls the array job until every task in `indices` has ended, then writes what Slurm said into
 * each job's state.json: a task Slurm ended before the job wrote its own end (cancelled while
 * pending, killed, timed out, node failure) becomes `cancelled` or `failed` with Slurm's state,
 * reason and exit code. Only then: while a task may run, its state.json is the task's alone.
 */
export async function followArray(dir: string, file: SweepFile, jobId: string, indices: number[], o: FollowOptions = {}): Promise<Map<number, SlurmInfo>> {
  const pollMs = o.pollMs ?? (Number(process.env.VAE_LAB_SLURM_POLL_MS) || 1000);
  const last = new Map<number, SlurmInfo>();
  let missing = 0;
  for (;;) {
    const tasks = readTasks(jobId);
    if (tasks.size === 0) missing++;
    for (const i of indices) {
      const t = tasks.get(i);
      if (!t) continue;
      const prev = last.get(i);
      if (!prev || prev.state !== t.state || prev.restarts !== t.restarts) o.onTask?.(i, t);
      // When the driver first saw the task ended: `end to collected` in the README's overhead figure.
      if (slurmEnded(t.state)) t.collectedAt = slurmEnded(prev?.state) ? prev?.collectedAt : Date.now();
      last.set(i, t);
    }
    const allEnded = indices.every((i) => slurmEnded(last.get(i)?.state));
    // Forgotten by Slurm for 5 polls in a row (purged, or the controller lost it): trust the jobs' own files.
    if (allEnded || missing >= 5 || o.signal?.aborted) break;
    if (tasks.size > 0) missing = 0;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  for (const i of indices) {
    const id = file.jobs[i].id;
    const jd = jobDir(dir, id);
    const s = readJobStatus(jd);
    const info = last.get(i);
    if (!info) continue;
    const slurm = { ...s.slurm, ...info };
    if (s.state === 'done' || s.state === 'failed' || s.state === 'cancelled') writeJobStatus(jd, { ...s, slurm });
    else {
      const cancelled = info.state === 'CANCELLED' || existsSync(sweepFiles(dir).cancel);
      writeJobStatus(jd, {
        ...s,
        state: cancelled ? 'cancelled' : 'failed',
        executor: 'slurm',
        endedAt: Date.now(),
        reason: `Slurm ${info.state}${info.reason && info.reason !== 'None' ? ` (${info.reason})` : ''}, exit ${info.exitCode ?? '?'}${s.state === 'running' ? ', before the job wrote its end' : ''}`,
        slurm,
      });
    }
  }
  return last;
}

/** scancel every array job the sweep submitted (pending and running tasks; ended ones are untouched). */
export function scancelSweep(dir: string): string[] {
  const ids = readSlurmRecord(dir).submissions.map((s) => s.jobId);
  if (ids.length) run('scancel', ids);
  return ids;
}
