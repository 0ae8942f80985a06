/**
 * End-to-end: a notebook written for tslab (test/notebooks/tslab-tfjs.ipynb: tfjs-node, tslab
 * displays, a newDisplay progress bar, model.fit, tf.node.encodePng + tslab.display.png) from
 * the installed linux-x64 .vsix in code-server, with workspace trust on:
 *  1. the folder opens in Restricted Mode: Run All asks for trust (VS Code's own dialog, before
 *     any cell reaches the controller); Cancel, and no cell has run;
 *  2. Run All again with "Trust Folder & Continue": the notebook runs to its last cell.
 * Screenshots go to test/output/e2e-tslab/. Run: `npm run test:e2e:tslab` (packages the
 * linux-x64 .vsix first unless VAE_LAB_E2E_SKIP_PACKAGE=1).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { assertInstalled, installExtension, saveExtensionLog, startCodeServer, type CodeServer } from './codeServer';
import { launchBrowser, Workbench } from './workbench';

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'test/output/e2e-tslab');
const VSIX = join(ROOT, 'dist/vae-lab-linux-x64.vsix');
const NOTEBOOK = 'tslab-tfjs.ipynb';
const TOTAL_MS = 9 * 60_000;

type Output = { output_type: string; name?: string; text?: string | string[]; ename?: string; evalue?: string; data?: Record<string, string | string[]> };
const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : (v ?? ''));

async function main(): Promise<number> {
  assertInstalled();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  if (!process.env.VAE_LAB_E2E_SKIP_PACKAGE) {
    execFileSync(process.execPath, [join(ROOT, 'scripts/package.mjs'), 'linux-x64'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`node scripts/package.mjs linux-x64\`.`);
  const tmp = mkdtempSync(join(tmpdir(), 'vae-lab-e2e-tslab-'));
  const vsix = join(tmp, 'vae-lab.vsix');
  copyFileSync(VSIX, vsix);
  const workspace = join(tmp, 'workspace');
  mkdirSync(workspace);
  copyFileSync(join(ROOT, 'test/notebooks', NOTEBOOK), join(workspace, NOTEBOOK));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const failures: string[] = [];
  const step = (title: string, problems: string[]) => {
    failures.push(...problems.map((p) => `${title}: ${p}`));
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${title}${problems.map((p) => `\n       ${p}`).join('')}`);
  };
  const killer = setTimeout(() => {
    console.error('e2e-tslab: out of time');
    process.exit(1);
  }, TOTAL_MS);
  const saved = () =>
    JSON.parse(readFileSync(join(workspace, NOTEBOOK), 'utf8')).cells.filter((c: { cell_type: string }) => c.cell_type === 'code') as { outputs?: Output[] }[];
  try {
    const log = await installExtension(tmp, vsix);
    step('the linux-x64 .vsix installs', /successfully installed/i.test(log) ? [] : [log.trim()]);
    server = await startCodeServer(tmp, workspace, { workspaceTrust: true });
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const wb = new Workbench(page, OUT);
    await page.goto(server.url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // Either VS Code asks whether to trust the folder (answer no) or, as code-server does by
    // default, opens it in Restricted Mode straight away (its status bar item says so).
    const no = page.getByRole('button', { name: /No, I don.t trust the authors/ });
    const restricted = page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first();
    await Promise.race([no.waitFor({ timeout: 90_000 }), restricted.waitFor({ timeout: 90_000 })]);
    if (await no.isVisible()) await no.click();
    await restricted.waitFor({ timeout: 30_000 });
    await wb.screenshot('restricted-mode');
    await wb.open(server.url);
    await wb.openFile(NOTEBOOK);
    await wb.waitForNotebook();
    await wb.selectKernel('VAE Lab (TypeScript)');
    // Run All in Restricted Mode: VS Code itself asks for trust before any cell reaches a
    // kernel. Cancel: nothing runs (the controller's own refusal is the second line, for runs
    // that come through the API).
    const runAllButton = page.locator('.notebook-editor:visible .notebook-toolbar-container .action-label[aria-label="Run All"]').first();
    const dialog = page.locator('.monaco-dialog-box');
    await runAllButton.click();
    await dialog.waitFor({ timeout: 30_000 });
    await wb.screenshot('restricted-run-all');
    const asked = await dialog.innerText();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForTimeout(3000);
    await wb.save();
    const refused = saved();
    step(
      'in Restricted Mode Run All asks for trust first, and after Cancel no cell has run',
      /trust/i.test(asked) && refused.every((c) => !(c.outputs ?? []).length)
        ? []
        : [`dialog: ${asked}; outputs: ${JSON.stringify(refused.map((c) => c.outputs)).slice(0, 300)}`],
    );
    // Run All again, granting trust this time: the controller runs cells from then on (no reload).
    await runAllButton.click();
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: /Trust Folder/ }).click();
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'hidden', timeout: 30_000 });
    await page
      .locator('.notebook-editor:visible .notebook-toolbar-container .action-label[aria-label^="Interrupt"]')
      .first()
      .waitFor({ timeout: 60_000 })
      .catch(() => undefined);
    await wb.waitIdle(TOTAL_MS / 2);
    await wb.save();
    const status = await wb.statusBarText();
    await wb.screenshotNotebook('ran');
    const cells = saved();
    const all = cells.flatMap((c) => c.outputs ?? []);
    const errors = all.filter((o) => o.output_type === 'error');
    step('after trust is granted every cell runs, with no error', errors.length ? errors.map((e) => `${e.ename}: ${e.evalue}`) : []);
    const streams = all
      .filter((o) => o.output_type === 'stream')
      .map((o) => text(o.text))
      .join('');
    step("tslab is the kernel's module (isNode true)", /isNode true, isBrowser false/.test(streams) ? [] : [`stdout: ${streams.slice(0, 300)}`]);
    const progress = (cells[1]?.outputs ?? []).filter((o) => o.output_type === 'display_data');
    step(
      'the newDisplay progress is one output, updated in place to the last epoch',
      progress.length === 1 && /epoch 30\/30/.test(text(progress[0].data?.['text/html']))
        ? []
        : [`outputs: ${JSON.stringify(cells[1]?.outputs).slice(0, 400)}`],
    );
    step(
      'model.fit lowered the loss',
      (() => {
        const m = /loss ([\d.]+) -> ([\d.]+)/.exec(streams);
        return m && Number(m[2]) < Number(m[1]) ? [] : [`stdout: ${streams.slice(0, 300)}`];
      })(),
    );
    step(
      'tslab.display.png shows the PNG from tf.node.encodePng',
      (cells[2]?.outputs ?? []).some((o) => text(o.data?.['image/png']).startsWith('iVBORw0KGgo')) ? [] : ['no image/png output'],
    );
    step(
      'the Jupyter.display object is shown as its HTML',
      (cells[3]?.outputs ?? []).some((o) => o.output_type === 'execute_result' && /<b>trained<\/b>/.test(text(o.data?.['text/html'])))
        ? []
        : [JSON.stringify(cells[3]?.outputs).slice(0, 300)],
    );
    step('the status bar shows the runtime', /tfjs: \w+/.test(status) ? [] : [`status bar: ${status}`]);
  } catch (err) {
    step('the test ran to the end', [err instanceof Error ? (err.stack ?? err.message) : String(err)]);
    const page = browser?.contexts()[0]?.pages()[0];
    await page?.screenshot({ path: join(OUT, 'failure.png') }).catch(() => undefined);
    saveExtensionLog(tmp, OUT);
  } finally {
    clearTimeout(killer);
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }
  console.log(failures.length ? `e2e-tslab: ${failures.length} problem(s)` : 'e2e-tslab: all passed');
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
