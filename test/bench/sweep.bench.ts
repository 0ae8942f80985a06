// npm run bench -- sweep: the local executor's split of 2 cores, measured. The same grid of
// quick MNIST trainings (VAE, quick preset, BENCH_SWEEP_JOBS seeds, default 4) runs as
//   sequential: `sweep run --jobs 1` with VAE_LAB_WASM_THREADS=2 (one process, two threads)
//   pool:       `sweep run --jobs 2` with VAE_LAB_WASM_THREADS=1 (two processes, one thread each)
// alternating (seq, pool, seq, pool, ...; BENCH_ROUNDS rounds, default 2) so that load from other
// work on the machine falls on both alike. Run it under `flock /tmp/vae-lab-bench.lock`.
// Prints `sweep_sequential_s`, `sweep_pool_s` (medians, with the range and the load average)
// and `sweep_pool_speedup` (sequential / pool in wall time).
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/cli.js');
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
const n = Number(process.env.BENCH_SWEEP_JOBS) || 4;
const rounds = Number(process.env.BENCH_ROUNDS) || 2;
const dir = mkdtempSync(join(tmpdir(), 'vae-lab-bench-sweep-'));
const spec = join(dir, 'spec.json');
const seeds = Array.from({ length: n }, (_, i) => i + 1);
writeFileSync(spec, JSON.stringify({ name: 'bench', command: 'train', base: { model: 'vae', dataset: 'mnist', preset: 'quick' }, grid: { seed: seeds } }));

function once(jobs: number, threads: number, tag: string): number {
  const out = join(dir, tag);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'sweep', 'run', spec, '--out', out, '--jobs', String(jobs)], {
    env: { ...process.env, VAE_LAB_WASM_THREADS: String(threads) },
    encoding: 'utf8',
  });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sweep run --jobs ${jobs} failed:\n${r.stderr}`);
  rmSync(out, { recursive: true, force: true });
  return s;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
const seq: number[] = [];
const pool: number[] = [];
const load0 = loadavg()[0];
for (let r = 0; r < rounds; r++) {
  seq.push(once(1, 2, `seq-${r}`));
  pool.push(once(2, 1, `pool-${r}`));
  console.log(`# round ${r + 1}: sequential ${seq[r].toFixed(1)} s, pool ${pool[r].toFixed(1)} s`);
}
const fmt = (xs: number[]) =>
  `${median(xs).toFixed(1)} s for ${n} quick MNIST VAE jobs (median of ${xs.length}, range ${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
const load = `load average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`;
console.log(`sweep_sequential_s: ${fmt(seq)} (1 process x 2 threads; ${load})`);
console.log(`sweep_pool_s: ${fmt(pool)} (2 processes x 1 thread)`);
console.log(`sweep_pool_speedup: ${(median(seq) / median(pool)).toFixed(2)}x (sequential / pool wall time)`);
rmSync(dir, { recursive: true, force: true });
