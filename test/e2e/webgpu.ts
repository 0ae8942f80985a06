/**
 * End-to-end: a kernel started by the installed .vsix with `vaeLab.backend: webgpu` (a
 * workspace setting) loads Dawn's dawn.node from the extension's dist/webgpu under code-server's
 * own Node, runs a cell on the webgpu backend, and names the adapter in the status bar (on a
 * machine without a GPU: Mesa's software renderer, which it must say). Screenshots go to
 * test/output/e2e-webgpu/. Run: `npm run test:e2e:webgpu` (VAE_LAB_E2E_SKIP_PACKAGE=1 reuses
 * dist/vae-lab.vsix).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { assertInstalled, installExtension, startCodeServer, type CodeServer } from './codeServer';
import { streamText, type IpynbCell } from './fixture';
import { launchBrowser, Workbench } from './workbench';

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'test/output/e2e-webgpu');
const VSIX = join(ROOT, 'dist/vae-lab.vsix');
const NOTEBOOK = 'webgpu.ipynb';
const TOTAL_MS = 6 * 60_000;

// Reads with `await data()`: a synchronous read cannot work on webgpu in Node (runtime/webgpu.ts).
// Then an image computed on the GPU (WEBGPU_CPU_FORWARD off: small ops would run on the CPU),
// shown with display.png, which the kernel reads asynchronously there.
const CELL = `import * as tf from '@tensorflow/tfjs';
const a = tf.tensor2d([[1, 2], [3, 4]]);
const g = tf.grad((x: tf.Tensor) => tf.matMul(x, a).square().sum())(tf.ones([3, 2]));
console.log(\`backend=\${tf.getBackend()} grad=\${Array.from(await g.data()).join(',')}\`);
tf.env().set('WEBGPU_CPU_FORWARD', false);
display.png(tf.add(tf.linspace(0, 0.5, 48).reshape([6, 8, 1]), tf.linspace(0, 0.5, 48).reshape([6, 8, 1])));`;

async function main(): Promise<number> {
  assertInstalled();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  if (!process.env.VAE_LAB_E2E_SKIP_PACKAGE) execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\`.`);
  const tmp = mkdtempSync(join(tmpdir(), 'vae-lab-e2e-webgpu-'));
  const vsix = join(tmp, 'vae-lab.vsix');
  copyFileSync(VSIX, vsix);
  const workspace = join(tmp, 'workspace');
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'vaeLab.backend': 'webgpu' }));
  writeFileSync(
    join(workspace, NOTEBOOK),
    JSON.stringify({
      cells: [{ cell_type: 'code', source: CELL, outputs: [], execution_count: null, metadata: {} }],
      metadata: { kernelspec: { name: 'vae-lab', display_name: 'VAE Lab (TypeScript)', language: 'typescript' }, language_info: { name: 'typescript' } },
      nbformat: 4,
      nbformat_minor: 5,
    }),
  );
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const failures: string[] = [];
  const step = (title: string, problems: string[]) => {
    failures.push(...problems.map((p) => `${title}: ${p}`));
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${title}${problems.map((p) => `\n       ${p}`).join('')}`);
  };
  const killer = setTimeout(() => {
    console.error('e2e-webgpu: out of time');
    process.exit(1);
  }, TOTAL_MS);
  try {
    step(
      'the .vsix holds dawn.node for this platform',
      readFileSync(vsix).includes(`extension/dist/webgpu/${process.platform}-${process.arch}/dawn.node`) ? [] : ['missing dist/webgpu'],
    );
    const log = await installExtension(tmp, vsix);
    step('the .vsix installs', /successfully installed/i.test(log) ? [] : [log.trim()]);
    server = await startCodeServer(tmp, workspace);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const wb = new Workbench(page, OUT);
    await wb.open(server.url);
    await wb.openFile(NOTEBOOK);
    await wb.waitForNotebook();
    await wb.selectKernel('VAE Lab (TypeScript)');
    await wb.runAll(TOTAL_MS / 2);
    await wb.save();
    const status = await wb.statusBarText();
    await wb.screenshot('ran');
    step(
      'the status bar names the webgpu backend and its adapter',
      /tfjs: webgpu .*WebGPU.*(Vulkan|Metal|D3D12|GL)/.test(status) ? [] : [`status bar: ${status}`],
    );
    if (!/GPU \(WebGPU/.test(status))
      step('without a GPU it says the adapter is a software renderer', /software renderer/.test(status) ? [] : [`status bar: ${status}`]);
    const saved = JSON.parse(readFileSync(join(workspace, NOTEBOOK), 'utf8')) as { cells: IpynbCell[] };
    const out = streamText(saved.cells[0].outputs ?? [], 'stdout');
    // d/dx sum((x a)^2) = 2 (x a) a^T with x = ones: x a = [4, 6] per row, times a^T = [16, 36], times 2
    step(
      'the cell ran on webgpu with the right gradient',
      /backend=webgpu grad=32,72,32,72,32,72/.test(out) ? [] : [`stdout: ${out} outputs: ${JSON.stringify(saved.cells[0].outputs).slice(0, 400)}`],
    );
    const png = (saved.cells[0].outputs ?? []).find((o) => o.output_type === 'display_data' && o.data?.['image/png']);
    step(
      'display.png of a tensor on the GPU shows an 8x6 image',
      png && /\[image 8x6\]/.test(JSON.stringify(png.data?.['text/plain'])) ? [] : [`outputs: ${JSON.stringify(saved.cells[0].outputs).slice(0, 400)}`],
    );
  } catch (err) {
    step('the test ran to the end', [err instanceof Error ? (err.stack ?? err.message) : String(err)]);
  } finally {
    clearTimeout(killer);
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }
  console.log(failures.length ? `e2e-webgpu: ${failures.length} problem(s)` : 'e2e-webgpu: all passed');
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
