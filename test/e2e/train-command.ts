/**
 * End-to-end: "VAE Lab: Train CR-VAE" in code-server (the extension helper's harness:
 * codeServer.ts, workbench.ts). A tiny configuration (8x8 blobs as an IDX folder, 2 epochs)
 * preselected through $VAE_LAB_TRAIN_OPTIONS: run it from the palette, see the progress
 * notification and the "CR-VAE training" panel drawing the live curves (one chart per model),
 * both models run as jobs of `vae-lab sweep run`; get the results notebook (written without
 * outputs, opened and run once in the live kernel, the traversal decoding a new choice there,
 * saved, not dirty) with metrics, curves, grid, traversal and arrows; then a long run whose panel
 * chart grows while it trains, cancelled from the notification after its first checkpoint: its
 * job ends cancelled, its process gone, and its checkpoint loads.
 * Screenshots: test/output/e2e-train/.
 * Run: `npx tsx test/e2e/train-command.ts` (packages first unless VAE_LAB_E2E_SKIP_PACKAGE is
 * set; $VAE_LAB_VSIX names a prebuilt .vsix, default dist/vae-lab.vsix). `npm run test:e2e:train`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { assertInstalled, installExtension, saveExtensionLog, startCodeServer, type CodeServer } from './codeServer';
import { launchBrowser, Workbench } from './workbench';
import { encodeIdx } from '../../src/lab/data/idx';
import { loadCheckpoint } from '../../src/lab';
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

/** The "CR-VAE training" panel's root inside its webview (a frame of the page), if it is there. */
async function trainPanel(page: Page): Promise<Locator | undefined> {
  for (const frame of page.frames()) {
    const root = frame.locator('.vae-lab-train-panel');
    if (await root.count().catch(() => 0)) return root.first();
  }
  return undefined;
}

interface PanelState {
  charts: number;
  drawn: number;
  titles: string[];
  status: string;
  state: string;
  firstPath: string;
}

/** What the panel shows: its charts, how many drew a line (vega-embed's SVG), its status line. */
async function panelState(root: Locator): Promise<PanelState> {
  // No named inner functions: tsx wraps them in __name(), which the webview does not have.
  return root.evaluate((r) => {
    const charts = [...r.querySelectorAll('.chart')];
    const paths = charts.map((c) => [...c.querySelectorAll('svg .mark-line path')].map((p) => p.getAttribute('d') ?? '').filter((d) => d.length > 20));
    const status = r.querySelector('.status') as HTMLElement | null;
    return {
      charts: charts.length,
      drawn: paths.filter((p) => p.length > 0).length,
      titles: charts.map((c) => c.querySelector('svg .role-title-text')?.textContent ?? ''),
      status: status?.textContent ?? '',
      state: status?.dataset.state ?? '',
      firstPath: (paths[0] ?? []).join('|'),
    };
  });
}

/** Waits until the panel is there and `ok` holds for its state; returns the last state seen. */
async function waitPanel(page: Page, ok: (s: PanelState) => boolean, timeoutMs: number): Promise<{ root?: Locator; state?: PanelState }> {
  const deadline = Date.now() + timeoutMs;
  let root: Locator | undefined, state: PanelState | undefined;
  while (Date.now() < deadline) {
    root = await trainPanel(page);
    state = root ? await panelState(root).catch(() => undefined) : undefined;
    if (state && ok(state)) break;
    await page.waitForTimeout(500);
  }
  return { root, state };
}

/** The traversal output's payload id in a saved notebook (each run of show.traversal makes a new one). */
function traversalId(file: string): string | undefined {
  try {
    const nb = JSON.parse(readFileSync(file, 'utf8')) as { cells: { outputs?: { data?: Record<string, { id?: string }> }[] }[] };
    for (const c of nb.cells)
      for (const o of c.outputs ?? []) if (o.data?.['application/vnd.vae-lab.traversal+json']?.id) return o.data['application/vnd.vae-lab.traversal+json'].id;
  } catch {
    /* being written */
  }
  return undefined;
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
  let failed = 0,
    passed = 0;
  const consoleLog: string[] = [];
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
    // Errors in the workbench and its webviews (the training panel's script among them).
    page.on('console', (m) => {
      if (m.type() === 'error') consoleLog.push(`[${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleLog.push(`[pageerror] ${e.message}`));
    const wb = new Workbench(page, OUT);
    await wb.open(server.url);

    // 1. A tiny run to the end.
    await wb.command('VAE Lab: Train CR-VAE');
    const toast = page.locator('.notification-toast', { hasText: 'VAE Lab: training' });
    await toast.waitFor({ timeout: 60_000 });
    await page
      .locator('.notification-toast', { hasText: /epoch|step|load|starting/ })
      .first()
      .waitFor({ timeout: 120_000 })
      .catch(() => undefined);
    await wb.screenshot('train-progress');
    step('the progress notification shows', []);
    const tab = await page
      .locator('.tabs-container .tab', { hasText: 'CR-VAE training' })
      .first()
      .waitFor({ timeout: 30_000 })
      .then(
        () => true,
        () => false,
      );
    // Both models' charts (VAE, then CR-VAE) drawn, by the time the CR-VAE trains or soon after.
    const first = await waitPanel(page, (s) => s.drawn >= 2, 5 * 60_000);
    step('the "CR-VAE training" panel opens beside the editor and draws both models\' live curves', [
      ...(tab ? [] : ['no "CR-VAE training" editor tab']),
      ...(first.state
        ? first.state.drawn >= 2 && first.state.charts === 2
          ? []
          : [`panel: ${JSON.stringify({ ...first.state, firstPath: undefined })}`]
        : ['no panel webview with .vae-lab-train-panel']),
    ]);
    if (first.root) await wb.screenshotElement(first.root, 'train-panel');

    // The notebook as written, before the live kernel ran it: no outputs (it runs once, in that kernel).
    let writtenOutputs = -1;
    const watcher = setInterval(() => {
      for (const d of runDirs(workspace)) {
        if (writtenOutputs >= 0 || !existsSync(join(d, 'results.ipynb'))) continue;
        try {
          const nb = JSON.parse(readFileSync(join(d, 'results.ipynb'), 'utf8')) as { cells: { outputs?: unknown[] }[] };
          writtenOutputs = nb.cells.reduce((n, c) => n + (c.outputs?.length ?? 0), 0);
        } catch {
          /* being written */
        }
      }
    }, 100);
    const runDir = await waitFor('the results notebook', () => runDirs(workspace).find((d) => existsSync(join(d, 'results.ipynb'))), 6 * 60_000);
    await page.locator('.notification-toast', { hasText: 'CR-VAE trained' }).waitFor({ timeout: 6 * 60_000 });
    clearInterval(watcher);
    const jobStates = ['cr-vae', 'vae'].map((s) => {
      const jobs = join(runDir, s, 'jobs');
      const id = existsSync(jobs) ? readdirSync(jobs)[0] : undefined;
      return id ? (JSON.parse(readFileSync(join(jobs, id, 'state.json'), 'utf8')) as { state: string }).state : 'missing';
    });
    step(
      'both models ran as jobs of `vae-lab sweep run` (one sweep each) and are done',
      jobStates.every((st) => st === 'done') && existsSync(join(runDir, 'cr-vae', 'summary.json')) ? [] : [`job states ${jobStates}`],
    );
    const done = await waitPanel(page, (s) => s.state === 'done', 10_000);
    step(
      'the panel keeps the final curves and says training is done',
      done.state?.state === 'done' && done.state.drawn === 2 ? [] : [`panel: ${JSON.stringify({ ...done.state, firstPath: undefined })}`],
    );
    await page.locator('.notebook-editor').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);
    const dirtyTabs = await page.locator('.tabs-container .tab.dirty', { hasText: 'results.ipynb' }).count();
    await wb.screenshot('train-results-opened');
    step('the results notebook is saved after its live run (not dirty)', dirtyTabs ? [`${dirtyTabs} dirty results.ipynb tab(s)`] : []);
    const nb = JSON.parse(readFileSync(join(runDir, 'results.ipynb'), 'utf8'));
    const outputs = nb.cells.flatMap((c: { outputs?: { output_type: string; data?: Record<string, unknown> }[] }) => c.outputs ?? []);
    const mimes = new Set(outputs.flatMap((o: { data?: object }) => Object.keys(o.data ?? {})));
    const want = [
      'application/vnd.vae-lab.grid+json',
      'application/vnd.vae-lab.traversal+json',
      'application/vnd.vae-lab.arrows+json',
      'application/vnd.vegalite.v6+json',
    ];
    step('the results notebook has metrics, curves, grid, traversal and arrows outputs', [
      ...want.filter((m) => !mimes.has(m)).map((m) => `missing ${m}`),
      ...outputs.filter((o: { output_type: string }) => o.output_type === 'error').map((o: unknown) => JSON.stringify(o)),
    ]);
    const table = outputs
      .map((o: { data?: Record<string, string[]> }) => o.data?.['text/markdown']?.join('') ?? '')
      .find((t: string) => t.includes('| CR-VAE |'));
    step('the metrics table shows CR-VAE and VAE beside the paper', table && /\| VAE \|/.test(table) && /81\.2/.test(table) ? [] : [`table: ${table}`]);
    const kernelLabel = await page
      .locator('.notebook-editor .kernel-label, [id="notebook.selectKernel"]')
      .first()
      .textContent()
      .catch(() => '');
    step('the results notebook is attached to the VAE Lab kernel', /VAE Lab/.test(kernelLabel ?? '') ? [] : [`kernel label: ${kernelLabel}`]);
    const savedId = traversalId(join(runDir, 'results.ipynb'));
    step(
      'the results notebook was written without outputs and got them from its one run, in the live kernel',
      writtenOutputs === 0 && savedId ? [] : [`outputs when written: ${writtenOutputs}, saved traversal id: ${savedId}`],
    );

    // The traversal output decodes live: the badge says so, and a new step count (which no saved frames hold) is drawn.
    const traversalProblems: string[] = [];
    try {
      const trav = await wb.findOutput('.vae-lab-traversal');
      const badge = trav.locator('.mode');
      await trav
        .locator('.mode[data-mode="live"]')
        .waitFor({ timeout: 30_000 })
        .catch(() => undefined);
      if ((await badge.getAttribute('data-mode')) !== 'live')
        traversalProblems.push(`badge: ${await badge.textContent()} / ${await trav.locator('.status').textContent()}`);
      const steps = trav.locator('select.steps');
      const current = await steps.inputValue();
      const other = (await steps.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).find((v) => v !== current) ?? '5';
      await steps.selectOption(other);
      const axis = trav.locator('.frames', { hasText: 'columns:' });
      const columns = async () => ((await axis.textContent().catch(() => '')) ?? '').split('[')[1]?.split(',').length ?? 0;
      for (let i = 0; i < 60 && (await columns()) !== Number(other); i++) await page.waitForTimeout(250);
      const got = await columns();
      if (got !== Number(other))
        traversalProblems.push(`asked for ${other} steps, the traversal shows ${got} columns (status: ${await trav.locator('.status').textContent()})`);
      if ((await badge.getAttribute('data-mode')) !== 'live') traversalProblems.push('the badge left live mode after the change');
      await wb.screenshotElement(trav, 'train-traversal-live');
    } catch (err) {
      traversalProblems.push(err instanceof Error ? err.message : String(err));
    }
    step('the traversal in the opened notebook decodes live in its kernel (a new step count is decoded)', traversalProblems);
    await wb.screenshotNotebook('train-results');

    // 2. A long run, cancelled after its first checkpoint.
    writeFileSync(optionsFile, JSON.stringify({ ...tiny, baseline: false, epochs: 5000, open: false }));
    const before = new Set(runDirs(workspace));
    await wb.command('VAE Lab: Train CR-VAE');
    // Until the job's first checkpoint is on disk (an epoch end), then a few more steps.
    const second = await waitFor('the second run folder', () => runDirs(workspace).find((d) => !before.has(d)), 60_000);
    const jobOf = () => {
      const jobs = join(second, 'cr-vae', 'jobs');
      const id = existsSync(jobs) ? readdirSync(jobs)[0] : undefined;
      return id ? join(jobs, id) : undefined;
    };
    const job = await waitFor(
      'the checkpoint of the first epoch',
      () => (jobOf() && existsSync(join(jobOf()!, 'model', 'trainer.json')) ? jobOf() : undefined),
      4 * 60_000,
    );
    const progress = page.locator('.notification-toast', { hasText: /step \d+\/\d+/ });
    await progress.waitFor({ timeout: 60_000 });
    // While it trains: the reused panel shows this run's one chart, and its curve grows in place.
    const during = await waitPanel(page, (s) => s.drawn === 1 && s.state === 'running', 30_000);
    const grown = during.state ? await waitPanel(page, (s) => s.drawn === 1 && s.firstPath !== during.state!.firstPath, 30_000) : {};
    step("during training the panel shows the run's live chart, updated in place as it trains", [
      ...(during.state?.drawn === 1 && during.state.charts === 1 && during.state.state === 'running'
        ? []
        : [`panel: ${JSON.stringify({ ...during.state, firstPath: undefined })}`]),
      ...(grown.state && grown.state.firstPath !== during.state?.firstPath && grown.state.charts === 1 ? [] : ['the chart did not change while training']),
    ]);
    if (grown.root) await wb.screenshotElement(grown.root, 'train-panel-live');
    await wb.screenshot('train-before-cancel');
    await page
      .locator('.notification-toast', { hasText: 'VAE Lab: training' })
      .locator('a.monaco-button, .monaco-button', { hasText: 'Cancel' })
      .first()
      .click();
    const cancelled = page.locator('.notification-toast', { hasText: /Training cancelled/ });
    await cancelled.waitFor({ timeout: 120_000 });
    await wb.screenshot('train-cancelled');
    const message = (await cancelled.first().textContent()) ?? '';
    step('cancel names the last checkpoint', /checkpoint of epoch \d+ \(step \d+\)/.test(message) ? [] : [message]);
    const state = JSON.parse(readFileSync(join(job, 'state.json'), 'utf8')) as { state: string; pid?: number };
    let jobAlive = false;
    try {
      if (state.pid) process.kill(state.pid, 0);
      jobAlive = !!state.pid;
    } catch {
      jobAlive = false;
    }
    step(
      'the cancelled job ended: state cancelled, its process gone',
      state.state === 'cancelled' && !jobAlive ? [] : [`state ${state.state}, pid ${state.pid} alive: ${jobAlive}`],
    );
    const problems: string[] = [];
    await tf.setBackend('cpu');
    const { model, state: trainer } = await loadCheckpoint(join(job, 'model'));
    if (!(trainer.step >= 2 && trainer.step % 2 === 0)) problems.push(`checkpoint step ${trainer.step}`);
    if (existsSync(join(second, 'results.ipynb'))) problems.push('a cancelled run wrote a results notebook');
    (model as { dispose?: () => void }).dispose?.();
    step("the cancelled run's checkpoint loads (an epoch end)", problems);
  } catch (err) {
    step('the test ran to the end', [err instanceof Error ? (err.stack ?? err.message) : String(err)]);
    const page = browser?.contexts()[0]?.pages()[0];
    await page?.screenshot({ path: join(OUT, 'failure.png') }).catch(() => undefined);
    if (server) writeFileSync(join(OUT, 'code-server.log'), server.log());
  } finally {
    clearTimeout(killer);
    writeFileSync(join(OUT, 'console.log'), consoleLog.join('\n') + '\n');
    saveExtensionLog(tmp, OUT);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
