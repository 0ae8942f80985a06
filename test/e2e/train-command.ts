/**
 * End-to-end: "VAE Lab: Train CR-VAE" in code-server (the extension helper's harness:
 * codeServer.ts, workbench.ts). A tiny configuration (8x8 blobs as an IDX folder, 2 epochs)
 * preselected through $VAE_LAB_TRAIN_OPTIONS: run it from the palette, see the progress
 * notification, get the results notebook (written, executed, opened) with metrics, grid,
 * traversal and arrows; then a long run cancelled from the notification after its first
 * checkpoint, whose checkpoint must still load. Screenshots: test/output/e2e-train/.
 * Run: `npx tsx test/e2e/train-command.ts` (after `npm run package`, or unset
 * VAE_LAB_E2E_SKIP_PACKAGE to package first).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { assertInstalled, installExtension, startCodeServer, type CodeServer } from './codeServer';
import { launchBrowser, Workbench } from './workbench';
import { encodeIdx } from '../../src/lab/data/idx';
import { loadCheckpoint } from '../../src/lab/train/checkpoint';
import * as tf from '../../src/lab/tf';
import { blobs } from '../unit/lab/helpers';

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'test/output/e2e-train');
/** $VAE_LAB_VSIX: a .vsix built earlier (another build may clean dist/ meanwhile). */
const VSIX = process.env.VAE_LAB_VSIX ?? join(ROOT, 'dist/vae-lab.vsix');
const TOTAL_MS = 12 * 60_000;

async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const runDirs = (ws: string) => (existsSync(join(ws, 'vae-lab-runs')) ? readdirSync(join(ws, 'vae-lab-runs')).map((d) => join(ws, 'vae-lab-runs', d)) : []);

async function main(): Promise<number> {
  assertInstalled();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  if (!process.env.VAE_LAB_E2E_SKIP_PACKAGE) execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const tmp = mkdtempSync(join(tmpdir(), 'vae-lab-e2e-train-'));
  const vsix = join(tmp, 'vae-lab.vsix');
  copyFileSync(VSIX, vsix);
  const workspace = join(tmp, 'workspace');
  const data = join(workspace, 'data'); // inside: the explorer needs a row before the workbench counts as open
  mkdirSync(workspace);
  mkdirSync(data);
  const set = blobs(192);
  writeFileSync(join(data, 'train-images-idx3-ubyte'), encodeIdx([192, 8, 8], set.images));
  writeFileSync(join(data, 'train-labels-idx1-ubyte'), encodeIdx([192], set.labels!));
  writeFileSync(join(data, 't10k-images-idx3-ubyte'), encodeIdx([64, 8, 8], set.images.subarray(0, 64 * 64)));
  writeFileSync(join(data, 't10k-labels-idx1-ubyte'), encodeIdx([64], set.labels!.subarray(0, 64)));
  const optionsFile = join(tmp, 'train-options.json');
  const tiny = { dataset: { folder: data }, model: 'vae', preset: 'quick', baseline: true, epochs: 2, trainExamples: 128, evalExamples: 64, K: 4 };
  writeFileSync(optionsFile, JSON.stringify(tiny));
  process.env.VAE_LAB_TRAIN_OPTIONS = optionsFile; // code-server's extension host inherits it

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let failed = 0, passed = 0;
  const step = (title: string, problems: string[]) => {
    if (problems.length) failed++;
    else passed++;
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${title}${problems.map((p) => `\n       ${p}`).join('')}`);
  };
  const killer = setTimeout(() => {
    console.error('e2e-train: out of time, stopping');
    void browser?.close().catch(() => undefined);
    void server?.stop().then(() => process.exit(1));
  }, TOTAL_MS);
  try {
    const installLog = await installExtension(tmp, vsix);
    step('the .vsix installs', /successfully installed/i.test(installLog) ? [] : [installLog.trim()]);
    server = await startCodeServer(tmp, workspace);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const wb = new Workbench(page, OUT);
    await wb.open(server.url);

    // 1. A tiny run to the end.
    await wb.command('VAE Lab: Train CR-VAE');
    const toast = page.locator('.notification-toast', { hasText: 'VAE Lab: training' });
    await toast.waitFor({ timeout: 60_000 });
    await page.locator('.notification-toast', { hasText: /epoch|Loading|Starting/ }).first().waitFor({ timeout: 120_000 }).catch(() => undefined);
    await wb.screenshot('train-progress');
    step('the progress notification shows', []);
    const runDir = await waitFor('the results notebook', () => runDirs(workspace).find((d) => existsSync(join(d, 'results.ipynb')) && existsSync(join(d, 'results.json'))), 6 * 60_000);
    await page.locator('.notification-toast', { hasText: 'CR-VAE trained' }).waitFor({ timeout: 4 * 60_000 });
    await page.locator('.notebook-editor').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);
    await wb.screenshotNotebook('train-results');
    const nb = JSON.parse(readFileSync(join(runDir, 'results.ipynb'), 'utf8'));
    const outputs = nb.cells.flatMap((c: { outputs?: { output_type: string; data?: Record<string, unknown> }[] }) => c.outputs ?? []);
    const mimes = new Set(outputs.flatMap((o: { data?: object }) => Object.keys(o.data ?? {})));
    const want = ['application/vnd.vae-lab.grid+json', 'application/vnd.vae-lab.traversal+json', 'application/vnd.vae-lab.arrows+json', 'application/vnd.vegalite.v6+json'];
    step('the results notebook has metrics, curves, grid, traversal and arrows outputs',
      [...want.filter((m) => !mimes.has(m)).map((m) => `missing ${m}`), ...outputs.filter((o: { output_type: string }) => o.output_type === 'error').map((o: unknown) => JSON.stringify(o))]);
    const table = outputs.map((o: { data?: Record<string, string[]> }) => o.data?.['text/markdown']?.join('') ?? '').find((t: string) => t.includes('| CR-VAE |'));
    step('the metrics table shows CR-VAE and VAE beside the paper', table && /\| VAE \|/.test(table) && /81\.2/.test(table) ? [] : [`table: ${table}`]);
    const kernelLabel = await page.locator('.notebook-editor .kernel-label, [id="notebook.selectKernel"]').first().textContent().catch(() => '');
    step('the results notebook is attached to the VAE Lab kernel', /VAE Lab/.test(kernelLabel ?? '') ? [] : [`kernel label: ${kernelLabel}`]);

    // 2. A long run, cancelled after its first checkpoint.
    writeFileSync(optionsFile, JSON.stringify({ ...tiny, baseline: false, epochs: 5000, open: false }));
    const before = new Set(runDirs(workspace));
    await wb.command('VAE Lab: Train CR-VAE');
    const progress = page.locator('.notification-toast', { hasText: /epoch ([3-9]|\d\d+)\// });
    await progress.waitFor({ timeout: 4 * 60_000 });
    await wb.screenshot('train-before-cancel');
    await page.locator('.notification-toast', { hasText: 'VAE Lab: training' }).locator('a.monaco-button, .monaco-button', { hasText: 'Cancel' }).first().click();
    const cancelled = page.locator('.notification-toast', { hasText: /Training cancelled/ });
    await cancelled.waitFor({ timeout: 120_000 });
    await wb.screenshot('train-cancelled');
    const message = (await cancelled.first().textContent()) ?? '';
    step('cancel says the checkpoint is intact', /is intact/.test(message) ? [] : [message]);
    const second = runDirs(workspace).find((d) => !before.has(d));
    const problems: string[] = [];
    if (!second) problems.push('no run folder');
    else {
      await tf.setBackend('cpu');
      const { model, state } = await loadCheckpoint(join(second, 'cr-vae', 'model'));
      if (!(state.step >= 2 && state.step % 2 === 0)) problems.push(`checkpoint step ${state.step}`);
      if (existsSync(join(second, 'results.json'))) problems.push('a cancelled run wrote results');
      (model as { dispose?: () => void }).dispose?.();
    }
    step('the cancelled run\'s checkpoint loads (an epoch end)', problems);
  } catch (err) {
    step('the test ran to the end', [err instanceof Error ? (err.stack ?? err.message) : String(err)]);
    const page = browser?.contexts()[0]?.pages()[0];
    await page?.screenshot({ path: join(OUT, 'failure.png') }).catch(() => undefined);
    if (server) writeFileSync(join(OUT, 'code-server.log'), server.log());
  } finally {
    clearTimeout(killer);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
