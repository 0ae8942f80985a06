// Step and scoring time of a FactorVAE-comparison preset, to size its step budget:
//   flock /tmp/vae-lab-heavy.lock npx tsx scripts/measure-factor-vae.ts [preset] [steps]
// Trains beta-VAE and FactorVAE for `steps` steps each (after 10 warm-up steps), then scores
// the FactorVAE once, and prints ms per step and the projected minutes per model.
import { experiments } from '../src/lab';
import { initRuntime } from '../src/lab/runtime';

async function main(): Promise<void> {
  const { factorVae } = experiments;
  const name = (process.argv[2] ?? 'laptop') as experiments.factorVae.PresetName;
  const steps = Number(process.argv[3] ?? 200);
  const P = factorVae.presets[name];
  const runtime = await initRuntime('wasm');
  console.log(`preset ${name}, backend ${runtime.backend}, threads ${process.env.VAE_LAB_WASM_THREADS ?? 2}`);
  const totalSteps = P.steps ?? P.epochs * Math.floor((P.trainExamples ?? 737280) / P.batchSize);
  let scoreSeconds = 0;
  for (const [kind, w] of [['beta-vae', 4], ['factor-vae', 10]] as const) {
    const data = factorVae.loadData(P, { seed: 0 });
    const config = factorVae.modelConfig(kind, w, P);
    const warm = await factorVae.train(config, data, { ...P, steps: 10 }, { seed: 0 });
    warm.model.dispose();
    const t = await factorVae.train(config, data, { ...P, steps }, { seed: 0 });
    const ms = (1000 * t.trainSeconds) / steps;
    if (kind === 'factor-vae') {
      const t0 = Date.now();
      await factorVae.score(t.model, P, { seed: 0 });
      scoreSeconds = (Date.now() - t0) / 1000;
    }
    t.model.dispose();
    console.log(`${kind}: ${ms.toFixed(0)} ms/step -> ${((ms * totalSteps) / 60000).toFixed(1)} min for ${totalSteps} steps` + (kind === 'factor-vae' ? `; scoring ${scoreSeconds.toFixed(0)} s` : ''));
  }
}

void main();
