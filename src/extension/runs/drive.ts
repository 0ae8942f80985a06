/**
 * Runs one or more `vae-lab sweep run` drivers under a cancellable progress notification and
 * follows their jobs' files (SweepFollower) for the notification's line and any caller's
 * display (Train CR-VAE's live panel). Cancel asks the engine (`vae-lab sweep cancel DIR`),
 * then ends the drivers' process groups; it resolves only once every driver has exited, so
 * the jobs have ended too.
 */
import * as vscode from 'vscode';
import { SweepFollower } from './follower';
import { progressText, type SweepNode } from './model';
import { SweepProcess, sweepRunArgs, type CliOptions, type Ended, type Executor } from './sweepProcess';

export interface DriveOptions {
  cli: CliOptions;
  /** One driver per spec; each writes its sweep folder `out`. */
  runs: { spec: string; out: string }[];
  executor: Executor;
  title: string;
  log: vscode.LogOutputChannel;
  /** Called on each refresh, after the notification's line is set. */
  onUpdate?: (follower: SweepFollower, sweeps: SweepNode[]) => void;
  /** The notification's line (default: counts, then the running jobs' progress). */
  line?: (sweeps: SweepNode[]) => string;
}

export interface DriveResult {
  status: 'done' | 'failed' | 'cancelled';
  ended: Ended[];
  sweeps: SweepNode[];
  /** The drivers' last output lines (what to show on failure). */
  tail: string;
}

/** "2/4 done, 1 running: seed-1 step 40/100". */
export function defaultLine(sweeps: SweepNode[]): string {
  const jobs = sweeps.flatMap((s) => s.jobs);
  if (!jobs.length) return 'starting…'; // sweep.json not written yet
  const done = jobs.filter((j) => j.state === 'done').length;
  const running = jobs.filter((j) => j.state === 'running');
  const failed = jobs.filter((j) => j.state === 'failed').length;
  const now = running
    .slice(0, 2)
    .map((j) => `${j.id} ${progressText(j)}`.trim())
    .join(', ');
  return `${done}/${jobs.length} done${failed ? `, ${failed} failed` : ''}${running.length ? `, ${running.length} running${now ? `: ${now}` : ''}` : ''}`;
}

export async function driveSweeps(o: DriveOptions): Promise<DriveResult> {
  let cancelled = false;
  let tail = '';
  const follower = new SweepFollower(o.runs.map((r) => r.out));
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: o.title, cancellable: true }, async (progress, token) => {
      const procs = o.runs.map(
        (r) =>
          new SweepProcess({ ...o.cli, cwd: o.cli.cwd }, sweepRunArgs(r.spec, r.out, o.executor), (text) => {
            tail = (tail + text).slice(-4000);
            for (const line of text.split('\n')) if (line.trim()) o.log.info(`[sweep ${r.out.split(/[\\/]/).pop()}] ${line.trimEnd()}`);
          }),
      );
      o.log.info(`Sweep: started ${procs.map((p, i) => `pid ${p.child.pid} (${o.runs[i].out})`).join(', ')}`);
      let lastLine = '';
      follower.start((sweeps) => {
        const line = (o.line ?? defaultLine)(sweeps);
        if (line !== lastLine) progress.report({ message: (lastLine = line) });
        o.onUpdate?.(follower, sweeps);
      });
      token.onCancellationRequested(() => {
        cancelled = true;
        o.log.info('Sweep: cancel requested: vae-lab sweep cancel, then the drivers are stopped');
        progress.report({ message: 'Cancelling…' });
        for (const [i, p] of procs.entries()) void p.cancel([o.runs[i].out]);
      });
      const ended = await Promise.all(procs.map((p) => p.ended));
      follower.dispose();
      const sweeps = follower.poll();
      o.onUpdate?.(follower, sweeps);
      const ok = ended.every((e) => e.code === 0);
      return { status: cancelled ? 'cancelled' : ok ? 'done' : 'failed', ended, sweeps, tail };
    });
  } finally {
    follower.dispose();
  }
}
