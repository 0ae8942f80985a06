/**
 * Captures everything user code writes: process.stdout/stderr.write (which console.* uses
 * underneath, so the two interleave in the order they were called) become `stream` messages
 * of the owning cell. The real stdout/stderr pipes are left to native code (their text
 * reaches the host through the client as log lines).
 */
import { stream } from './channel';
import { currentCell } from './context';

type Write = typeof process.stdout.write;

function capture(target: NodeJS.WriteStream, name: 'stdout' | 'stderr'): void {
  const write = function (chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    stream(currentCell()?.execId, name, text);
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  };
  target.write = write as Write;
}

export function captureOutput(): void {
  capture(process.stdout, 'stdout');
  capture(process.stderr, 'stderr');
}
