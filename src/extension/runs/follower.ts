/**
 * Follows the jobs of one or more sweep folders while a command waits for them (Train CR-VAE,
 * Run Sweep): their states, their progress and, from the step/epoch events, each job's
 * training curves for the live panel. Reads only what the job engine writes (the contract of
 * src/lab/jobs/files.ts); no vscode, no lab, so the unit tests drive it on folders they write.
 *
 * Changes arrive through fs.watch (recursive where the platform has it) and, because a watch
 * can miss events (network drives, a folder created after the watch), a poll every `pollMs`.
 * Both end in `refresh`, debounced, which reads only the new bytes of each events file.
 */
import { watch, type FSWatcher } from 'node:fs';
import { BoundedSeries, trainingCurvesSpec } from '../../common/curves';
import { ProgressCache, readSweep, type JobNode, type ScanOptions, type SweepNode } from './model';

export interface FollowOptions extends Pick<ScanOptions, 'alive' | 'host'> {
  /** Poll period in ms (default 1000). */
  pollMs?: number;
  /** Wait after a watch event before reading, so a burst of writes is one refresh (default 150). */
  debounceMs?: number;
  /** Kept curve points per term (default 400). */
  maxPoints?: number;
}

const ENDED = new Set(['done', 'failed', 'cancelled', 'stopped']);

export class SweepFollower {
  private readonly curves = new Map<string, { series: BoundedSeries; lastStep: number; changed: boolean }>();
  private readonly cache: ProgressCache;
  private watchers: FSWatcher[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private last: SweepNode[] = [];

  constructor(
    readonly sweepDirs: string[],
    private readonly o: FollowOptions = {},
  ) {
    this.cache = new ProgressCache((dir, events, restarted) => {
      let c = this.curves.get(dir);
      if (!c || restarted) this.curves.set(dir, (c = { series: new BoundedSeries(this.o.maxPoints ?? 400), lastStep: 0, changed: true }));
      for (const ev of events) {
        if (ev.type === 'step') {
          c.lastStep = ev.step;
          c.series.add('step', ev.step, ev.terms ?? {});
          c.changed = true;
        } else if (ev.type === 'epoch') {
          // Its own step where the engine writes it (step events are sparse: every totalSteps/200 steps).
          if (ev.step !== undefined) c.lastStep = Math.max(c.lastStep, ev.step);
          c.series.add('epoch', c.lastStep, ev.terms ?? {});
          c.changed = true;
        }
      }
    });
  }

  /** Reads every sweep now: their nodes (jobs in id order). */
  poll(): SweepNode[] {
    return (this.last = this.sweepDirs.map((d) => readSweep(d, { cache: this.cache, alive: this.o.alive, host: this.o.host })));
  }

  /** The jobs of the last poll. */
  get jobs(): JobNode[] {
    return this.last.flatMap((s) => s.jobs);
  }

  /** Whether every job of the last poll has ended (done, failed, cancelled, or its process gone). */
  get ended(): boolean {
    const jobs = this.jobs;
    return jobs.length > 0 && jobs.every((j) => ENDED.has(j.state));
  }

  /**
   * The curves of the jobs whose events brought new points since the last call: job folder ->
   * vega-lite spec (the same chart the lab's live chart draws), titled by `title(job folder)`.
   */
  changedCharts(title: (dir: string) => string): { dir: string; spec: Record<string, unknown> }[] {
    const out: { dir: string; spec: Record<string, unknown> }[] = [];
    for (const [dir, c] of this.curves) {
      if (!c.changed) continue;
      c.changed = false;
      out.push({ dir, spec: trainingCurvesSpec(c.series.points(), { title: title(dir) }) });
    }
    return out;
  }

  /** Starts watching and polling; `onChange` gets each refresh's nodes. Stop with `dispose`. */
  start(onChange: (sweeps: SweepNode[]) => void): this {
    const refresh = () => {
      this.debounce = undefined;
      try {
        onChange(this.poll());
      } catch {
        /* a folder mid-write: the next poll reads it */
      }
    };
    const soon = () => {
      this.debounce ??= setTimeout(refresh, this.o.debounceMs ?? 150);
    };
    for (const d of this.sweepDirs) {
      try {
        this.watchers.push(watch(d, { recursive: true }, soon));
      } catch {
        try {
          this.watchers.push(watch(d, soon)); // no recursive watch here: the poll covers the job folders
        } catch {
          /* the folder is not there yet: the poll finds it */
        }
      }
    }
    for (const w of this.watchers) w.on('error', () => undefined);
    this.timer = setInterval(soon, this.o.pollMs ?? 1000);
    refresh();
    return this;
  }

  dispose(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = this.debounce = undefined;
  }
}
