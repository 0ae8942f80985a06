/**
 * Kernel overhead through the real protocol (KernelClient -> IPC -> dist/kernel.js):
 *   kernel_start_ms     spawn to `ready` (node start, tfjs and the lab loaded, backend chosen)
 *   first_cell_ms       the first trivial cell (includes the TypeScript converter's warm-up)
 *   cell_overhead_ms    median execute -> done of `1+1` over 200 runs (aim: <= 10)
 *   cell_overhead_p90_ms
 *   new_cell_ms         median execute -> done of a trivial cell whose source is new each
 *                       time (a full type-check + transpile, no reuse of earlier work)
 * Run: npm run bench -- kernel
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KernelClient } from '../../src/host/client';
import { ensureBuilt, kernelScript } from '../unit/kernel/helpers';

const RUNS = 200;
const NEW_RUNS = 30;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function timed(client: KernelClient, code: string): Promise<number> {
  const t0 = performance.now();
  const done = await client.execute({ code });
  if (done.status !== 'ok') throw new Error(`bench cell failed: ${code}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  ensureBuilt();
  const client = new KernelClient({ kernelScript, notebookDir: mkdtempSync(join(tmpdir(), 'vae-lab-bench-')), backend: 'cpu' });
  try {
    const t0 = performance.now();
    await client.start();
    console.log(`kernel_start_ms: ${(performance.now() - t0).toFixed(0)}`);
    console.log(`first_cell_ms: ${(await timed(client, '1+1')).toFixed(1)}`);
    for (let i = 0; i < 10; i++) await timed(client, '1+1');
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await timed(client, '1+1'));
    console.log(`cell_overhead_ms: ${quantile(times, 0.5).toFixed(2)}`);
    console.log(`cell_overhead_p90_ms: ${quantile(times, 0.9).toFixed(2)}`);
    const fresh: number[] = [];
    for (let i = 0; i < NEW_RUNS; i++) fresh.push(await timed(client, `${i}+1`));
    console.log(`new_cell_ms: ${quantile(fresh, 0.5).toFixed(2)}`);
  } finally {
    client.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
