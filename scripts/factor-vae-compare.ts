// FactorVAE vs beta-VAE, the comparison runs: one `vae-lab train` process per model and seed
// (beta 1, 4, 16; gamma 10, 40; seeds 0..N-1), `--jobs` at a time, each with `--threads` wasm
// threads (default 1 per job with 2 jobs: two single-thread FactorVAEs side by side made 12.7-13.9
// steps per second in all, one with two threads 7.8-9.2, alternating in one sitting; most products
// of these nets are too small to split over threads). Resumable: each run
// trains into <out>/.partial/<name> and moves to <out>/<name> once its metrics.json is written
// (experiments/factor-vae/resume.ts), and complete runs are skipped, so a stopped comparison
// continues where it was. Runs the CLI from the sources (no build needed), from the repository
// root. The products run on the native GEMM where it is built (`npm run build:native`, seconds);
// a fresh clone without it trains on the wasm products, which are slower, so the runner says
// which at the start. Long: take the long lock:
//   flock /tmp/vae-lab-long.lock node --import tsx scripts/factor-vae-compare.ts --preset laptop --seeds 2 --out notebooks/runs/factor-vae-laptop
// The notebook (VAE_LAB_PRESET=laptop) reads <out>/<model>-<weight>-s<seed>/metrics.json and model/.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { planRuns, runComparison, type PlannedRun } from '../src/lab/experiments/factor-vae/resume';
import { loadNativeGemm } from '../src/lab/runtime/native-gemm';

function flag(name: string, fallback: string): string;
function flag(name: string): string | undefined;
function flag(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}
const preset = flag('preset', 'laptop');
const seeds = Number(flag('seeds', '2'));
const jobs = Number(flag('jobs', '2'));
const threads = Number(flag('threads', String(Math.max(1, Math.floor(2 / jobs)))));
const out = flag('out', `notebooks/runs/factor-vae-${preset}`);
const steps = flag('steps');
if (![seeds, jobs, threads].every((v) => Number.isInteger(v) && v >= 1)) {
  console.error(
    'usage: node --import tsx scripts/factor-vae-compare.ts [--preset laptop] [--seeds 2] [--jobs 2] [--threads 1] [--steps N] [--out notebooks/runs/factor-vae-laptop]',
  );
  process.exit(2);
}

const minutes = (t0: number) => ((Date.now() - t0) / 60000).toFixed(1);

function trainOne(run: PlannedRun, folder: string): Promise<boolean> {
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'train', '--dataset', 'dsprites', '--preset', preset, '--model', run.model];
  args.push(run.model === 'beta-vae' ? '--beta' : '--gamma', String(run.weight), '--seed', String(run.seed), '--backend', 'wasm', '--out', folder);
  if (steps) args.push('--steps', steps);
  const log = openSync(join(folder, 'train.log'), 'w');
  const t0 = Date.now();
  console.log(`start ${run.name} (${threads} thread${threads > 1 ? 's' : ''})`);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', log, log], env: { ...process.env, VAE_LAB_WASM_THREADS: String(threads) } });
    p.on('exit', (code) => {
      closeSync(log);
      if (code === 0) console.log(`done ${run.name} in ${minutes(t0)} min`);
      resolve(code === 0);
    });
  });
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const native = loadNativeGemm();
  console.log(
    native.gemm
      ? `products on the native ${native.gemm.isa()} GEMM`
      : `products on wasm (${native.why}): each run is slower; \`npm run build:native\` builds the native GEMM in seconds where a C++ compiler is installed`,
  );
  const { skipped, done, failed } = await runComparison(planRuns(out, seeds), jobs, trainOne, console.log);
  console.log(`${done.length} trained, ${skipped.length} already complete, ${failed.length} failed, in ${minutes(t0)} min (results in ${out})`);
  process.exit(failed.length ? 1 : 0);
}

void main();
