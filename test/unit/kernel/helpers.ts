/**
 * Shared by the kernel tests: the built kernel (built here when missing or older than its
 * sources, so `node --test` works on its own), and a helper that runs one cell and sorts its
 * messages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CellMessage, KernelClient, CellRequest } from '../../../src/host/client';
import type { DoneMessage, MimeBundle } from '../../../src/common/protocol';

export const root = join(__dirname, '../../..');
export const kernelScript = join(root, 'dist/kernel.js');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let checked = false;

/** Builds dist/ when the kernel bundle is missing or older than src/kernel or src/common. */
export function ensureBuilt(): void {
  // Decided once per test process: others edit src/common all the time, and a rebuild in the
  // middle of a file (the build empties dist/) would cost a minute and pull the bundle out
  // from under kernels that are starting.
  if (checked) return;
  checked = true;
  const built = existsSync(kernelScript) ? statSync(kernelScript).mtimeMs : 0;
  if (built >= Math.max(newest(join(root, 'src/kernel')), newest(join(root, 'src/common')))) return;
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

export interface CellRun {
  done: DoneMessage;
  messages: CellMessage[];
  stdout: string;
  stderr: string;
  result?: MimeBundle;
  errors: Extract<CellMessage, { type: 'error' }>[];
  displays: Extract<CellMessage, { type: 'display' }>[];
  diagnostics: Extract<CellMessage, { type: 'diagnostics' }>['diagnostics'];
}

export async function run(client: KernelClient, code: string | CellRequest, onMessage?: (m: CellMessage) => void): Promise<CellRun> {
  const messages: CellMessage[] = [];
  const done = await client.execute(typeof code === 'string' ? { code } : code, (m) => {
    messages.push(m);
    onMessage?.(m);
  });
  const text = (name: string) =>
    messages
      .filter((m) => m.type === 'stream' && m.name === name)
      .map((m) => (m as { text: string }).text)
      .join('');
  return {
    done,
    messages,
    stdout: text('stdout'),
    stderr: text('stderr'),
    result: messages.find((m): m is Extract<CellMessage, { type: 'result' }> => m.type === 'result')?.data,
    errors: messages.filter((m) => m.type === 'error') as CellRun['errors'],
    displays: messages.filter((m) => m.type === 'display') as CellRun['displays'],
    diagnostics: messages.flatMap((m) => (m.type === 'diagnostics' ? m.diagnostics : [])),
  };
}

export function resultText(r: CellRun): string | undefined {
  return r.result?.['text/plain'] as string | undefined;
}
