/**
 * The seam between the lab (which builds outputs and runs long loops) and whatever hosts it:
 * the kernel process installs a `CellHost` while a notebook runs; the command line installs
 * none (or its own). The lab never imports the kernel: it asks `currentHost()`.
 *
 * Kept on `globalThis` under a registered symbol so the lab and the kernel agree on one
 * instance even when they were bundled separately.
 */
import type { MimeBundle } from './protocol';

export interface DisplayHandle {
  /** Stable id; outputs with the same id are replaced in place. */
  readonly id: string;
  /** Replace the output in place (progress bars, live charts). */
  update(bundle: MimeBundle): void;
}

export interface CellHost {
  /** Show a MIME bundle in the running cell. `displayId` lets a later call update it. */
  display(bundle: MimeBundle, options?: { displayId?: string }): DisplayHandle;
  /**
   * Answer messages that a renderer sends on `channel` (e.g. the live latent traversal
   * asking for decoded frames). Returns a function that unregisters the handler.
   */
  onRendererMessage(channel: string, handler: (payload: unknown) => Promise<unknown> | unknown): () => void;
  /** Aborted when the user interrupts the running cell. Long loops check it between steps. */
  readonly signal: AbortSignal;
}

const KEY = Symbol.for('vae-lab.cell-host');

export function setCellHost(host: CellHost | undefined): void {
  (globalThis as Record<symbol, unknown>)[KEY] = host;
}

export function currentHost(): CellHost | undefined {
  return (globalThis as Record<symbol, unknown>)[KEY] as CellHost | undefined;
}
