/**
 * The kernel's only way out: messages to the host over the IPC channel. Stream text is
 * coalesced while it comes from the same cell and stream, and flushed before any other
 * message, so order is kept while 10,000 log lines cost a few hundred IPC messages. The
 * buffer is flushed at the next turn of the event loop, or at once when it grows large or
 * old, so output from a long synchronous loop still arrives live.
 *
 * A cell's output can also be a promise (`sendWhenReady`: an image of a tensor that the
 * webgpu backend reads only asynchronously). Until it settles, every later output of a cell
 * (stream, display, result, error, done) waits behind it, so a cell's outputs keep the
 * order its code made them in and `done` comes last. Replies and logs never wait.
 */
import type { KernelToHost } from '../common/protocol';

const MAX_CHARS = 64 * 1024;
const MAX_AGE_MS = 50;
const QUIET_MS = 2;
let lastStreamSent = 0;

let pending: { execId: string | undefined; name: 'stdout' | 'stderr'; text: string; since: number } | undefined;
let scheduled = false;

function post(message: KernelToHost): void {
  // Without a parent (run by hand) there is nobody to tell; the kernel exits on disconnect.
  if (process.connected) process.send!(message);
}

export function flush(): void {
  const p = pending;
  if (!p) return;
  pending = undefined;
  post(
    p.execId === undefined
      ? { type: 'log', level: p.name === 'stderr' ? 'warn' : 'info', text: p.text }
      : { type: 'stream', execId: p.execId, name: p.name, text: p.text },
  );
}

const CELL_OUTPUT = new Set<KernelToHost['type']>(['stream', 'display', 'result', 'error', 'done', 'diagnostics']);

/** Outputs waiting behind an asynchronous one, and the end of their chain. */
let waiting = 0;
let chain: Promise<void> = Promise.resolve();

function enqueue(step: () => void | Promise<void>): void {
  waiting++;
  chain = chain
    .then(step)
    .catch((err: unknown) => post({ type: 'log', level: 'error', text: `an output could not be sent: ${err instanceof Error ? err.message : String(err)}` }))
    .finally(() => {
      waiting--;
    });
}

export function send(message: KernelToHost): void {
  if (waiting > 0 && CELL_OUTPUT.has(message.type)) {
    enqueue(() => {
      flush();
      post(message);
    });
    return;
  }
  flush();
  post(message);
}

/**
 * Sends a cell output once it is ready, keeping its place among the cell's outputs. The promise
 * should not reject: turn a failure into an output (an error text) first.
 */
export function sendWhenReady(message: Promise<KernelToHost>): void {
  enqueue(async () => {
    const m = await message;
    flush();
    post(m);
  });
}

/** Output of a cell (execId) or of no cell (undefined: sent as a `log`). */
export function stream(execId: string | undefined, name: 'stdout' | 'stderr', text: string): void {
  if (text.length === 0) return;
  if (waiting > 0 && execId !== undefined) {
    enqueue(() => streamNow(execId, name, text));
    return;
  }
  streamNow(execId, name, text);
}

function streamNow(execId: string | undefined, name: 'stdout' | 'stderr', text: string): void {
  const now = Date.now();
  if (pending && (pending.execId !== execId || pending.name !== name)) flush();
  // The first write after a pause goes out at once: a loop that prints and then computes
  // for long (blocking the event loop) still shows its line live.
  if (!pending && now - lastStreamSent >= QUIET_MS) {
    lastStreamSent = now;
    pending = { execId, name, text, since: now };
    flush();
    return;
  }
  if (pending) pending.text += text;
  else pending = { execId, name, text, since: now };
  if (pending.text.length >= MAX_CHARS || now - pending.since >= MAX_AGE_MS) {
    lastStreamSent = now;
    flush();
  } else if (!scheduled) {
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flush();
    });
  }
}

export function log(level: 'info' | 'warn' | 'error', text: string): void {
  send({ type: 'log', level, text });
}
