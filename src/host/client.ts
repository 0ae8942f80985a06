/**
 * KernelClient: starts one kernel process (dist/kernel.js) and talks to it over the Node IPC
 * channel. Used by the extension host, the headless notebook runner and the tests. Node only;
 * no vscode, no tfjs.
 *
 * Lifecycle: start() spawns the process and sends `init`; execute() sends one cell and resolves
 * on its `done`. If the process dies, the running cells end with a KernelDiedError output and a
 * `done` with status 'error', and the next execute() starts a fresh kernel. restart() = kill +
 * start. Interrupt goes two ways, because neither reaches every case: the IPC `interrupt`
 * (aborts the cell's AbortSignal, seen by async work that watches it; the cell ends at once)
 * and, only if the cell is still running a moment later, SIGINT, which breaks busy synchronous
 * cell code, also after an await (vm breakOnSigint, see src/kernel/awaiter.ts). Not on
 * Windows, where SIGINT would kill the process: there only the AbortSignal stops a cell.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import type {
  CompleteReply,
  DoneMessage,
  ExecuteRequest,
  HoverReply,
  HostToKernel,
  KernelToHost,
  LogMessage,
  ReadyMessage,
  RendererMessageReply,
  RuntimeInfo,
  TypeCheckMode,
  BackendChoice,
} from '../common/protocol';
import { isKernelToHost } from '../common/protocol';
import { KernelDiedError, KernelDisposedError, KernelStartError, NodeNotFoundError, NodeTooOldError, lastWords } from './errors';

export { KernelDiedError, KernelDisposedError, KernelStartError, NodeNotFoundError, NodeTooOldError } from './errors';

/** Messages that belong to one cell run (everything but its `done`). */
export type CellMessage = Exclude<Extract<KernelToHost, { execId: string }>, DoneMessage>;

export type KernelState = 'stopped' | 'starting' | 'idle' | 'busy' | 'dead' | 'disposed';

export interface KernelClientOptions {
  /** Node executable; default: the one running this process (Electron runs as node). */
  nodePath?: string;
  /** Absolute path of the kernel bundle (dist/kernel.js). */
  kernelScript: string;
  /** Working directory of the kernel; default notebookDir. */
  cwd?: string;
  /** Extra environment, merged over this process's. */
  env?: Record<string, string | undefined>;
  /** Extra node flags, e.g. ['--max-old-space-size=8192']. */
  execArgv?: string[];
  /** Folder of the notebook: imports resolve from here first. */
  notebookDir: string;
  /** Default 'warn'. */
  typeCheck?: TypeCheckMode;
  /** Default 'auto'. */
  backend?: BackendChoice;
  extraModuleDirs?: string[];
  /** How long start() waits for `ready` (ms). Default 120 s (first tfjs load can be slow). */
  startTimeoutMs?: number;
}

/** What execute() takes: the protocol request without the fields the client fills in. */
export interface CellRequest {
  code: string;
  language?: ExecuteRequest['language'];
  cellNumber?: number;
  execId?: string;
}

type Listener<T> = (value: T) => void;

interface Running {
  onMessage?: (message: CellMessage) => void;
  resolve: (done: DoneMessage) => void;
  started: number;
}

interface PendingRequest {
  resolve: (reply: KernelToHost) => void;
  reject: (err: Error) => void;
}

/** The oldest Node the kernel runs on: 20.15 brought zlib.crc32 (the lab's .npz reader uses it). */
export const MIN_NODE: [number, number] = [20, 15];

/** Whether version `v` ('20.14.0', 'v22.1.0') is at least MIN_NODE. */
export function nodeNewEnough(v: string): boolean {
  const [major, minor] = v.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}
/** How long interrupt() lets the kernel end a cell through the IPC message before sending SIGINT. */
const SIGINT_GRACE_MS = 250;
const nodeChecks = new Map<string, Promise<string>>();

/** Resolves the version of `nodePath` (cached per path), or rejects with a typed error. */
export function checkNode(nodePath: string, env: NodeJS.ProcessEnv): Promise<string> {
  let check = nodeChecks.get(nodePath);
  if (!check) {
    check =
      nodePath === process.execPath && !process.versions.electron
        ? Promise.resolve(process.versions.node)
        : new Promise<string>((resolve, reject) => {
            execFile(nodePath, ['-p', 'process.versions.node'], { env, timeout: 20_000 }, (err, stdout) => {
              if (err) reject(new NodeNotFoundError(nodePath, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : err.message.split('\n')[0]));
              else resolve(stdout.trim());
            });
          });
    check = check.then((version) => {
      if (!nodeNewEnough(version)) throw new NodeTooOldError(nodePath, `v${version}`);
      return version;
    });
    check.catch(() => nodeChecks.delete(nodePath));
    nodeChecks.set(nodePath, check);
  }
  return check;
}

/**
 * The kernel's raw stderr as whole lines for the log, with every line too long to read left
 * out: Node prints the source line above a fatal error, for the bundle kilobytes of minified
 * code, and it may arrive split over several chunks.
 */
class LineFilter {
  private partial = '';
  private skipped = 0;

  push(chunk: string): string {
    let out = '';
    for (const piece of chunk.split(/(?<=\n)/)) {
      const ends = piece.endsWith('\n');
      if (this.skipped > 0 || this.partial.length + piece.length > MAX_LOG_LINE) {
        this.skipped += this.partial.length + piece.length;
        this.partial = '';
        if (ends) {
          out += `[${this.skipped - 1} characters of source left out]\n`;
          this.skipped = 0;
        }
      } else if (ends) {
        out += this.partial + piece;
        this.partial = '';
      } else this.partial += piece;
    }
    return out;
  }
}

const MAX_LOG_LINE = 300;

export class KernelClient {
  private child: ChildProcess | undefined;
  private starting: Promise<ReadyMessage> | undefined;
  private readonly running = new Map<string, Running>();
  private readonly requests = new Map<string, PendingRequest>();
  private readonly listeners = {
    runtime: new Set<Listener<RuntimeInfo>>(),
    log: new Set<Listener<LogMessage>>(),
    exit: new Set<Listener<KernelDiedError | undefined>>(),
    lateOutput: new Set<Listener<CellMessage>>(),
    state: new Set<Listener<KernelState>>(),
  };
  private seq = 0;
  private stderrTail = '';
  private stderrLines = new LineFilter();
  private _state: KernelState = 'stopped';
  /** Set while we kill the process on purpose (restart/dispose): its exit is not a death. */
  private expectedExit = new WeakSet<ChildProcess>();
  ready: ReadyMessage | undefined;
  runtime: RuntimeInfo | undefined;

  constructor(readonly options: KernelClientOptions) {}

  get state(): KernelState {
    return this._state;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the kernel (if not running) and resolves with its `ready` message. */
  start(): Promise<ReadyMessage> {
    if (this._state === 'disposed') return Promise.reject(new KernelDisposedError());
    if (!this.starting) {
      this.starting = this.spawnKernel();
      this.starting.catch(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  /**
   * Runs one cell. `onMessage` gets its outputs in the order the kernel sent them. Resolves
   * with the kernel's `done`; if the kernel dies meanwhile, `onMessage` first gets an `error`
   * (ename 'KernelDiedError') and the promise resolves with status 'error'.
   */
  async execute(request: CellRequest, onMessage?: (message: CellMessage) => void): Promise<DoneMessage> {
    await this.start();
    const execId = request.execId ?? `e${++this.seq}`;
    const done = new Promise<DoneMessage>((resolve) => {
      this.running.set(execId, { onMessage, resolve, started: Date.now() });
    });
    this.setState('busy');
    this.send({
      type: 'execute',
      execId,
      cellNumber: request.cellNumber ?? this.seq,
      language: request.language ?? 'typescript',
      code: request.code,
    });
    return done;
  }

  /** Stops the running cell; the kernel and its state stay. No-op when idle. */
  interrupt(): void {
    const child = this.child;
    // The kernel runs cells in the order they were sent: the first one pending is the running one.
    const execId = this.running.keys().next().value as string | undefined;
    if (!child || execId === undefined) return;
    this.send({ type: 'interrupt', execId });
    if (process.platform === 'win32') return;
    // SIGINT only when the kernel did not end the cell in time, i.e. its event loop is stuck in
    // synchronous cell code, which runs inside a vm breakOnSigint call. Sent at once, it could
    // land between two such calls of an async cell, where node's default action for SIGINT
    // ends the process (seen in tests: the kernel died instead of stopping a cell).
    setTimeout(() => {
      if (this.child === child && this.running.has(execId)) child.kill('SIGINT');
    }, SIGINT_GRACE_MS).unref();
  }

  /** Kills the process (state is lost) and starts a fresh one. */
  async restart(): Promise<ReadyMessage> {
    this.stop();
    return this.start();
  }

  /** Shuts the kernel down for good. */
  dispose(): void {
    this.stop();
    this.setState('disposed');
  }

  complete(code: string, offset: number): Promise<CompleteReply> {
    return this.request<CompleteReply>({ type: 'complete', reqId: this.reqId(), code, offset });
  }

  hover(code: string, offset: number): Promise<HoverReply> {
    return this.request<HoverReply>({ type: 'hover', reqId: this.reqId(), code, offset });
  }

  /** Forwards a renderer's message to the handler the lab registered on `channel`. */
  rendererMessage(channel: string, payload: unknown): Promise<RendererMessageReply> {
    return this.request<RendererMessageReply>({ type: 'rendererMessage', reqId: this.reqId(), channel, payload });
  }

  onRuntime(l: Listener<RuntimeInfo>): () => void {
    return this.on('runtime', l);
  }
  onLog(l: Listener<LogMessage>): () => void {
    return this.on('log', l);
  }
  /** The process ended: with a KernelDiedError if it died, undefined if we stopped it. */
  onExit(l: Listener<KernelDiedError | undefined>): () => void {
    return this.on('exit', l);
  }
  /** Output of a cell whose `done` was already sent (async work it left running). */
  onLateOutput(l: Listener<CellMessage>): () => void {
    return this.on('lateOutput', l);
  }
  onState(l: Listener<KernelState>): () => void {
    return this.on('state', l);
  }

  // ------------------------------------------------------------------ internals

  private on<K extends keyof KernelClient['listeners']>(kind: K, l: Parameters<KernelClient['listeners'][K]['add']>[0]): () => void {
    const set = this.listeners[kind] as Set<typeof l>;
    set.add(l);
    return () => set.delete(l);
  }

  private emit<K extends keyof KernelClient['listeners']>(kind: K, value: Parameters<Parameters<KernelClient['listeners'][K]['add']>[0]>[0]): void {
    for (const l of this.listeners[kind] as Set<(v: typeof value) => void>) l(value);
  }

  private setState(state: KernelState): void {
    if (this._state === state || this._state === 'disposed') return;
    this._state = state;
    this.emit('state', state);
  }

  private reqId(): string {
    return `r${++this.seq}`;
  }

  private async request<T extends KernelToHost>(message: HostToKernel & { reqId: string }): Promise<T> {
    await this.start();
    return new Promise<T>((resolve, reject) => {
      this.requests.set(message.reqId, { resolve: resolve as (r: KernelToHost) => void, reject });
      this.send(message);
    });
  }

  private send(message: HostToKernel): void {
    const child = this.child;
    if (child?.connected) child.send(message);
  }

  private async spawnKernel(): Promise<ReadyMessage> {
    const o = this.options;
    const electron = !o.nodePath && !!process.versions.electron;
    const nodePath = o.nodePath ?? process.execPath;
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, ...(electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) };
    const nodeVersion = await checkNode(nodePath, env);
    this.setState('starting');
    this.stderrTail = '';
    this.stderrLines = new LineFilter();
    let child: ChildProcess;
    try {
      child = spawn(nodePath, [...(o.execArgv ?? []), o.kernelScript], {
        cwd: o.cwd ?? o.notebookDir,
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
        windowsHide: true,
      });
    } catch (err) {
      throw new NodeNotFoundError(nodePath, (err as Error).message);
    }
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (t: string) => this.emit('log', { type: 'log', level: 'info', text: t }));
    child.stderr?.setEncoding('utf8').on('data', (t: string) => {
      // Long enough to hold a fatal error's stack after a kilobytes-long minified source line.
      this.stderrTail = (this.stderrTail + t).slice(-16_000);
      const lines = this.stderrLines.push(t);
      if (lines) this.emit('log', { type: 'log', level: 'error', text: lines });
    });
    child.on('error', () => undefined);

    const ready = new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new KernelStartError(`The kernel did not start within ${(o.startTimeoutMs ?? 120_000) / 1000} s. ${lastWords(this.stderrTail)}`));
        this.kill(child);
      }, o.startTimeoutMs ?? 120_000);
      child.on('message', (raw) => {
        if (!isKernelToHost(raw)) return;
        const m = raw as KernelToHost;
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve(m);
        }
        this.handleMessage(m);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new KernelStartError(`The kernel exited while starting (${signal ?? `code ${code}`}). ${lastWords(this.stderrTail)}`));
        this.handleExit(child, code, signal);
      });
    });
    this.send({
      type: 'init',
      notebookDir: o.notebookDir,
      typeCheck: o.typeCheck ?? 'warn',
      backend: o.backend ?? 'auto',
      extraModuleDirs: o.extraModuleDirs,
    });
    const msg = await ready;
    if (!msg.nodeVersion) msg.nodeVersion = nodeVersion;
    this.ready = msg;
    if (msg.runtime) this.runtime = msg.runtime;
    if (this.child === child) this.setState(this.running.size ? 'busy' : 'idle');
    return msg;
  }

  private handleMessage(m: KernelToHost): void {
    switch (m.type) {
      case 'ready':
        return;
      case 'runtime':
        this.runtime = m.runtime;
        this.emit('runtime', m.runtime);
        return;
      case 'log':
        this.emit('log', m);
        return;
      case 'completeReply':
      case 'hoverReply':
      case 'rendererReply': {
        const r = this.requests.get(m.reqId);
        this.requests.delete(m.reqId);
        r?.resolve(m);
        return;
      }
      case 'done': {
        const r = this.running.get(m.execId);
        this.running.delete(m.execId);
        if (this.running.size === 0 && this._state === 'busy') this.setState('idle');
        r?.resolve(m);
        return;
      }
      default: {
        const r = this.running.get(m.execId);
        if (r) r.onMessage?.(m);
        else this.emit('lateOutput', m);
      }
    }
  }

  private handleExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.starting = undefined;
    const expected = this.expectedExit.has(child);
    const died = expected ? undefined : new KernelDiedError(code, signal, lastWords(this.stderrTail) || undefined);
    const reason = died ?? new KernelDisposedError();
    for (const [execId, r] of this.running) {
      r.onMessage?.({ type: 'error', execId, ename: reason.name, evalue: reason.message, stack: `${reason.name}: ${reason.message}` });
      r.resolve({ type: 'done', execId, status: 'error', durationMs: Date.now() - r.started });
    }
    this.running.clear();
    for (const r of this.requests.values()) r.reject(reason);
    this.requests.clear();
    this.setState(died ? 'dead' : 'stopped');
    this.emit('exit', died);
  }

  private stop(): void {
    const child = this.child;
    if (!child) return;
    this.expectedExit.add(child);
    this.send({ type: 'shutdown' });
    this.kill(child);
    // Report the end now: callers of restart() must not see the old process's cells hang.
    this.handleExit(child, null, 'SIGKILL');
  }

  private kill(child: ChildProcess): void {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
