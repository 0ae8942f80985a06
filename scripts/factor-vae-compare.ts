#!/usr/bin/env node
// FactorVAE vs beta-VAE, the comparison runs: one `vae-lab train` process per model and seed
// (beta 1, 4, 16; gamma 10, 40; seeds 0..N-1), `--jobs` at a time, each with one wasm thread
// so two jobs fill two cores. A run whose metrics.json exists is skipped, so an interrupted
// comparison resumes. Needs `npm run build` first. Run it under the heavy-work lock:
//   flock /tmp/vae-lab-heavy.lock node scripts/factor-vae-compare.mjs --preset laptop --seeds 2 --out runs/factor-vae
// The notebook (VAE_LAB_PRESET=laptop) reads <out>/<model>-<weight>-s<seed>/metrics.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

const GRID = [
  ['beta-vae', 1],
  ['beta-vae', 4],
  ['beta-vae', 16],
  ['factor-vae', 10],
  ['factor-vae', 40],
];

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}
const preset = flag('preset', 'laptop');
const seeds = Number(flag('seeds', '2'));
const jobs = Number(flag('jobs', '2'));
const out = flag('out', 'runs/factor-vae');
const steps = flag('steps', undefined);
if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(jobs) || jobs < 1) {
  console.error('usage: node scripts/factor-vae-compare.mjs [--preset laptop] [--seeds 2] [--jobs 2] [--steps N] [--out runs/factor-vae]');
  process.exit(2);
}

const runDir = (model, weight, seed) => join(out, `${model}-${weight}-s${seed}`);
const queue = [];
for (let seed = 0; seed < seeds; seed++) for (const [model, weight] of GRID) queue.push({ model, weight, seed });

function runOne({ model, weight, seed }) {
  const dir = runDir(model, weight, seed);
  if (existsSync(join(dir, 'metrics.json'))) {
    console.log(`skip ${dir} (metrics.json exists)`);
    return Promise.resolve(0);
  }
  mkdirSync(dir, { recursive: true });
  const args = [
    'dist/cli.js',
    'train',
    '--dataset',
    'dsprites',
    '--preset',
    preset,
    '--model',
    model,
    model === 'beta-vae' ? '--beta' : '--gamma',
    String(weight),
    '--seed',
    String(seed),
    '--backend',
    'wasm',
    '--out',
    dir,
    ...(steps ? ['--steps', steps] : []),
  ];
  const log = openSync(join(dir, 'train.log'), 'w');
  const t0 = Date.now();
  console.log(`start ${dir}`);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', log, log], env: { ...process.env, VAE_LAB_WASM_THREADS: '1' } });
    p.on('exit', (code) => {
      console.log(`${code === 0 ? 'done' : `FAILED (exit ${code}, see train.log)`} ${dir} in ${((Date.now() - t0) / 60000).toFixed(1)} min`);
      resolve(code ?? 1);
    });
  });
}

const t0 = Date.now();
let failed = 0;
await Promise.all(
  Array.from({ length: jobs }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) if ((await runOne(job)) !== 0) failed++;
  }),
);
console.log(`${failed ? `${failed} run(s) failed` : 'all runs done'} in ${((Date.now() - t0) / 60000).toFixed(1)} min`);
process.exit(failed ? 1 : 0);
