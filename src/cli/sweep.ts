/**
 * `vae-lab sweep run|status|cancel|job`: many `vae-lab train` runs from one JSON spec, on this
 * machine (a process pool) or on Slurm (one array job), through the lab's job engine
 * (src/lab/jobs). This file loads no tfjs: the driver only starts, watches and summarizes.
 * Exit status of `run`: 0 when every job is done, 1 when any failed, 130 when cancelled, 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { UnknownNameError } from '../lab/core/errors';
import {
  cancelSweep,
  checkSpec,
  failureReport,
  interruptedReason,
  jobDir,
  loadSweep,
  progressOf,
  readJobStatus,
  readSweepFile,
  runJob,
  runSweep,
  SweepSpecError,
  type JobStatus,
} from '../lab/jobs';
import { InvalidArgumentError } from '../lab/core/errors';
import { flagHelp, parseFlags, UsageError, type FlagSpec } from './args';
import { trainFlags } from './flags';

const USAGE = `usage:
  vae-lab sweep run SPEC.json --out DIR [--executor local|slurm] [--jobs N] [--retry-failed]
                   [--partition P] [--time T] [--cpus-per-task N] [--sbatch-arg ARG]...
  vae-lab sweep status DIR [--json]
  vae-lab sweep cancel DIR
  vae-lab sweep job DIR --index N      (one job of DIR/sweep.json; what each Slurm array task runs)
SPEC: {"name": "cr-seeds", "command": "train", "base": {"model": "vae", "preset": "quick"},
       "grid": {"seed": [1, 2, 3], "cr": [false, true]}}  -- one \`vae-lab train\` per combination.`;

const runFlags: FlagSpec[] = [
  { name: 'out', type: 'string', help: 'the sweep folder: sweep.json, summary.json, jobs/<id>/ (required)' },
  { name: 'executor', type: 'string', choices: ['local', 'slurm'], help: 'where the jobs run (default local)' },
  {
    name: 'jobs',
    type: 'number',
    range: { min: 1, integer: true },
    help: `local: processes at once, each with cores/N threads (default ${availableParallelism()}, the cores); slurm: array tasks at once (default: no limit)`,
  },
  { name: 'retry-failed', type: 'boolean', help: 'run failed jobs again (done jobs are always skipped)' },
  { name: 'partition', type: 'string', help: 'slurm: sbatch --partition' },
  { name: 'time', type: 'string', help: 'slurm: time limit per task, sbatch --time (e.g. 30, 2:00:00, 1-0)' },
  {
    name: 'cpus-per-task',
    type: 'number',
    range: { min: 1, integer: true },
    help: 'slurm: sbatch --cpus-per-task, also the threads each job uses (default 1)',
  },
  { name: 'sbatch-arg', type: 'string', help: 'slurm: one more sbatch argument, repeatable (e.g. --sbatch-arg=--mem=4G --sbatch-arg=--account=lab)' },
  { name: 'help', type: 'boolean', help: 'show this help' },
];

/** Takes every `--sbatch-arg X` / `--sbatch-arg=X` out of argv (repeatable, and X may start with --). */
function takeSbatchArgs(argv: string[]): { rest: string[]; sbatchArgs: string[] } {
  const rest: string[] = [];
  const sbatchArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--sbatch-arg') {
      if (argv[i + 1] === undefined) throw new UsageError('--sbatch-arg needs a value');
      sbatchArgs.push(argv[++i]);
    } else if (argv[i].startsWith('--sbatch-arg=')) sbatchArgs.push(argv[i].slice('--sbatch-arg='.length));
    else rest.push(argv[i]);
  }
  return { rest, sbatchArgs };
}

/** The positional argument (SPEC or DIR) and the flags after it. */
function positional(argv: string[], what: string): [string, string[]] {
  const [p, ...rest] = argv;
  if (!p || p.startsWith('--')) throw new UsageError(`${what} is required\n${USAGE}`);
  return [p, rest];
}

/** The entry of `vae-lab` for the CLI's own children: this bundle (dist/cli.js), run by this node. */
const self = () => ({ cli: resolve(process.argv[1]), nodeArgs: process.execArgv });

export async function sweepMain(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (!sub || sub === '--help' || sub === 'help' || rest.includes('--help')) {
      console.log(`${USAGE}\n\nvae-lab sweep run flags:\n${flagHelp(runFlags)}`);
      return sub ? 0 : 2;
    }
    if (sub === 'run') return await run(rest);
    if (sub === 'status') return status(rest);
    if (sub === 'cancel') return cancel(rest);
    if (sub === 'job') return await job(rest);
    throw new UnknownNameError('sweep command', sub, ['run', 'status', 'cancel', 'job'], `\n${USAGE}`);
  } catch (e) {
    console.error(`vae-lab sweep: ${(e as Error).message}`);
    return e instanceof UsageError || e instanceof UnknownNameError || e instanceof SweepSpecError ? 2 : 1;
  }
}

async function run(argv: string[]): Promise<number> {
  const { rest, sbatchArgs } = takeSbatchArgs(argv);
  const [specPath, more] = positional(rest, 'SPEC (the sweep spec, a JSON file)');
  const flags = parseFlags(more, runFlags);
  if (!flags.out) throw new UsageError('--out DIR is required (the sweep folder)');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(specPath, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read the spec ${specPath}: ${(e as Error).message}`);
  }
  const spec = checkSpec(raw, { train: trainFlags() });
  const executor = (flags.executor as 'local' | 'slurm' | undefined) ?? 'local';
  const slurmOnly = ['partition', 'time', 'cpus-per-task'].filter((k) => flags[k] !== undefined);
  if (executor === 'local' && (slurmOnly.length || sbatchArgs.length))
    throw new UsageError(`--${slurmOnly[0] ?? 'sbatch-arg'} is a Slurm option; add --executor slurm`);
  const ac = new AbortController();
  const onSigint = () => {
    console.error('\nvae-lab sweep: stopping the running jobs (they are recorded as cancelled; run again to resume)...');
    ac.abort();
  };
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const dir = flags.out as string;
  try {
    const summary = await runSweep(spec, dir, {
      ...self(),
      executor,
      jobs: flags.jobs as number | undefined,
      retryFailed: !!flags['retry-failed'],
      slurm: {
        partition: flags.partition as string | undefined,
        time: flags.time as string | undefined,
        cpusPerTask: flags['cpus-per-task'] as number | undefined,
        sbatchArgs,
      },
      signal: ac.signal,
      log: (l) => console.error(l),
    });
    const c = summary.counts;
    const failures = failureReport(dir, summary);
    if (failures) console.error(`\n${failures}\n`);
    console.log(
      `sweep ${summary.name}: ${c.done}/${summary.jobs.length} done, ${c.failed} failed, ${c.cancelled} cancelled${c.queued + c.running ? `, ${c.queued + c.running} not ended` : ''}; summary in ${resolve(dir, 'summary.json')}`,
    );
    if (c.done === summary.jobs.length) return 0;
    if (c.failed) console.error(`vae-lab sweep: ${c.failed} job(s) failed; fix the cause and run again with --retry-failed (done jobs are not run again)`);
    return c.failed ? 1 : 130;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

function status(argv: string[]): number {
  const [dir, more] = positional(argv, 'DIR (a sweep folder)');
  const flags = parseFlags(more, [{ name: 'json', type: 'boolean', help: 'print summary.json' }]);
  const s = loadSweep(dir);
  if (flags.json) {
    const { spec: _spec, metrics: _metrics, ...summary } = s;
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  }
  const c = s.counts;
  // A job still `running` whose driver or process is gone (killed with -9) can never end: shown as interrupted.
  const interrupted = new Map(s.jobs.map((j) => [j.id, j.state === 'running' ? interruptedReason(readJobStatus(jobDir(dir, j.id))) : undefined]));
  const nInterrupted = [...interrupted.values()].filter(Boolean).length;
  console.log(
    `sweep ${s.name} in ${s.dir}: ${s.jobs.length} jobs: ${c.done} done, ${c.running - nInterrupted} running, ${c.queued} queued, ${c.failed} failed, ${c.cancelled} cancelled` +
      (nInterrupted ? `, ${nInterrupted} interrupted (\`vae-lab sweep run\` runs them again)` : ''),
  );
  for (const j of s.jobs) {
    const why = interrupted.get(j.id);
    const state = why ? 'interrupted' : j.state;
    const extra = why ?? (j.state === 'running' ? progressOf(jobDir(dir, j.id)) : (j.reason ?? ''));
    const slurm = j.slurm ? ` slurm ${j.slurm.jobId}_${j.slurm.arrayTaskId} ${j.slurm.state ?? ''}` : '';
    console.log(`  ${state.padEnd(11)} ${j.id}${j.attempt && j.attempt > 1 ? ` (attempt ${j.attempt})` : ''}${slurm}${extra ? `  ${extra}` : ''}`);
  }
  return 0;
}

function cancel(argv: string[]): number {
  const [dir, more] = positional(argv, 'DIR (a sweep folder)');
  parseFlags(more, []);
  const r = cancelSweep(dir);
  console.log(
    `vae-lab sweep: cancel asked for ${resolve(dir)}` +
      (r.killed.length ? `; stopped local job processes ${r.killed.join(', ')}` : '') +
      (r.scancelled.length ? `; scancel ${r.scancelled.join(' ')}` : ''),
  );
  return 0;
}

/** One job of DIR/sweep.json in a child process; under Slurm, the task's ids and restart count go into state.json. */
async function job(argv: string[]): Promise<number> {
  const [dir, more] = positional(argv, 'DIR (a sweep folder)');
  const flags = parseFlags(more, [{ name: 'index', type: 'number', range: { min: 0, integer: true }, help: 'which job of sweep.json' }]);
  const file = readSweepFile(dir);
  if (!file) throw new InvalidArgumentError(`${dir} is not a sweep folder (no sweep.json)`);
  const index = flags.index as number | undefined;
  if (index === undefined || index >= file.jobs.length)
    throw new UsageError(`--index must be 0..${file.jobs.length - 1} (the sweep has ${file.jobs.length} jobs)`);
  const id = file.jobs[index].id;
  if (readJobStatus(jobDir(dir, id)).state === 'done') {
    console.error(`vae-lab sweep job: ${id} is already done`);
    return 0;
  }
  const env = process.env;
  const slurm = env.SLURM_ARRAY_JOB_ID
    ? { jobId: env.SLURM_ARRAY_JOB_ID, arrayTaskId: Number(env.SLURM_ARRAY_TASK_ID), state: 'RUNNING', restarts: Number(env.SLURM_RESTART_COUNT ?? 0) }
    : undefined;
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  let s: JobStatus;
  try {
    s = await runJob(dir, id, { ...self(), executor: slurm ? 'slurm' : 'local', slurm, signal: ac.signal });
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
  console.error(`vae-lab sweep job: ${id} ${s.state}${s.reason ? ` (${s.reason})` : ''}`);
  return s.state === 'done' ? 0 : s.state === 'cancelled' ? 143 : (s.exitCode ?? 1) || 1;
}
