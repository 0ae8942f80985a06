// FactorVAE vs beta-VAE: score the done jobs of a comparison's sweep folder again with the preset's
// current metric settings (issue 27: the FactorVAE metric with L = 200 votes' examples, collapsed
// dims pruned by KL > 0.1 for every model, the Gaussian TC over the active dims), from the saved
// weights, without retraining. Each DIR/jobs/<id>/metrics.json gets the new `disentanglement`
// (written atomically); the one it replaces is kept under `disentanglementBefore`, once.
// The metric's seed is the run's seed + 1000, as in training's own scoring (experiments/factor-vae/score.ts).
//   flock /tmp/vae-lab-bench.lock node --import tsx scripts/factor-vae-rescore.ts --preset laptop --dir notebooks/runs/factor-vae-laptop
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/common/atomic';
import { DSprites } from '../src/lab/data/dsprites';
import { comparisonJob } from '../src/lab/experiments/factor-vae/compare';
import { presets, type PresetName } from '../src/lab/experiments/factor-vae/presets';
import { isSweepDir, jobFiles, loadSweep } from '../src/lab/jobs';
import { evaluateDisentanglement } from '../src/lab/metrics/disentanglementEval';
import { buildModel } from '../src/lab/models';
import type { LatentModel } from '../src/lab/models/types';
import { initRuntime } from '../src/lab/runtime';
import { loadCheckpoint } from '../src/lab/train/checkpoint';

const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const preset = flag('preset', 'laptop') as PresetName;
const dir = flag('dir', `notebooks/runs/factor-vae-${preset}`);
const only = flag('only', '');
if (!presets[preset] || !isSweepDir(dir)) {
  console.error(
    'usage: node --import tsx scripts/factor-vae-rescore.ts [--preset laptop] [--dir notebooks/runs/factor-vae-laptop (a sweep folder)] [--only <job id>]',
  );
  process.exit(2);
}

async function main(): Promise<void> {
  await initRuntime('wasm', { threads: 1 });
  const set = new DSprites();
  const sweep = loadSweep(dir);
  for (const j of sweep.jobs) {
    const name = j.id;
    if (j.state !== 'done' || (only && name !== only)) continue;
    const jd = join(sweep.dir, j.dir);
    const file = jobFiles(jd).metrics;
    const { seed } = comparisonJob(j.params);
    const t0 = Date.now();
    const metrics = JSON.parse(readFileSync(file, 'utf8'));
    const { model } = await loadCheckpoint(join(jd, 'model'), buildModel);
    const d = await evaluateDisentanglement(model as unknown as LatentModel, set, { ...presets[preset].disentanglement, seed: seed + 1000 });
    model.dispose();
    const out = { ...metrics, disentanglementBefore: metrics.disentanglementBefore ?? metrics.disentanglement, disentanglement: d };
    writeFileAtomic(file, JSON.stringify(out, null, 2) + '\n');
    console.log(
      `${name}: FactorVAE metric ${d.factorVae.toFixed(3)} (was ${metrics.disentanglement.factorVae.toFixed(3)}), beta-VAE metric ${d.betaVae.toFixed(3)}, ` +
        `active ${d.activeDims} (${d.pruning}), TC means ${d.tcGaussianMeans.toFixed(2)} (was ${metrics.disentanglement.tcGaussianMeans.toFixed(2)}), ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
}

void main();
