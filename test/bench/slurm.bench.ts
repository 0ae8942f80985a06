// npm run bench -- slurm: the Slurm executor's overhead per job on the single-node cluster of
// scripts/slurm-start.sh (started here; needs root). Each round runs `sweep run --executor slurm`
// on 2 tiny MNIST jobs (2 tasks on 2 CPUs, so no task waits for a CPU) and reads, per job:
//   submit to start:    the task's runJob start (state.json startedAt) - sbatch's call (slurm.json)
//   end to collected:   the driver's first sight of the ended task (slurm.collectedAt) - the
//                       job's end (state.json endedAt); the driver polls scontrol every second
// BENCH_ROUNDS rounds (default 3). Prints medians and ranges over every job.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobDir, readJobStatus, type SlurmRecord, type SweepFile } from '../../src/lab/jobs';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/cli.js');
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
execFileSync('bash', [join(root, 'scripts/slurm-start.sh')], { stdio: 'ignore' });
const rounds = Number(process.env.BENCH_ROUNDS) || 3;
const dir = mkdtempSync(join(tmpdir(), 'vae-lab-bench-slurm-'));
const spec = join(dir, 'spec.json');
const base = { model: 'vae', dataset: 'mnist', preset: 'quick', 'train-examples': 256, examples: 64, epochs: 1, K: 5 };
writeFileSync(spec, JSON.stringify({ name: 'bench-slurm', command: 'train', base, grid: { seed: [1, 2] } }));
const toStart: number[] = [];
const toCollect: number[] = [];
for (let r = 0; r < rounds; r++) {
  const out = join(dir, `r${r}`);
  const res = spawnSync(process.execPath, [cli, 'sweep', 'run', spec, '--out', out, '--executor', 'slurm'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`sweep run failed:\n${res.stderr}`);
  const file = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepFile;
  const sub = (JSON.parse(readFileSync(join(out, 'slurm.json'), 'utf8')) as SlurmRecord).submissions[0];
  for (const j of file.jobs) {
    const s = readJobStatus(jobDir(out, j.id));
    toStart.push(((s.startedAt ?? NaN) - sub.submittedAt) / 1000);
    toCollect.push(((s.slurm?.collectedAt ?? NaN) - (s.endedAt ?? NaN)) / 1000);
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
const fmt = (xs: number[]) => `${median(xs).toFixed(2)} s (median of ${xs.length} jobs, range ${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;
console.log(`slurm_submit_to_start_s: ${fmt(toStart)}`);
console.log(`slurm_end_to_collected_s: ${fmt(toCollect)} (scontrol polled every 1 s)`);
rmSync(dir, { recursive: true, force: true });
