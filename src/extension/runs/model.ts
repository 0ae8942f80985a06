/**
 * The "VAE Lab Runs" view's model: turns run folders on disk (the contract of
 * src/lab/jobs/files.ts) into tree nodes. Pure of vscode (node:fs only), so the unit tests
 * build folders and check the nodes; the view (runsView.ts) only maps nodes to tree items.
 *
 * Where runs are looked for (README "Runs view"):
 *   - every workspace folder's `vae-lab-runs/`: each child is a sweep (holds sweep.json), a
 *     lone run (holds state.json / events.jsonl / job.json), or a plain folder whose children
 *     are such (Train CR-VAE writes one folder per training with one sweep per model);
 *   - the workspace folder itself and its direct children, when they are a sweep or a lone run
 *     (a sweep run with `--out my-sweep` anywhere at the top).
 *
 * A job's state is state.json as readJobStatus reads it (done only with metrics.json). Events
 * never make a job done: a job killed after its `done` event but before its state was written
 * reads as running, and a `running` job whose process is gone on this host reads `stopped`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import {
  interruptedReason,
  pidAlive,
  JOB_STATES,
  jobDir,
  jobFiles,
  listJobIds,
  readEvents,
  readJobStatus,
  type JobEvent,
  type JobParams,
  type JobState,
  type JobStatus,
} from '../../lab/jobs/files';

export const RUNS_FOLDER = 'vae-lab-runs';

/** A job's state as shown: the contract's, plus `stopped` (running on this host, process gone). */
export type ShownState = JobState | 'stopped';

/** What a job's events say so far. */
export interface JobProgress {
  step?: number;
  totalSteps?: number;
  epoch?: number;
  epochs?: number;
  phase?: string;
  /** The newest step's terms (loss, ...). */
  terms?: Record<string, number>;
  error?: string;
}

export interface JobNode {
  kind: 'job';
  /** The job's folder (a sweep's jobs/<id>, or a lone run's folder). */
  dir: string;
  id: string;
  /** The sweep folder it belongs to (undefined for a lone run). */
  sweepDir?: string;
  state: ShownState;
  status: JobStatus;
  params?: JobParams;
  progress: JobProgress;
  hasResults: boolean;
  hasMetrics: boolean;
  hasLog: boolean;
}

export interface SweepNode {
  kind: 'sweep';
  dir: string;
  name: string;
  jobs: JobNode[];
  counts: Record<ShownState, number>;
}

export interface FolderNode {
  kind: 'folder';
  dir: string;
  name: string;
  children: RunNode[];
}

export type RunNode = JobNode | SweepNode | FolderNode;

/** Whether `dir` is a lone run: a job folder's files directly in it. */
export function isRunDir(dir: string): boolean {
  const f = jobFiles(dir);
  return existsSync(f.state) || existsSync(f.events) || existsSync(f.spec);
}

const isSweep = (dir: string) => existsSync(join(dir, 'sweep.json'));

/**
 * Per job folder: the offset read so far in events.jsonl and the progress up to it, so a
 * refresh reads only the new bytes. A file that shrank (a retry starts a new one) is read again.
 */
export class ProgressCache {
  private readonly entries = new Map<string, { offset: number; progress: JobProgress }>();
  /** `onEvents` sees each job's new events once, in order (the follower draws curves from them). */
  constructor(private readonly onEvents?: (dir: string, events: JobEvent[], restarted: boolean) => void) {}

  read(dir: string): JobProgress {
    let e = this.entries.get(dir);
    let size = 0;
    try {
      size = statSync(jobFiles(dir).events).size;
    } catch {
      /* no events yet */
    }
    const restarted = !!e && size < e.offset;
    if (!e || restarted) this.entries.set(dir, (e = { offset: 0, progress: {} }));
    const { events, offset } = readEvents(dir, e.offset);
    if (events.length || restarted) this.onEvents?.(dir, events, restarted);
    e.offset = offset;
    e.progress = applyEvents(e.progress, events);
    return e.progress;
  }
}

/** Folds events into a progress record (the newest of each kind wins). */
export function applyEvents(p: JobProgress, events: JobEvent[]): JobProgress {
  const out = { ...p };
  for (const ev of events) {
    switch (ev.type) {
      case 'step':
        out.step = ev.step;
        if (ev.totalSteps !== undefined) out.totalSteps = ev.totalSteps;
        // A step event carries the trainer's epoch index (from 0); an epoch event the count of ended
        // epochs (from 1). Shown: the epoch being trained, from 1, so the two agree.
        if (ev.epoch !== undefined) out.epoch = ev.epoch + 1;
        out.terms = ev.terms;
        break;
      case 'epoch':
        out.epoch = ev.epoch;
        // Step events come every totalSteps/200 steps; an epoch's end moves the step on between them.
        if (ev.step !== undefined && (out.step === undefined || ev.step > out.step)) out.step = ev.step;
        if (ev.epochs !== undefined) out.epochs = ev.epochs;
        break;
      case 'phase':
        out.phase = ev.phase;
        break;
      case 'error':
        out.error = ev.message;
        break;
      case 'done':
        out.phase = 'done';
        break;
    }
  }
  return out;
}

export interface ScanOptions {
  cache?: ProgressCache;
  /** Whether a pid lives (tests pass their own). */
  alive?: (pid: number) => boolean;
  /** This machine's name, to tell whether a state.json's pid is ours. */
  host?: string;
}

export function readJob(dir: string, id: string, sweepDir: string | undefined, params: JobParams | undefined, o: ScanOptions = {}): JobNode {
  const status = readJobStatus(dir);
  const progress = (o.cache ?? new ProgressCache()).read(dir);
  let state: ShownState = status.state;
  // A local job that says running but whose process or driver is gone was killed without a chance to say so.
  if (state === 'running' && interruptedReason(status, { host: o.host ?? hostname(), alive: o.alive ?? pidAlive })) state = 'stopped';
  const f = jobFiles(dir);
  return {
    kind: 'job',
    dir,
    id,
    sweepDir,
    state,
    status,
    params,
    progress,
    hasResults: existsSync(join(dir, 'results.ipynb')),
    hasMetrics: existsSync(f.metrics),
    hasLog: existsSync(f.log),
  };
}

export function readSweep(dir: string, o: ScanOptions = {}): SweepNode {
  let spec: { name?: string; jobs?: { id: string; params: JobParams }[] } = {};
  try {
    spec = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'));
  } catch {
    /* being written: the folder's name and the job folders still show */
  }
  const params = new Map((spec.jobs ?? []).map((j) => [j.id, j.params]));
  // Jobs of the spec not started yet have no folder: they show as queued all the same.
  const ids = [...new Set([...(spec.jobs ?? []).map((j) => j.id), ...listJobIds(dir)])].sort();
  const jobs = ids.map((id) => readJob(jobDir(dir, id), id, dir, params.get(id), o));
  const counts = Object.fromEntries([...JOB_STATES, 'stopped'].map((s) => [s, 0])) as Record<ShownState, number>;
  for (const j of jobs) counts[j.state]++;
  return { kind: 'sweep', dir, name: spec.name ?? basename(dir), jobs, counts };
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
      .map((e) => join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** The node of one folder, or undefined when it holds no run (`depth` levels of plain folders are looked into). */
export function readNode(dir: string, depth: number, o: ScanOptions): RunNode | undefined {
  if (isSweep(dir)) return readSweep(dir, o);
  if (isRunDir(dir)) return readJob(dir, basename(dir), undefined, undefined, o);
  if (depth <= 0) return undefined;
  const children = subdirs(dir)
    .map((d) => readNode(d, depth - 1, o))
    .filter((n): n is RunNode => n !== undefined);
  return children.length ? { kind: 'folder', dir, name: basename(dir), children } : undefined;
}

/** The top-level nodes for these workspace folders (see the file comment for where runs are looked for). */
export function scanWorkspace(folders: string[], o: ScanOptions = {}): RunNode[] {
  const out: RunNode[] = [];
  for (const root of folders) {
    const top = isSweep(root) || isRunDir(root) ? readNode(root, 0, o) : undefined;
    if (top) {
      out.push(top);
      continue;
    }
    const runs = join(root, RUNS_FOLDER);
    for (const d of subdirs(runs)) {
      const n = readNode(d, 1, o);
      if (n) out.push(n);
    }
    for (const d of subdirs(root)) {
      if (d === runs) continue;
      const n = readNode(d, 0, o);
      if (n) out.push(n);
    }
  }
  return out;
}

/** Every job under these nodes. */
export function jobsOf(nodes: RunNode[]): JobNode[] {
  return nodes.flatMap((n) => (n.kind === 'job' ? [n] : n.kind === 'sweep' ? n.jobs : jobsOf(n.children)));
}

/** "step 120/600" / "epoch 2/5" / the phase: a job's progress in a few words. */
export function progressText(j: Pick<JobNode, 'state' | 'progress'>): string {
  const p = j.progress;
  const parts: string[] = [];
  if (p.step !== undefined) parts.push(`step ${p.step}${p.totalSteps ? `/${p.totalSteps}` : ''}`);
  if (p.epoch !== undefined) parts.push(`epoch ${p.epoch}${p.epochs ? `/${p.epochs}` : ''}`);
  if (!parts.length && p.phase && j.state === 'running') parts.push(p.phase);
  return parts.join(', ');
}

/** A job's line beside its name: state, then progress while it runs, or the reason it ended. */
export function jobDescription(j: JobNode): string {
  const progress = progressText(j);
  if (j.state === 'running') return progress ? `running, ${progress}` : 'running';
  if (j.state === 'stopped') return `stopped (its process is gone)${progress ? `, at ${progress}` : ''}`;
  if ((j.state === 'failed' || j.state === 'cancelled') && j.status.reason) return `${j.state}: ${j.status.reason}`;
  return j.state;
}

/** A sweep's line: its counts by state, e.g. "2 done, 1 running, 1 queued". */
export function sweepDescription(s: SweepNode): string {
  const order: ShownState[] = ['running', 'queued', 'done', 'failed', 'cancelled', 'stopped'];
  const parts = order.filter((k) => s.counts[k] > 0).map((k) => `${s.counts[k]} ${k}`);
  return parts.length ? parts.join(', ') : 'no jobs';
}

/**
 * What the view shows of `nodes`, as one string: two scans that show the same tree give the
 * same string. The view redraws only when it changes, so a poll of a quiet running job neither
 * flickers the list nor swaps the rows under a click (an inline action's row must still be the
 * tree's when its command arrives).
 */
export function treeSignature(nodes: RunNode[]): string {
  return JSON.stringify(nodes);
}
