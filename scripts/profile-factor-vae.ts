// Where a FactorVAE-comparison step spends its time, to decide what to cut:
//   flock /tmp/vae-lab-heavy.lock node --import tsx scripts/profile-factor-vae.ts [preset] [steps]
// For beta-VAE and FactorVAE: wall ms per step, then the same steps under tf.profile with the
// kernel time summed by kernel name (the rest of the wall time is JS: tape, batch rendering,
// permutations, sync reads), and the cost of rendering one batch alone. Then the scoring of
// the FactorVAE split into its parts (disentanglement metrics; NLL / MI / AU).
import * as tf from '@tensorflow/tfjs';
import { experiments } from '../src/lab';
import { Rng } from '../src/lab/core/random';
import { DSprites } from '../src/lab/data/dsprites';
import { evaluateDisentanglement } from '../src/lab/metrics/disentanglementEval';
import { initRuntime } from '../src/lab/runtime';

async function main(): Promise<void> {
  const { factorVae } = experiments;
  const name = (process.argv[2] ?? 'laptop') as experiments.factorVae.PresetName;
  const steps = Number(process.argv[3] ?? 40);
  const P = factorVae.presets[name];
  const runtime = await initRuntime('wasm');
  console.log(
    `preset ${name}, backend ${runtime.backend}, threads ${process.env.VAE_LAB_WASM_THREADS ?? 2}, D ${P.discriminator.depth} x ${P.discriminator.width}`,
  );

  const data = factorVae.loadData(P, { seed: 0 });
  const rng = new Rng(5);
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) tf.dispose(data.train.batch(Int32Array.from({ length: P.batchSize }, () => rng.int(data.train.n))).x);
  console.log(`render one batch of ${P.batchSize}: ${((performance.now() - t0) / 50).toFixed(1)} ms`);

  for (const [kind, w] of [
    ['beta-vae', 4],
    ['factor-vae', 10],
  ] as const) {
    const config = factorVae.modelConfig(kind, w, P);
    (await factorVae.train(config, data, { ...P, steps: 10 }, { seed: 0 })).model.dispose();
    const t = await factorVae.train(config, data, { ...P, steps }, { seed: 0 });
    const wallMs = (1000 * t.trainSeconds) / steps;
    t.model.dispose();
    let trained: experiments.factorVae.TrainedModel | undefined;
    const prof = await tf.profile(async () => {
      trained = await factorVae.train(config, data, { ...P, steps }, { seed: 0 });
    });
    const byName = new Map<string, { ms: number; n: number }>();
    for (const k of prof.kernels) {
      const e = byName.get(k.name) ?? { ms: 0, n: 0 };
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      e.n++;
      byName.set(k.name, e);
    }
    const kernelMs = [...byName.values()].reduce((a, e) => a + e.ms, 0) / steps;
    console.log(
      `\n${kind}: ${wallMs.toFixed(1)} ms/step wall; under the profiler ${((1000 * trained!.trainSeconds) / steps).toFixed(1)} ms/step, of which kernels ${kernelMs.toFixed(1)}`,
    );
    for (const [k, e] of [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14))
      console.log(`  ${k.padEnd(28)} ${(e.ms / steps).toFixed(2).padStart(7)} ms/step  ${(e.n / steps).toFixed(0).padStart(4)} calls/step`);
    if (kind === 'factor-vae') {
      const set = new DSprites();
      let s0 = performance.now();
      evaluateDisentanglement(trained!.model, set, { ...P.disentanglement, seed: 1000 });
      const dis = (performance.now() - s0) / 1000;
      s0 = performance.now();
      factorVae.score(trained!.model, P, { seed: 0 });
      console.log(`scoring: disentanglement ${dis.toFixed(0)} s, everything ${((performance.now() - s0) / 1000).toFixed(0)} s`);
    }
    trained!.model.dispose();
  }
}

void main();
