/**
 * Request/response over the notebook renderer messaging channel. VS Code gives renderers only
 * fire-and-forget `postMessage` and an `onDidReceiveMessage` event; requests carry a `reqId`
 * and the extension answers with the same id (RendererRequest/RendererResponse in
 * common/mime.ts). A request that gets no answer in time (kernel gone, extension without
 * messaging) rejects, and the caller falls back to saved data.
 */
import type { RendererContext } from 'vscode-notebook-renderer';
import type { RendererRequest, RendererResponse } from '../common/mime';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class KernelChannel {
  private readonly pending = new Map<string, Pending>();
  private readonly sub?: { dispose(): void };
  private next = 0;

  constructor(private readonly ctx: RendererContext<unknown>) {
    this.sub = ctx.onDidReceiveMessage?.((m: unknown) => this.receive(m));
  }

  /** True when this VS Code lets the renderer talk to the extension at all. */
  get available(): boolean {
    return typeof this.ctx.postMessage === 'function' && this.sub !== undefined;
  }

  request(channel: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    if (!this.available) return Promise.reject(new Error('renderer messaging is not available'));
    const reqId = `r${Date.now().toString(36)}-${this.next++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        reject(new Error('the kernel did not answer'));
      }, timeoutMs);
      this.pending.set(reqId, { resolve, reject, timer });
      const msg: RendererRequest = { type: 'request', reqId, channel, payload };
      this.ctx.postMessage!(msg);
    });
  }

  private receive(m: unknown): void {
    const r = m as RendererResponse;
    if (!r || r.type !== 'response' || typeof r.reqId !== 'string') return;
    const p = this.pending.get(r.reqId);
    if (!p) return; // answered after its timeout, or meant for another renderer instance
    this.pending.delete(r.reqId);
    clearTimeout(p.timer);
    if (r.error !== undefined) p.reject(new Error(r.error));
    else p.resolve(r.payload);
  }

  dispose(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.sub?.dispose();
  }
}
