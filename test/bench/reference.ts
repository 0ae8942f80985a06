/**
 * The bench's references, measured in the same sitting: reference.py as a long-lived child
 * (PyTorch for the VAE steps, numpy for the matmul) that the bench asks for timed runs between
 * its own, so both sides see the same minutes of a host whose speed drifts by up to 2x.
 * Nothing here remembers a figure: an absent reference is reported as absent.
 */
import { spawn, spawnSync, ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, Interface } from 'node:readline';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'reference.py');

/** The first python that imports `module`: BENCH_PYTHON, then python3, then the system's. */
export function findPython(module: string): string | undefined {
  const candidates = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  return candidates.find((py) => spawnSync(py, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0);
}

export class Reference {
  private lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private closed = false;
  private readonly rl: Interface;
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.rl = createInterface({ input: child.stdout });
    this.rl.on('line', (l) => this.take(l));
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    child.on('exit', () => {
      this.closed = true;
      this.take(undefined);
    });
  }

  private take(line: string | undefined): void {
    const w = this.waiting;
    this.waiting = undefined;
    if (w) w(line);
    else if (line !== undefined) this.lines.push(line);
  }

  /** Starts reference.py under `python` with `env` (the process's own, changed by `envEdit`). */
  static start(python: string, args: string[], envEdit: (env: NodeJS.ProcessEnv) => void = () => {}): Reference {
    const env = { ...process.env };
    envEdit(env);
    return new Reference(spawn(python, [SCRIPT, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** One command, one JSON answer; throws with the child's stderr when it died or erred. */
  async ask<T>(command: string): Promise<T> {
    if (this.closed) throw new Error(`reference.py exited: ${this.stderr.trim()}`);
    this.child.stdin.write(command + '\n');
    const line =
      this.lines.shift() ??
      (await new Promise<string | undefined>((r) => {
        this.waiting = r;
      }));
    if (line === undefined) throw new Error(`reference.py exited: ${this.stderr.trim()}`);
    const obj = JSON.parse(line) as T & { error?: string };
    if (obj.error) throw new Error(obj.error);
    return obj;
  }

  /** Timed runs of a named step (ms each), after `warm` untimed ones. */
  async time(name: string, reps: number, warm: number): Promise<number[]> {
    return (await this.ask<{ ms: number[] }>(`time ${name} ${reps} ${warm}`)).ms;
  }

  close(): void {
    this.closed = true;
    this.child.stdin.end();
    this.rl.close();
  }
}
