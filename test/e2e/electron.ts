/**
 * The end-to-end test in desktop VS Code, for machines that can download it
 * (`npm run test:e2e:electron`). Not part of `npm test` here: this machine has no internet
 * for @vscode/test-electron's download; code-server.ts runs the same fixture in CI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';
import { fixtureNotebook } from './fixture';

const ROOT = resolve(__dirname, '../..');

async function main(): Promise<void> {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const outDir = join(ROOT, 'test/output/electron');
  mkdirSync(outDir, { recursive: true });
  const suite = join(outDir, 'suite.js');
  await esbuild.build({
    entryPoints: [join(__dirname, 'electronSuite.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  });
  const tmp = mkdtempSync(join(tmpdir(), 'vae-lab-electron-'));
  const workspace = join(tmp, 'workspace');
  mkdirSync(workspace);
  const notebook = join(workspace, 'e2e.ipynb');
  writeFileSync(notebook, JSON.stringify(fixtureNotebook(), null, 1));
  try {
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: suite,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', join(tmp, 'user-data')],
      extensionTestsEnv: { VAE_LAB_E2E_NOTEBOOK: notebook },
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
