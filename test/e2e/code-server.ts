/**
 * End-to-end test in a real VS Code: packages the extension, installs the .vsix into a fresh
 * code-server, opens a notebook of fixture cells in headless Chromium, picks the
 * "VAE Lab (TypeScript)" kernel, runs all cells, saves, and checks each cell's saved outputs
 * (fixture.ts). Screenshots go to test/output/e2e/. Run: `npm run test:e2e`
 * (needs scripts/setup-test-env.sh once). Set VAE_LAB_E2E_SKIP_PACKAGE=1 to reuse dist/vae-lab.vsix.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { assertInstalled, installExtension, startCodeServer, type CodeServer } from './codeServer';
import { checkLifecycle, checkNotebook, fixtureNotebook, LIFECYCLE, lifecycleNotebook, type CheckResult } from './fixture';
import { launchBrowser, Workbench } from './workbench';

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'test/output/e2e');
const VSIX = join(ROOT, 'dist/vae-lab.vsix');
const NOTEBOOK = 'e2e.ipynb';
const LIFECYCLE_NOTEBOOK = 'lifecycle.ipynb';
/** A notebook whose metadata says Python, to see new cells default to TypeScript. */
const PYTHON_NOTEBOOK = 'python-meta.ipynb';
const KERNEL_LABEL = 'VAE Lab (TypeScript)';
/** Whole test, start to finish; the run itself gets most of it (first tfjs load included). */
const TOTAL_MS = 8 * 60_000;

async function main(): Promise<number> {
  assertInstalled();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  if (!process.env.VAE_LAB_E2E_SKIP_PACKAGE) {
    console.log('e2e: npm run package');
    execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\` (or unset VAE_LAB_E2E_SKIP_PACKAGE).`);
  const tmp = mkdtempSync(join(tmpdir(), 'vae-lab-e2e-'));
  // A copy: another build in the same tree may clean dist/ while this test runs.
  const vsix = join(tmp, 'vae-lab.vsix');
  copyFileSync(VSIX, vsix);
  const workspace = join(tmp, 'workspace');
  mkdirSync(workspace);
  writeFileSync(join(workspace, NOTEBOOK), JSON.stringify(fixtureNotebook(), null, 1));
  writeFileSync(join(workspace, LIFECYCLE_NOTEBOOK), JSON.stringify(lifecycleNotebook(), null, 1));
  writeFileSync(
    join(workspace, PYTHON_NOTEBOOK),
    JSON.stringify({ cells: [], metadata: { language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 }),
  );

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const results: CheckResult[] = [];
  const step = (title: string, problems: string[]) => {
    results.push({ title, problems });
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${title}${problems.map((p) => `\n       ${p}`).join('')}`);
  };
  const killer = setTimeout(() => {
    console.error(`e2e: over ${TOTAL_MS / 60000} minutes, stopping`);
    void cleanup().then(() => process.exit(1));
  }, TOTAL_MS);
  async function cleanup() {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    server = undefined;
  }

  try {
    // Zip entry names are stored as plain text, so a byte search lists what the .vsix holds.
    const zip = readFileSync(vsix);
    const bundles = ['extension.js', 'kernel.js', 'renderers/grid.js', 'renderers/vegalite.js', 'wasm/tfjs-backend-wasm-simd.wasm'];
    const missing = bundles.filter((b) => !zip.includes(`extension/dist/${b}`));
    step(
      `the .vsix (${(zip.length / 1e6).toFixed(1)} MB) holds the host, kernel and renderer bundles and the wasm binaries`,
      missing.map((m) => `missing dist/${m}`),
    );
    console.log('e2e: installing the .vsix into a fresh code-server');
    const installLog = await installExtension(tmp, vsix);
    step('the .vsix installs', /successfully installed/i.test(installLog) ? [] : [installLog.trim()]);
    server = await startCodeServer(tmp, workspace);
    console.log(`e2e: code-server pid ${server.pid} at ${server.url}`);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const wb = new Workbench(page, OUT);
    await wb.open(server.url);
    await wb.openFile(NOTEBOOK);
    await wb.waitForNotebook();
    await wb.screenshot('opened');
    await wb.selectKernel(KERNEL_LABEL);
    step('the kernel picker offers and selects "VAE Lab (TypeScript)"', []);
    const started = Date.now();
    await wb.runAll(TOTAL_MS / 2);
    console.log(`e2e: Run All finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await wb.save();
    const status = await wb.statusBarText();
    step('the status bar shows the tfjs runtime', /tfjs: \w+/.test(status) ? [] : [`status bar: ${status}`]);
    await wb.screenshotNotebook('ran');
    const saved = JSON.parse(readFileSync(join(workspace, NOTEBOOK), 'utf8'));
    writeFileSync(join(OUT, NOTEBOOK), JSON.stringify(saved, null, 1));
    for (const r of checkNotebook(saved)) step(r.title, r.problems);

    // Our renderers drew in the workbench's output webview (not only saved the right MIME types).
    const canvasDrawn = async (el: Locator) => {
      const canvases = await wb.canvases(el);
      return canvases.some((c) => c.colours >= 3) ? [] : [`no canvas with content: ${JSON.stringify(canvases)}`];
    };
    const drawn = async (title: string, selector: string, name: string, content: (el: Locator) => Promise<string[]> = canvasDrawn) => {
      try {
        const el = await wb.findOutput(selector);
        // Renderers draw asynchronously (vega-embed): give the content a moment to appear.
        let problems = await content(el);
        for (let i = 0; i < 40 && problems.length; i++) {
          await page.waitForTimeout(250);
          problems = await content(el);
        }
        await wb.screenshotElement(el, name);
        step(title, problems);
      } catch (err) {
        step(title, [err instanceof Error ? err.message : String(err)]);
      }
    };
    await drawn('the grid renderer draws the reconstructions in the workbench', '.vae-lab-grid', 'out-grid');
    await drawn('the traversal renderer draws the latent traversal in the workbench', '.vae-lab-traversal', 'out-traversal');
    await drawn('the arrows renderer draws two panels in the workbench', '.vae-lab-arrows', 'out-arrows', async (el) => {
      const panels = await el.locator('.vae-lab-panel').count();
      const canvases = (await wb.canvases(el)).filter((c) => c.colours >= 3).length;
      const stats = await el.locator('.vae-lab-stats').allInnerTexts();
      return [
        ...(panels === 2 ? [] : [`${panels} panels, expected 2`]),
        ...(canvases >= 2 ? [] : [`${canvases} panel canvases with content, expected 2`]),
        ...(stats.length === 2 && stats.every((t) => /\d/.test(t)) ? [] : [`stats under the panels: ${JSON.stringify(stats)}`]),
      ];
    });
    await drawn(
      'the vega-lite renderer draws the live training chart (and the chart cell) in the workbench',
      '.vae-lab-vegalite:has-text("e2e training")',
      'out-live-chart',
      async (el) => {
        const live = await el.locator('svg .mark-line path').evaluateAll((ps) => ps.filter((p) => (p.getAttribute('d') ?? '').length > 20).length);
        if (!live) return ['the live chart has no drawn line'];
        // Updated in place: the workbench shows one live chart, not one per update.
        const copies = (
          await Promise.all(
            page.frames().map((f) =>
              f
                .locator('.vae-lab-vegalite:has-text("e2e training")')
                .count()
                .catch(() => 0),
            ),
          )
        ).reduce((a, b) => a + b, 0);
        if (copies !== 1) return [`${copies} live charts in the workbench, expected 1`];
        // vega-embed draws SVG: count the charts whose line marks have a path.
        const counts = await Promise.all(
          page.frames().map((f) =>
            f
              .locator('.vae-lab-vegalite')
              .evaluateAll(
                (boxes) => boxes.filter((b) => [...b.querySelectorAll('svg .mark-line path')].some((p) => (p.getAttribute('d') ?? '').length > 20)).length,
              )
              .catch(() => 0),
          ),
        );
        const charts = counts.reduce((a, b) => a + b, 0);
        return charts >= 2 ? [] : [`${charts} vega-lite outputs drew lines, expected 2 (the chart cell and the live chart)`];
      },
    );
    const errorBoxes = (
      await Promise.all(
        page.frames().map((f) =>
          f
            .locator('.vae-lab-error')
            .allInnerTexts()
            .catch(() => []),
        ),
      )
    ).flat();
    step(
      'no renderer shows an error box',
      errorBoxes.map((t) => `error box: ${t.slice(0, 200)}`),
    );

    console.log('e2e: interrupt and kernel death');
    await wb.openFile(LIFECYCLE_NOTEBOOK);
    await wb.waitForNotebook();
    await wb.selectKernel(KERNEL_LABEL);
    await wb.startRunAll();
    await wb.waitCellRunning(LIFECYCLE.loop);
    await wb.interrupt();
    await wb.runCell(LIFECYCLE.afterInterrupt);
    await wb.runCell(LIFECYCLE.kill);
    await wb.runCell(LIFECYCLE.fresh);
    await wb.save();
    await wb.screenshot('lifecycle');
    const lifecycle = JSON.parse(readFileSync(join(workspace, LIFECYCLE_NOTEBOOK), 'utf8'));
    writeFileSync(join(OUT, LIFECYCLE_NOTEBOOK), JSON.stringify(lifecycle, null, 1));
    for (const r of checkLifecycle(lifecycle)) step(r.title, r.problems);

    await wb.openFile(PYTHON_NOTEBOOK);
    await wb.waitForNotebook();
    await wb.selectKernel(KERNEL_LABEL);
    const language = await wb.addCodeCellLanguage();
    await wb.screenshot('new-cell');
    step('a new code cell defaults to TypeScript (notebook metadata says Python)', /TypeScript/.test(language) ? [] : [`new cell status bar: ${language}`]);
  } catch (err) {
    step('the test ran to the end', [err instanceof Error ? (err.stack ?? err.message) : String(err)]);
    if (browser) {
      const page = browser.contexts()[0]?.pages()[0];
      await page?.screenshot({ path: join(OUT, 'failure.png') }).catch(() => undefined);
    }
    if (server) writeFileSync(join(OUT, 'code-server.log'), server.log());
  } finally {
    clearTimeout(killer);
    await cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }
  const failed = results.filter((r) => r.problems.length).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
