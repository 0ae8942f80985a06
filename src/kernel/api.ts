/**
 * What cells see besides their own code: the `display` function family and the `signal`
 * global, and the CellHost (src/common/display.ts) through which the lab shows outputs and
 * answers renderer messages. Everything follows the cell that owns the running code
 * (AsyncLocalStorage), so a display from async work lands in the cell that started it.
 */
import type { MimeBundle } from '../common/protocol';
import { setCellHost, type CellHost, type DisplayHandle } from '../common/display';
import { builders, displayBundle, HIDE_RESULT } from './bundles';
import { send, sendWhenReady } from './channel';
import type { MaybeAsync } from './image';
import { currentCell } from './context';

type Handler = (payload: unknown) => Promise<unknown> | unknown;

/** A display output a cell can replace in place with `update(newValue)`. */
export interface CellDisplayHandle<T> {
  readonly id: string;
  update(value: T): void;
}

const rendererHandlers = new Map<string, Handler>();
let displaySeq = 0;
let lastExecId = 'none';
const idle = new AbortController();

/** The cell that a display belongs to: the owner of the running code, else the last cell. */
function execId(): string {
  const cell = currentCell();
  if (cell) lastExecId = cell.execId;
  return lastExecId;
}

/**
 * Sends a display (or its update). A bundle still being read (a tensor on webgpu) is sent when
 * it is ready, in its place among the cell's outputs; if the read fails, the output says why.
 */
function sendDisplay(data: MaybeAsync<MimeBundle>, displayId: string, update: boolean): void {
  const id = execId();
  const message = (bundle: MimeBundle) => ({ type: 'display' as const, execId: id, displayId, ...(update ? { update: true } : {}), data: bundle });
  if (!(data instanceof Promise)) return send(message(data));
  sendWhenReady(
    data.then(message, (err: unknown) =>
      message({ 'text/plain': `display: the value could not be read (${err instanceof Error ? err.message : String(err)}); nothing was shown` }),
    ),
  );
}

export function show(data: MaybeAsync<MimeBundle>, displayId = `d${process.pid}-${++displaySeq}`): string {
  sendDisplay(data, displayId, false);
  return displayId;
}

export function update(displayId: string, data: MaybeAsync<MimeBundle>): void {
  sendDisplay(data, displayId, true);
}

function shower<T>(build: (value: T) => MaybeAsync<MimeBundle>): (value: T) => CellDisplayHandle<T> {
  return (value: T) => {
    const id = show(build(value));
    // As a cell's last expression the handle would print as a second output: hide it.
    return { id, update: (next: T) => update(id, build(next)), [HIDE_RESULT]: true } as CellDisplayHandle<T>;
  };
}

export const cellHost: CellHost = {
  display(bundle, options): DisplayHandle {
    const id = show(builders.mime(bundle), options?.displayId);
    return { id, update: (next) => update(id, builders.mime(next)) };
  },
  onRendererMessage(channel, handler) {
    rendererHandlers.set(channel, handler);
    return () => {
      if (rendererHandlers.get(channel) === handler) rendererHandlers.delete(channel);
    };
  },
  get signal() {
    return currentCell()?.controller.signal ?? idle.signal;
  },
};

/** Answers a renderer's message with the handler registered for its channel. */
export async function answerRenderer(channel: string, payload: unknown): Promise<{ payload?: unknown; error?: string }> {
  const handler = rendererHandlers.get(channel);
  if (!handler) return { error: `No handler for renderer channel '${channel}' (the kernel may have restarted: re-run the cell that made this output).` };
  try {
    return { payload: await handler(payload) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Puts `display`, `signal` and the CellHost in place (once, at kernel start). */
export function installCellApi(): void {
  const display = Object.assign(shower(displayBundle), {
    png: shower(builders.png),
    html: shower(builders.html),
    markdown: shower(builders.markdown),
    json: shower(builders.json),
    vegalite: shower(builders.vegalite),
    mime: shower(builders.mime),
  });
  Object.defineProperty(globalThis, 'display', { value: display, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'signal', { get: () => cellHost.signal, configurable: true });
  setCellHost(cellHost);
}
