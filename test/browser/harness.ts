/**
 * Loads the real renderer bundles in headless Debian chromium, the way a notebook webview
 * does: an ES module per renderer, `activate(ctx)` with a fake renderer context, then
 * `renderOutputItem(item, element, signal)`. The page is served from a localhost server this
 * harness starts and stops (module scripts do not load from file://) with a CSP close to a
 * webview's (no 'unsafe-eval'), so a renderer that needs eval fails here as it would there.
 * Shared by the browser tests and the renderer benchmark.
 */
import * as esbuild from 'esbuild';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const outputDir = join(root, 'test/output/browser');
export type RendererName = 'grid' | 'traversal' | 'arrows' | 'vegalite';
export type ThemeName = 'light' | 'dark' | 'high-contrast';

/** Builds the four renderer bundles into a private folder (dist/ is shared with other builds). */
async function buildBundles(dir: string): Promise<void> {
  await esbuild.build({
    entryPoints: Object.fromEntries((['grid', 'traversal', 'arrows', 'vegalite'] as const).map((n) => [n, join(root, `src/renderers/${n}.ts`)])),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: dir,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
}

// What VS Code sets on a notebook webview's body, reduced to the variables the renderers read.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
body.vscode-light { --vscode-editor-foreground:#1f1f1f; --vscode-editor-background:#ffffff; --vscode-descriptionForeground:#616161; --vscode-errorForeground:#a1260d; background:#ffffff; }
body.vscode-dark { --vscode-editor-foreground:#cccccc; --vscode-editor-background:#1f1f1f; --vscode-descriptionForeground:#9d9d9d; --vscode-errorForeground:#f85149; background:#1f1f1f; }
body.vscode-high-contrast { --vscode-editor-foreground:#ffffff; --vscode-editor-background:#000000; --vscode-descriptionForeground:#ffffff; --vscode-errorForeground:#f48771; --vscode-editorHoverWidget-border:#6fc3df; background:#000000; }
body { margin:8px; --vscode-font-family: sans-serif; }
</style></head><body class="vscode-light"><script type="module" src="/page.js"></script></body></html>`;

// In-page helper: mount(renderer, mime, data, opts) renders one output item into a new div.
const PAGE_JS = `
const apis = {};
window.posted = [];
window.listeners = [];
window.mount = async (name, mime, data, opts = {}) => {
  const key = name + (opts.messaging ? ':m' : '');
  if (!apis[key]) {
    const mod = await import('/bundles/' + name + '.js');
    const ctx = { getState() {}, setState() {}, getRenderer: async () => undefined, workspace: { isTrusted: true } };
    if (opts.messaging) {
      ctx.postMessage = (m) => window.posted.push(m);
      ctx.onDidReceiveMessage = (fn) => { window.listeners.push(fn); return { dispose() { window.listeners = window.listeners.filter((f) => f !== fn); } }; };
    }
    apis[key] = await mod.activate(ctx);
  }
  const el = document.getElementById(opts.id) ?? document.createElement('div');
  el.id = opts.id ?? 'out-' + Math.random().toString(36).slice(2);
  el.className = 'output';
  el.style.cssText = 'display:inline-block;vertical-align:top;margin:4px';
  if (!el.parentNode) document.body.appendChild(el);
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const item = { id: el.id, mime, metadata: {}, text: () => text, json: () => JSON.parse(text),
    data: () => new TextEncoder().encode(text), blob: () => new Blob([text]) };
  const t0 = performance.now();
  await apis[key].renderOutputItem(item, el, new AbortController().signal);
  // Reading a pixel makes chromium finish rasterising, so timings include the drawing itself.
  for (const c of el.querySelectorAll('canvas')) if (c.width) c.getContext('2d').getImageData(0, 0, 1, 1);
  return { id: el.id, ms: performance.now() - t0 };
};
window.dispose = (name, id) => apis[name].disposeOutputItem?.(id);
window.reply = (msg) => window.listeners.forEach((fn) => fn(msg));
window.setTheme = (t) => { document.body.className = 'vscode-' + t; };
`;

export interface Harness {
  page: Page;
  /** Renders one output; returns the output element's id and the render time in ms. */
  mount(name: RendererName, mime: string, data: unknown, opts?: { id?: string; messaging?: boolean }): Promise<{ id: string; ms: number }>;
  /** A fresh page (clears outputs, keeps the browser and server). */
  reset(theme?: ThemeName): Promise<void>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(opts: { deviceScaleFactor?: number } = {}): Promise<Harness> {
  mkdirSync(outputDir, { recursive: true });
  const bundles = mkdtempSync(join(outputDir, 'bundles-')); // one per harness: a test may run two
  await buildBundles(bundles);
  const types: Record<string, string> = { '.js': 'text/javascript', '.map': 'application/json' };
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const csp = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data: blob:";
    if (url === '/') return void res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp }).end(PAGE);
    if (url === '/page.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(PAGE_JS);
    const m = /^\/bundles\/([\w.-]+)$/.exec(url);
    try {
      if (!m) throw new Error('not found');
      res.writeHead(200, { 'content-type': types[extname(m[1])] ?? 'application/octet-stream' }).end(readFileSync(join(bundles, m[1])));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, deviceScaleFactor: opts.deviceScaleFactor ?? 1 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const reset = async (theme: ThemeName = 'light') => {
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => typeof (window as unknown as { mount?: unknown }).mount === 'function');
    await page.evaluate((t) => (window as unknown as { setTheme(t: string): void }).setTheme(t), theme);
  };
  await reset();
  return {
    page,
    mount: (name, mime, data, opts = {}) =>
      page.evaluate(([n, m, d, o]) => (window as unknown as { mount: Function }).mount(n, m, d, o), [name, mime, data, opts] as const),
    reset,
    async screenshot(name) {
      const path = join(outputDir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
      rmSync(bundles, { recursive: true, force: true });
      if (errors.length) console.warn(`page errors:\n${errors.join('\n')}`);
    },
  };
}
