/**
 * The `tslab` module as cells see it: the kernel's own implementation of tslab's public API
 * (tslab/dist/public.d.ts of tslab 1.0.22), so notebooks written for tslab run unchanged.
 * tslab's own module cannot serve: its `display` writes through tslab's Jupyter kernel and
 * throws "Not ready" anywhere else. Here every call becomes one of this kernel's display
 * messages, attributed to the cell that runs (api.ts), and `newDisplay()` is an output that
 * each later call replaces in place (the protocol's displayId + update).
 *
 * Binary payloads (png, jpeg, gif, pdf) are base64 in the bundle, as Jupyter stores them.
 * `display.png` also takes what this kernel's own `display.png` takes (an image tensor or
 * raw pixels), a convenience beyond tslab's API.
 */
import * as ts from '@tslab/typescript-for-tslab';
import tslabPackage from 'tslab/package.json';
import type { MimeBundle } from '../common/protocol';
import { show, update } from './api';
import { pngBundle } from './bundles';
import { isTensor, type MaybeAsync } from './image';

/** tslab's Display interface. */
export interface TslabDisplay {
  javascript(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
  latex(s: string): void;
  svg(s: string): void;
  png(b: Uint8Array): void;
  jpeg(b: Uint8Array): void;
  gif(b: Uint8Array): void;
  pdf(b: Uint8Array): void;
  text(s: string): void;
  raw(contentType: string, b: string | Uint8Array): void;
}

/** Bytes as Jupyter keeps binary outputs (base64); strings as they are. */
function payload(b: string | Uint8Array, what: string): string {
  if (typeof b === 'string') return b;
  if (b instanceof Uint8Array) return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  throw new TypeError(`tslab.display.${what}: expected a Uint8Array (the file's bytes) or a string, got ${b === null ? 'null' : typeof b}`);
}

/** A short text/plain fallback, so a saved notebook reads in viewers without the rich type. */
function fallback(contentType: string, data: string): string {
  if (contentType.startsWith('text/') && contentType !== 'text/html') return data;
  return `[${contentType}]`;
}

/**
 * A Display over one output: `fixed` false shows a new output per call (tslab's `display`);
 * true makes the first call show and each later call replace that output (`newDisplay()`).
 */
class KernelDisplay implements TslabDisplay {
  private id: string | undefined;

  constructor(private readonly fixed: boolean) {}

  javascript(s: string): void {
    this.raw('text/javascript', s);
  }
  html(s: string): void {
    this.raw('text/html', s);
  }
  markdown(s: string): void {
    this.raw('text/markdown', s);
  }
  latex(s: string): void {
    this.raw('text/latex', s);
  }
  svg(s: string): void {
    this.raw('image/svg+xml', s);
  }
  png(b: Uint8Array): void {
    // An image tensor or raw pixels: encoded here (this kernel's display.png does the same).
    if (isTensor(b) || (typeof b === 'object' && b !== null && !(b instanceof Uint8Array) && 'width' in b)) {
      return this.show(pngBundle(b as Parameters<typeof pngBundle>[0]));
    }
    this.raw('image/png', b);
  }
  jpeg(b: Uint8Array): void {
    this.raw('image/jpeg', b);
  }
  gif(b: Uint8Array): void {
    this.raw('image/gif', b);
  }
  pdf(b: Uint8Array): void {
    this.raw('application/pdf', b);
  }
  text(s: string): void {
    this.raw('text/plain', s);
  }
  raw(contentType: string, b: string | Uint8Array): void {
    if (typeof contentType !== 'string' || !/^[a-z]+\/[\w.+-]+$/i.test(contentType)) {
      throw new TypeError(`tslab.display.raw: '${String(contentType)}' is not a MIME type (like 'text/html' or 'image/png')`);
    }
    const data = payload(b, contentType);
    const bundle: MimeBundle = { [contentType]: data };
    if (contentType !== 'text/plain') bundle['text/plain'] = fallback(contentType, data);
    this.show(bundle);
  }

  private show(bundle: MaybeAsync<MimeBundle>): void {
    if (this.fixed && this.id) return update(this.id, bundle);
    const id = show(bundle);
    if (this.fixed) this.id = id;
  }
}

/** The display's methods as own properties (to sit on a function). */
function bind(d: KernelDisplay): TslabDisplay {
  const out = {} as Record<string, unknown>;
  for (const k of ['javascript', 'html', 'markdown', 'latex', 'svg', 'png', 'jpeg', 'gif', 'pdf', 'text', 'raw'] as const) out[k] = d[k].bind(d);
  return out as unknown as TslabDisplay;
}

let module: Record<string, unknown> | undefined;

/** The module object behind `import ... from 'tslab'` and `require('tslab')` (one per kernel). */
export function tslabModule(): Record<string, unknown> {
  return (module ??= {
    __esModule: true,
    versions: { tslab: tslabPackage.version, typescript: ts.version, node: process.version },
    // Callable too: after `import { display } from 'tslab'` the name `display` is tslab's in
    // later cells, and the kernel's own `display(value)` keeps working through it.
    display: Object.assign((value: unknown) => (globalThis as unknown as { display: (v: unknown) => unknown }).display(value), bind(new KernelDisplay(false))),
    newDisplay: (): TslabDisplay => new KernelDisplay(true),
    isNode: true,
    isBrowser: false,
  });
}
