/**
 * End-to-end: the "VAE Lab Runs" view in code-server (harness: codeServer.ts, workbench.ts).
 * The workspace holds a finished sweep and a running one (a live process, its events file
 * growing; folders in the job contract's format, src/lab/jobs/files.ts). The view must list
 * both with their counts and progress, follow the running job's new events, open a job's log
 * (Show Log) and metrics (Open Results), and Cancel the running job (its process must end).
 * When the packaged CLI has `vae-lab sweep`, "VAE Lab: Run Sweep…" then runs a quick grid from
 * the palette and the view shows it done. Screenshots: test/output/e2e-runs/.
 * Run: `npx tsx test/e2e/runs-view.ts` (packages first unless VAE_LAB_E2E_SKIP_PACKAGE is set).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { assertInstalled, installExtension, NODE24, saveExtensionLog, startCodeServer, type CodeServer } from './codeServer';
import { launchBrowser, Workbench } from './workbench';
import { encodeIdx } from '../../src/lab/data/idx';
import { blobs } from '../unit/lab/helpers';

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'test/output/e2e-runs');
const VSIX = process.env.VAE_LAB_VSIX ?? join(ROOT, 'dist/vae-lab.vsix');
const TOTAL_MS = 8 * 60_000;

const step = (s: number, loss: number) => JSON.stringify({ t: Date.now(), type: 'step', step: s, totalSteps: 100, epoch: 0, terms: { loss } }) + '\n';

function sweepJson(dir: string, name: string, ids: string[]): void {
  mkdirSync(join(dir, 'jobs'), { recursive: true });
  writeFileSync(
    join(dir, 'sweep.json'),
    JSON.stringify({
      name,
      command: 'train',
      base: { model: 'vae' },
      grid: { seed: ids.map((_, i) => i) },
      jobs: ids.map((id, i) => ({ id, params: { seed: i } })),
    }),
  );
}

/** The rows of the Runs view: their text (label and description). */
async function rows(page: Page): Promise<string[]> {
  return page.locator('.pane:has(.pane-header[aria-label*="VAE Lab Runs"]) .monaco-list-row').allTextContents();
}

async function rowFor(page: Page, text: string): Promise<Locator> {
  return page.locator('.pane:has(.pane-header[aria-label*="VAE Lab Runs"]) .monaco-list-row', { hasText: text }).first();
}

async function waitRows(page: Page, ok: (r: string[]) => boolean, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let r: string[] = [];
  while (Date.now() < deadline) {
    r = await rows(page).catch(() => []);
    if (ok(r)) return r;
    await page.waitForTimeout(300);
  }
  return r;
}

/**
 * Expands the sweep row holding `text` until its child row `child` shows. The row's own
 * aria-expanded decides whether to click, so a click never collapses an expanded sweep (a
 * refresh can redraw the list between a check and a click; CI once saw that race).
 */
async function expand(page: Page, text: string, child: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (await (await rowFor(page, child)).isVisible().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`the "${text}" row did not show its "${child}" job (rows: ${JSON.stringify(await rows(page).catch(() => []))})`);
    const row = await rowFor(page, text);
    if ((await row.getAttribute('aria-expanded', { timeout: 2_000 }).catch(() => null)) === 'false') await row.click({ timeout: 5_000 }).catch(() => undefined);
    await page.waitForTimeout(500);
  }
}

/** Clicks a row's inline action (shown on hover). */
async function inlineAction(page: Page, row: Locator, label: string): Promise<void> {
  await row.hover();
  await row.locator(`.action-label[aria-label="${label}"]`).click({ timeout: 10_000 });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function main(): Promise<number> {
  assertInstalled();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  if (!process.env.VAE_LAB_E2E_SKIP_PACKAGE) execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const tmp = mkdtempSync(join(tmpdir(), 'vae-lab-e2e-runs-'));
  const vsix = join(tmp, 'vae-lab.vsix');
  copyFileSync(VSIX, vsix);
  const workspace = join(tmp, 'workspace');
  const runs = join(workspace, 'vae-lab-runs');
  mkdirSync(runs, { recursive: true });

  // A finished sweep: two done jobs with metrics and logs.
  const fin = join(runs, 'quick-grid');
  sweepJson(fin, 'quick-grid', ['seed-0', 'seed-1']);
  for (const id of ['seed-0', 'seed-1']) {
    const d = join(fin, 'jobs', id);
    mkdirSync(d);
    writeFileSync(join(d, 'events.jsonl'), step(100, 90));
    writeFileSync(join(d, 'metrics.json'), JSON.stringify({ test: { nll: 91.5 }, job: id }, null, 2));
    writeFileSync(join(d, 'state.json'), JSON.stringify({ state: 'done', attempt: 1, executor: 'local', endedAt: Date.now() }));
    writeFileSync(join(d, 'log.txt'), `finished job ${id}\n`);
  }
  // A running sweep: job a has a live process (this test's child) and a growing events file; job b is queued.
  const live = join(runs, 'live-grid');
  sweepJson(live, 'live-grid', ['a', 'b']);
  const jobA = join(live, 'jobs', 'a');
  mkdirSync(jobA);
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore', detached: true });
  const pid = sleeper.pid!;
  writeFileSync(join(jobA, 'state.json'), JSON.stringify({ state: 'running', attempt: 1, executor: 'local', pid, host: hostname(), startedAt: Date.now() }));
  writeFileSync(join(jobA, 'events.jsonl'), JSON.stringify({ t: 0, type: 'phase', phase: 'train' }) + '\n' + step(40, 120) + '{"t":1,"type":"st');
  writeFileSync(join(jobA, 'log.txt'), 'live job log: training at step 40\n');

  // A quick grid for Run Sweep, on an IDX folder of 8x8 blobs (used when the CLI has `sweep`).
  const data = join(workspace, 'data');
  mkdirSync(data);
  const set = blobs(192);
  writeFileSync(join(data, 'train-images-idx3-ubyte'), encodeIdx([192, 8, 8], set.images));
  writeFileSync(join(data, 't10k-images-idx3-ubyte'), encodeIdx([64, 8, 8], set.images.subarray(0, 64 * 64)));
  const spec = {
    name: 'tiny-seeds',
    command: 'train',
    base: { model: 'vae', dataset: data, preset: 'quick', epochs: 1, 'train-examples': 64, examples: 32, K: 2 },
    grid: { seed: [1, 2] },
  };
  writeFileSync(join(workspace, 'tiny-seeds.json'), JSON.stringify(spec, null, 2));
  const help = spawnSync(NODE24, [join(ROOT, 'dist/cli.js'), 'sweep', '--help'], { encoding: 'utf8', timeout: 60_000 });
  const hasSweep = help.status === 0 && /sweep run/.test(`${help.stdout}${help.stderr}`);

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let failed = 0,
    passed = 0;
  const check = (title: string, problems: string[]) => {
    if (problems.length) failed++;
    else passed++;
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${title}${problems.map((p) => `\n       ${p}`).join('')}`);
  };
  const killer = setTimeout(() => {
    console.error('e2e-runs: out of time, stopping');
    void browser?.close().catch(() => undefined);
    void server?.stop().then(() => process.exit(1));
  }, TOTAL_MS);
  try {
    const installLog = await installExtension(tmp, vsix);
    check('the .vsix installs', /successfully installed/i.test(installLog) ? [] : [installLog.trim()]);
    server = await startCodeServer(tmp, workspace);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const wb = new Workbench(page, OUT);
    await wb.open(server.url);
    await wb.command('Focus on VAE Lab Runs View');
    // The folders pane collapsed, so the Runs view has the side bar's height (its list draws only the rows in view).
    const folders = page.locator('.pane:has(.explorer-folders-view) > .pane-header').first();
    if ((await folders.getAttribute('aria-expanded').catch(() => null)) === 'true') await folders.click();

    const first = await waitRows(
      page,
      (r) => r.some((t) => t.includes('quick-grid') && t.includes('2 done')) && r.some((t) => /running, step 40\/100/.test(t)),
      60_000,
    );
    check(
      "the view lists the finished sweep (2 done) and the running one with its job's progress (step 40/100)",
      [
        ...(first.some((t) => t.includes('quick-grid') && t.includes('2 done')) ? [] : ['no "quick-grid 2 done" row']),
        ...(first.some((t) => t.includes('live-grid') && t.includes('1 running, 1 queued')) ? [] : ['no "live-grid 1 running, 1 queued" row']),
        ...(first.some((t) => /^a.*running, step 40\/100/.test(t)) ? [] : ['no "a running, step 40/100" row']),
        ...(first.some((t) => /^b.*queued/.test(t)) ? [] : ['no queued row for b']),
      ].map((p) => `${p} (rows: ${JSON.stringify(first)})`),
    );
    const sidebar = page.locator('.part.sidebar');
    await wb.screenshotElement(sidebar, 'runs-view');

    // Live: the half-written line completes and a new step arrives.
    appendFileSync(join(jobA, 'events.jsonl'), 'ep","step":50,"totalSteps":100,"terms":{"loss":110}}\n' + step(60, 105));
    const moved = await waitRows(page, (r) => r.some((t) => /running, step 60\/100/.test(t)), 20_000);
    check("the running job's row follows its events file (step 60/100)", moved.some((t) => /step 60\/100/.test(t)) ? [] : [`rows: ${JSON.stringify(moved)}`]);

    await inlineAction(page, await rowFor(page, 'running, step'), 'Show Log');
    const logTab = await page
      .locator('.tabs-container .tab.active', { hasText: 'log.txt' })
      .waitFor({ timeout: 20_000 })
      .then(
        () => true,
        () => false,
      );
    const editorText = await page
      .locator('.editor-instance .view-lines')
      .first()
      .textContent()
      .catch(() => '');
    check("Show Log opens the job's log.txt", logTab && /live.job.log/.test(editorText ?? '') ? [] : [`tab: ${logTab}, text: ${editorText}`]);
    await wb.screenshot('runs-show-log');

    // Open Results on a finished job: no results.ipynb there, so its metrics.json.
    await expand(page, 'quick-grid', 'seed-0');
    await inlineAction(page, await rowFor(page, 'seed-0'), 'Open Results');
    const metricsTab = await page
      .locator('.tabs-container .tab.active', { hasText: 'metrics.json' })
      .waitFor({ timeout: 20_000 })
      .then(
        () => true,
        () => false,
      );
    check("Open Results opens a finished job's metrics.json", metricsTab ? [] : ['no active metrics.json tab']);

    // Cancel the running job: its process ends, and the row stops saying running.
    await inlineAction(page, await rowFor(page, 'running, step'), 'Cancel');
    const deadline = Date.now() + 15_000;
    while (alive(pid) && Date.now() < deadline) await page.waitForTimeout(200);
    const afterCancel = await waitRows(page, (r) => r.some((t) => /^a.*stopped/.test(t)), 20_000);
    check("Cancel ends the running job's process and the view stops showing it running", [
      ...(alive(pid) ? [`pid ${pid} still alive`] : []),
      ...(afterCancel.some((t) => /^a.*stopped/.test(t)) ? [] : [`rows: ${JSON.stringify(afterCancel)}`]),
      ...(afterCancel.some((t) => /^a.*\bdone\b/.test(t)) ? ['a killed job shows done'] : []),
    ]);
    await wb.screenshotElement(sidebar, 'runs-view-after-cancel');

    if (hasSweep) {
      // Run Sweep from the palette: spec from the quick pick, the default output folder.
      await wb.command('VAE Lab: Run Sweep');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'tiny-seeds.json' }).first().click({ timeout: 30_000 });
      // Where sbatch is on PATH the executor is asked (local first); then the output folder, with its default.
      const box = page.locator('.quick-input-widget input');
      const localRow = page.locator('.quick-input-list .monaco-list-row', { hasText: 'a pool of processes' }).first();
      const until = Date.now() + 30_000;
      while ((await box.inputValue().catch(() => '')) !== 'vae-lab-runs/tiny-seeds') {
        if (await localRow.isVisible().catch(() => false)) await localRow.click();
        if (Date.now() > until) throw new Error(`output folder default: ${await box.inputValue().catch(() => '?')}`);
        await page.waitForTimeout(200);
      }
      await box.press('Enter');
      await page.locator('.notification-toast', { hasText: 'sweep tiny-seeds' }).first().waitFor({ timeout: 60_000 });
      await wb.screenshot('run-sweep-progress');
      const doneToast = await page
        .locator('.notification-toast', { hasText: /sweep tiny-seeds is done/ })
        .waitFor({ timeout: 4 * 60_000 })
        .then(
          () => true,
          () => false,
        );
      const after = await waitRows(page, (r) => r.some((t) => t.includes('tiny-seeds') && t.includes('2 done')), 20_000);
      check('Run Sweep runs a quick grid from the palette and the view shows it done', [
        ...(doneToast ? [] : ['no "is done" notification']),
        ...(after.some((t) => t.includes('tiny-seeds') && t.includes('2 done')) ? [] : [`rows: ${JSON.stringify(after)}`]),
      ]);
      await wb.screenshotElement(sidebar, 'runs-view-run-sweep');
    } else console.log('skip Run Sweep from the palette: this dist/cli.js has no `vae-lab sweep` yet');
  } catch (err) {
    check('the test ran to the end', [err instanceof Error ? (err.stack ?? err.message) : String(err)]);
    const page = browser?.contexts()[0]?.pages()[0];
    await page?.screenshot({ path: join(OUT, 'failure.png') }).catch(() => undefined);
    if (server) writeFileSync(join(OUT, 'code-server.log'), server.log());
  } finally {
    clearTimeout(killer);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
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
