/** Shared by the sweep tests that run the real CLI: dist/cli.js (built here when missing), run with argv arrays. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after } from 'node:test';
import { join } from 'node:path';

export const root = join(__dirname, '../../..');
export const cliPath = join(root, 'dist/cli.js');

export function ensureBuilt(): void {
  if (!existsSync(cliPath)) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
}

/** `vae-lab ...args` to its end: exit status, stdout, stderr. */
export function vaeLab(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', cwd: opts.cwd, env: opts.env ?? process.env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A spec of tiny real MNIST trainings (seconds each at the quick preset with 256 images). */
export const tinyBase = { model: 'vae', dataset: 'mnist', preset: 'quick', 'train-examples': 256, examples: 64, epochs: 1, K: 5 };

const made: string[] = [];
/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(prefix: string): string {
  if (made.length === 0) after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
