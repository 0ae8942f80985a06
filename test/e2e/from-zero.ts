/**
 * End-to-end, from zero: what a new user does in their first hour, on the installed .vsix alone.
 * code-server with only dist/vae-lab.vsix installed, an empty workspace folder, a fresh HOME
 * (so no ~/.cache/vae-lab/datasets), no VAE_LAB_* variables and no data folder anywhere:
 *   1. "VAE Lab: Open Example Notebook" -> quickstart -> Run All: every cell succeeds (MNIST
 *      comes from inside the .vsix, checked by its SHA-256; nothing is downloaded);
 *   2. "VAE Lab: Train CR-VAE" with Enter on every quick pick (MNIST, the defaults): the results
 *      notebook opens with its scores.
 * Screenshots: test/output/e2e-zero/. Run: `npx tsx test/e2e/from-zero.ts` (packages first
 * unless VAE_LAB_E2E_SKIP_PACKAGE is set; $VAE_LAB_VSIX names a prebuilt .vsix). `npm run test:e2e:zero`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { assertInstalled, installExtension, saveExtensionLog, startCodeServer, type CodeServer } from './codeServer';
import type { IpynbCell } from './fixture';
import { launchBrowser, Workbench } from './workbench';

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'test/output/e2e-zero');
const VSIX = process.env.VAE_LAB_VSIX ?? join(ROOT, 'dist/vae-lab.vsix');
const SKIP_PACKAGE = !!process.env.VAE_LAB_E2E_SKIP_PACKAGE;
const TOTAL_MS = 30 * 60_000;

async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Palette command, retried while the extension host is still connecting (an empty folder gives no explorer row to wait on). */
async function command(page: Page, wb: Workbench, title: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await wb.command(title);
      return;
    } catch (e) {
      if (attempt >= 6) throw e;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(5000);
    }
  }
}

/** Waits for the quick input titled `title` and accepts what it offers first (the default). */
async function acceptDefault(page: Page, title: RegExp): Promise<string> {
  const widget = page.locator('.quick-input-widget:visible');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 60_000 });
  const first =
    (await widget
      .locator('.quick-input-list .monaco-list-row')
      .first()
      .textContent()
      .catch(() => '')) ?? '';
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await widget
    .locator('.quick-input-title', { hasText: title })
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => undefined);
  return first.trim();
}

const text = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join('') : (t ?? ''));

async function main(): Promise<number> {
  assertInstalled();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  if (!SKIP_PACKAGE) execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  // From zero: nothing of ours in the environment code-server and its kernels inherit.
  for (const k of Object.keys(process.env)) if (k.startsWith('VAE_LAB_')) delete process.env[k];
  const tmp = mkdtempSync(join(tmpdir(), 'vae-lab-e2e-zero-'));
  const home = join(tmp, 'home');
  mkdirSync(home);
  process.env.HOME = home;
  delete process.env.XDG_CACHE_HOME;
  const cache = join(home, '.cache', 'vae-lab', 'datasets');
  const vsix = join(tmp, 'vae-lab.vsix');
  copyFileSync(VSIX, vsix);
  const workspace = join(tmp, 'workspace');
  mkdirSync(workspace);

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let failed = 0,
    passed = 0;
  const step = (title: string, problems: string[]) => {
    if (problems.length) failed++;
    else passed++;
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${title}${problems.map((p) => `\n       ${p}`).join('')}`);
  };
  const killer = setTimeout(() => {
    console.error('e2e-zero: out of time, stopping');
    void browser?.close().catch(() => undefined);
    void server?.stop().then(() => process.exit(1));
  }, TOTAL_MS);
  try {
    const installLog = await installExtension(tmp, vsix);
    step('the .vsix installs', /successfully installed/i.test(installLog) ? [] : [installLog.trim()]);
    const installed = readdirSync(join(tmp, 'extensions')).find((d) => d.startsWith('vae-lab.vae-lab'));
    const extDir = installed ? join(tmp, 'extensions', installed) : '';
    step('the installed extension carries MNIST and no node_modules', [
      ...(installed ? [] : ['no vae-lab.vae-lab folder in the extensions folder']),
      ...(installed && readdirSync(join(extDir, 'dist', 'data', 'mnist')).length === 4 ? [] : ['dist/data/mnist does not hold the 4 files']),
      ...(installed && existsSync(join(extDir, 'node_modules')) ? ['node_modules shipped'] : []),
    ]);
    server = await startCodeServer(tmp, workspace);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const wb = new Workbench(page, OUT);
    await wb.open(server.url, { emptyFolder: true });
    await wb.screenshot('empty-workspace');

    // 1. Open Example Notebook -> quickstart -> Run All.
    await command(page, wb, 'VAE Lab: Open Example Notebook');
    const pick = page.locator('.quick-input-widget:visible');
    await pick.locator('.quick-input-list .monaco-list-row', { hasText: 'quickstart' }).first().waitFor({ timeout: 30_000 });
    const rows = await pick.locator('.quick-input-list .monaco-list-row').allTextContents();
    await wb.screenshot('open-example-pick');
    step(
      'the example quick pick lists the bundled notebooks, a line on each',
      rows.length >= 4 && rows.every((r) => r.length > 40) ? [] : [`rows: ${JSON.stringify(rows)}`],
    );
    await pick.locator('input').fill('quickstart');
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    await wb.waitForNotebook();
    const copied = join(workspace, 'quickstart.ipynb');
    step('the quickstart is copied into the workspace', existsSync(copied) ? [] : [`no ${copied}`]);
    const picker = page.locator('.notebook-editor:visible .notebook-toolbar-container .kernel-action-view-item').first();
    await picker
      .filter({ hasText: 'VAE Lab' })
      .waitFor({ timeout: 60_000 })
      .catch(() => undefined);
    const kernel = (await picker.textContent().catch(() => '')) ?? '';
    step('it opens on the VAE Lab kernel (no kernel to pick)', /VAE Lab/.test(kernel) ? [] : [`kernel button: ${kernel}`]);
    await wb.screenshot('quickstart-opened');
    await wb.runAll(15 * 60_000);
    await wb.save();
    const saved = JSON.parse(readFileSync(copied, 'utf8')) as { cells: IpynbCell[] };
    const code = saved.cells.filter((c) => c.cell_type === 'code');
    const cellProblems = code.flatMap((c, i) => [
      ...(typeof c.execution_count === 'number' ? [] : [`code cell ${i + 1} did not run`]),
      ...(c.outputs ?? []).filter((o) => o.output_type === 'error').map((o) => `code cell ${i + 1}: ${o.ename}: ${o.evalue}`),
    ]);
    step(`Run All: every one of the ${code.length} quickstart cells succeeds`, code.length ? cellProblems : ['no code cells']);
    const mnistOut = text(
      code[1]?.outputs
        ?.filter((o) => o.output_type === 'stream')
        .map((o) => text(o.text))
        .join(''),
    );
    step('the MNIST cell read the copy inside the extension (2000 + 200 images taken) and created no data cache', [
      ...(/2000 training and 200 test images of 28x28x1/.test(mnistOut) ? [] : [`MNIST cell printed ${JSON.stringify(mnistOut)}`]),
      ...(existsSync(cache) ? [`a data cache was created: ${readdirSync(cache).join(', ')}`] : []),
    ]);
    await wb.screenshotNotebook('quickstart-ran', 3);
    await page.setViewportSize({ width: 1400, height: 1000 });

    // 2. Train CR-VAE, Enter on every choice.
    await command(page, wb, 'VAE Lab: Train CR-VAE');
    const picked: string[] = [];
    picked.push(await acceptDefault(page, /data set/));
    picked.push(await acceptDefault(page, /base model/));
    picked.push(await acceptDefault(page, /eta/));
    picked.push(await acceptDefault(page, /preset/));
    picked.push(await acceptDefault(page, /epochs/));
    picked.push(await acceptDefault(page, /comparison/));
    step('Train CR-VAE offers MNIST first, then the defaults', /MNIST/.test(picked[0]) ? [] : [`picked ${JSON.stringify(picked)}`]);
    await page.locator('.notification-toast', { hasText: 'VAE Lab: training' }).waitFor({ timeout: 60_000 });
    await page
      .locator('.notification-toast', { hasText: /epoch/ })
      .first()
      .waitFor({ timeout: 5 * 60_000 })
      .catch(() => undefined);
    await wb.screenshot('train-progress');
    const runs = join(workspace, 'vae-lab-runs');
    // Train CR-VAE runs each model as a job of `vae-lab sweep run`; the results notebook is written
    // once both jobs are done, so its file is the sign that training ended.
    const runDir = await waitFor(
      'the results notebook',
      () => (existsSync(runs) ? readdirSync(runs).map((d) => join(runs, d)) : []).find((d) => existsSync(join(d, 'results.ipynb'))),
      20 * 60_000,
    );
    await page.locator('.notification-toast', { hasText: 'CR-VAE trained' }).waitFor({ timeout: 8 * 60_000 });
    await page.locator('.tabs-container .tab', { hasText: 'results.ipynb' }).first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);
    await wb.screenshot('train-results-opened');
    const nb = JSON.parse(readFileSync(join(runDir, 'results.ipynb'), 'utf8')) as { cells: IpynbCell[] };
    const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    const table = outputs.map((o) => text(o.data?.['text/markdown'] as string | string[] | undefined)).find((t) => t.includes('| CR-VAE |'));
    step('the results notebook opens with the scores of CR-VAE and VAE on MNIST', [
      ...(table && /\| VAE \|/.test(table) ? [] : [`scores table: ${table}`]),
      ...outputs.filter((o) => o.output_type === 'error').map((o) => `error output ${o.ename}: ${o.evalue}`),
    ]);
    for (const model of ['cr-vae', 'vae']) {
      const jobs = join(runDir, model, 'jobs');
      const id = existsSync(jobs) ? readdirSync(jobs)[0] : undefined;
      const metrics = id ? join(jobs, id, 'metrics.json') : '';
      console.log(`       ${model}: ${metrics && existsSync(metrics) ? readFileSync(metrics, 'utf8').replace(/\s+/g, ' ').slice(0, 300) : 'no metrics.json'}`);
    }
    if (table) console.log(`       ${table.split('\n').join('\n       ')}`);
    await wb.screenshotNotebook('train-results', 2);

    // 3. The Getting Started walkthrough is there, with its four steps.
    await page.setViewportSize({ width: 1400, height: 1000 });
    await command(page, wb, 'Welcome: Open Walkthrough...');
    const walk = page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row', { hasText: 'Get started with VAE Lab' }).first();
    await walk.waitFor({ timeout: 30_000 });
    await walk.click();
    const detail = page.locator('.gettingStartedContainer', { hasText: 'Open an example notebook' }).first();
    const shown = await detail.waitFor({ timeout: 30_000 }).then(
      () => true,
      () => false,
    );
    await page.waitForTimeout(1500);
    await wb.screenshot('walkthrough');
    const steps = shown ? await detail.innerText() : '';
    step(
      'the Getting Started walkthrough lists its steps',
      ['Open an example notebook', 'Run it', 'Train CR-VAE', 'Settings'].filter((t) => !steps.includes(t)).map((t) => `missing step "${t}"`),
    );
  } catch (err) {
    step('the test ran to the end', [err instanceof Error ? (err.stack ?? err.message) : String(err)]);
    const page = browser?.contexts()[0]?.pages()[0];
    await page?.screenshot({ path: join(OUT, 'failure.png') }).catch(() => undefined);
    if (server) writeFileSync(join(OUT, 'code-server.log'), server.log());
  } finally {
    clearTimeout(killer);
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
