// Step and scoring time of a FactorVAE-comparison preset, to size its step budget:
//   flock /tmp/vae-lab-heavy.lock node --import tsx scripts/measure-factor-vae.ts [preset] [steps] [--d WIDTHxDEPTH] [--permute same-batch|second-batch] [--only beta-vae|factor-vae] [--no-score]
// Trains beta-VAE and FactorVAE for `steps` steps each (after 10 warm-up steps), then scores
// the FactorVAE once, and prints ms per step and the projected minutes per model. `--d`
// replaces the preset's discriminator size and `--permute` its source of permuted codes (to
// compare settings side by side in one sitting).
import { experiments } from '../src/lab';
import { initRuntime } from '../src/lab/runtime';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const { factorVae } = experiments;
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').match(/^--(d|only|permute)$/));
  const name = (positional[0] ?? 'laptop') as experiments.factorVae.PresetName;
  const steps = Number(positional[1] ?? 200);
  const d = flag('d')?.split('x').map(Number);
  const base = factorVae.presets[name];
  const permute = flag('permute') as 'same-batch' | 'second-batch' | undefined;
  const P = {
    ...base,
    discriminator: { ...base.discriminator, ...(d ? { width: d[0], depth: d[1] ?? base.discriminator.depth } : {}), ...(permute ? { permute } : {}) },
  };
  const runtime = await initRuntime('wasm');
  console.log(
    `preset ${name}, ${runtime.device}, VAE_LAB_WASM_THREADS ${process.env.VAE_LAB_WASM_THREADS ?? 2}, D ${P.discriminator.depth} x ${P.discriminator.width}, permute ${P.discriminator.permute ?? 'second-batch'}`,
  );
  const totalSteps = P.steps ?? P.epochs * Math.floor((P.trainExamples ?? 737280) / P.batchSize);
  const kinds = (
    [
      ['beta-vae', 4],
      ['factor-vae', 10],
    ] as const
  ).filter(([k]) => !flag('only') || flag('only') === k);
  for (const [kind, w] of kinds) {
    const data = factorVae.loadData(P, { seed: 0 });
    const config = factorVae.modelConfig(kind, w, P);
    const warm = await factorVae.train(config, data, { ...P, steps: 10 }, { seed: 0 });
    warm.model.dispose();
    const t = await factorVae.train(config, data, { ...P, steps }, { seed: 0 });
    const ms = (1000 * t.trainSeconds) / steps;
    let scoring = '';
    if (kind === 'factor-vae' && !process.argv.includes('--no-score')) {
      const t0 = Date.now();
      await factorVae.score(t.model, P, { seed: 0 });
      scoring = `; scoring ${((Date.now() - t0) / 1000).toFixed(0)} s`;
    }
    t.model.dispose();
    console.log(`${kind}: ${ms.toFixed(0)} ms/step -> ${((ms * totalSteps) / 60000).toFixed(1)} min for ${totalSteps} steps${scoring}`);
  }
}

void main();
