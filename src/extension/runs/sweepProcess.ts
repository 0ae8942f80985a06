/**
 * Runs the bundled `vae-lab` CLI (dist/cli.js) from the extension host: `sweep run` as a child
 * process in its own process group, `sweep cancel`, and the end of it all. Argument arrays
 * only, never a shell. The Node that runs it is the kernels' (setting vaeLab.nodePath; empty:
 * VS Code's own runtime, Electron run as Node). No vscode import: the unit tests spawn it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface CliOptions {
  /** dist/cli.js of the installed extension. */
  cliScript: string;
  /** vaeLab.nodePath; undefined = this process's runtime. */
  nodePath?: string;
  /** Added to this process's environment (the data folder setting, ...). */
  env?: Record<string, string>;
  cwd?: string;
}

/** The executable, its leading arguments and the environment that run `vae-lab ...args`. */
export function cliCommand(o: CliOptions, args: string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const electron = !o.nodePath && !!process.versions.electron;
  return {
    command: o.nodePath ?? process.execPath,
    args: [o.cliScript, ...args],
    env: { ...process.env, ...o.env, ...(electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
  };
}

export type Executor = 'local' | 'slurm';

/** argv of `vae-lab sweep run SPEC --out DIR --executor E [--jobs N] [--retry-failed]`. */
export function sweepRunArgs(spec: string, out: string, executor: Executor = 'local', o: { jobs?: number; retryFailed?: boolean } = {}): string[] {
  return [
    'sweep',
    'run',
    spec,
    '--out',
    out,
    '--executor',
    executor,
    ...(o.jobs ? ['--jobs', String(o.jobs)] : []),
    ...(o.retryFailed ? ['--retry-failed'] : []),
  ];
}

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs `vae-lab ...args` to its end, collecting its output (for `sweep cancel`, `sweep status`). */
export function runCli(o: CliOptions, args: string[], timeoutMs = 60_000): Promise<Ended & { output: string }> {
  const c = cliCommand(o, args);
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(c.command, c.args, { env: c.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, output: output + e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/**
 * A running `vae-lab sweep run` driver. It leads its own process group (detached), so its
 * local jobs, which it starts as its children, are in that group too: killing the group ends
 * them all even if the driver cannot clean up.
 */
export class SweepProcess {
  readonly child: ChildProcess;
  readonly ended: Promise<Ended>;
  private exited = false;

  constructor(
    private readonly o: CliOptions,
    args: string[],
    onOutput: (text: string) => void,
  ) {
    const c = cliCommand(o, args);
    this.child = spawn(c.command, c.args, { env: c.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    this.child.stdout?.on('data', (b: Buffer) => onOutput(b.toString()));
    this.child.stderr?.on('data', (b: Buffer) => onOutput(b.toString()));
    this.ended = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.exited = true;
        onOutput(`could not start ${c.command}: ${e.message}\n`);
        resolve({ code: null, signal: null });
      });
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Signals the driver's whole process group (the driver alone where there are no groups). */
  kill(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return;
    try {
      if (process.platform !== 'win32') process.kill(-pid, signal);
      else this.child.kill(signal);
    } catch {
      /* already gone */
    }
  }

  /**
   * Cancels: `vae-lab sweep cancel DIR` for each sweep (the engine's own way: it marks the jobs
   * cancelled and stops them, scancel on Slurm); if the driver has not ended `graceMs` later,
   * SIGTERM to its group, then SIGKILL. Resolves when the driver has exited.
   */
  async cancel(sweepDirs: string[], graceMs = 15_000): Promise<Ended> {
    await Promise.all(sweepDirs.map((d) => runCli(this.o, ['sweep', 'cancel', d], 30_000)));
    const within = (ms: number) => Promise.race([this.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    if (!(await within(graceMs))) {
      this.kill('SIGTERM');
      if (!(await within(5_000))) this.kill('SIGKILL');
    }
    return this.ended;
  }
}
