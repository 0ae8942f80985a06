/**
 * `vae-lab train --dataset dsprites --model beta-vae|factor-vae ...`: the beta-VAE vs
 * FactorVAE experiment (lab/experiments/factor-vae). Same metrics.json shape as the other
 * data sets (test, tTest, config, backend, seconds, trainSeconds) plus `disentanglement`
 * ({ factorVae, betaVae, tcDiscriminator (FactorVAE only), tcGaussianMeans, recon, klPerDim, activeDims }) and `tcHistory` (FactorVAE's
 * discriminator TC estimate per step).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic';
import { experiments, type LabModel, type TrainerState } from '../lab';
import { describeRuntime, initRuntime } from '../lab/runtime';
import { UnknownNameError } from '../lab/core/errors';
import { UsageError, type Flags } from './args';
import { phase, runCallbacks } from './progress';

const { factorVae } = experiments;

export async function trainDSprites(flags: Flags): Promise<number> {
  if (!flags.out) throw new UsageError('--out DIR is required (metrics.json and model/ are written there)');
  if (flags.cr || flags.aug) throw new UsageError('--cr and --aug are MNIST experiments; dSprites runs beta-VAE or FactorVAE');
  const model = (flags.model as string | undefined) ?? 'factor-vae';
  if (model !== 'beta-vae' && model !== 'factor-vae') throw new UsageError(`--dataset dsprites trains beta-vae or factor-vae, not '${model}'`);
  const presetName = (flags.preset as string | undefined) ?? 'quick';
  const p = presetFor(presetName, flags);
  const t0 = Date.now();
  const runtime = await initRuntime((flags.backend as 'auto' | 'wasm' | 'cpu' | undefined) ?? 'auto');
  const weight = model === 'beta-vae' ? ((flags.beta as number | undefined) ?? 1) : ((flags.gamma as number | undefined) ?? 10);
  const config = factorVae.modelConfig(model, weight, p, { latentDim: flags.latent as number | undefined, learningRate: flags.lr as number | undefined });
  const out = flags.out as string;
  mkdirSync(out, { recursive: true });
  const seed = (flags.seed as number | undefined) ?? 0;
  const epochs = (flags.epochs as number | undefined) ?? p.epochs;
  const steps = (flags.steps as number | undefined) ?? (flags.epochs === undefined ? p.steps : undefined);
  const trainExamples = (flags['train-examples'] as number | undefined) ?? p.trainExamples;
  const run = { dataset: 'dsprites', preset: presetName, seed, trainExamples: trainExamples ?? 737280, evalExamples: p.evalExamples, K: p.K, M: p.M };
  console.error(
    `vae-lab: ${config.kind} on dsprites (${run.trainExamples} images), ${steps !== undefined ? `${steps} steps` : `${epochs} epochs`}, ${describeRuntime(runtime)}`,
  );
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const data = factorVae.loadData(p, { seed, trainExamples });
    const t = await factorVae.train(config, data, p, {
      seed,
      epochs,
      steps,
      signal: ac.signal,
      callbacks: runCallbacks(out),
      checkpointDir: join(out, 'model'),
      extra: { run },
    });
    phase(out, 'evaluate', 'NLL, disentanglement metrics');
    const r = { ...t, ...(await factorVae.score(t.model, p, { seed, signal: ac.signal })) };
    const tcHistory = factorVae.tcHistoryOf(r.fit);
    const metrics = {
      test: r.test,
      tTest: r.tTest,
      config: { model: config, run, epochs, steps: r.fit.steps, batchSize: p.batchSize },
      backend: runtime.backend,
      device: runtime.device,
      seconds: (Date.now() - t0) / 1000,
      trainSeconds: r.trainSeconds,
      disentanglement: r.disentanglement,
      tcHistory,
    };
    writeAtomic(join(out, 'metrics.json'), metrics);
    console.log(summary(config.kind, r, runtime.backend, metrics.seconds));
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * `vae-lab eval --checkpoint DIR` for a checkpoint trained on dSprites: the same scores and
 * metrics.json shape as training wrote (without the training history).
 */
export async function evalDSprites(
  flags: Flags,
  model: LabModel,
  state: TrainerState,
  run: Record<string, unknown>,
  backend: string,
  t0: number,
): Promise<number> {
  const p = presetFor((flags.preset as string | undefined) ?? (run.preset as string | undefined) ?? 'quick', flags);
  const seed = (flags.seed as number | undefined) ?? (run.seed as number | undefined) ?? 0;
  const scores = await factorVae.score(model, p, { seed });
  const metrics = {
    test: scores.test,
    tTest: scores.tTest,
    config: { model: model.config(), run, step: state.step },
    backend,
    seconds: (Date.now() - t0) / 1000,
    disentanglement: scores.disentanglement,
  };
  if (flags.out) writeAtomic(flags.out as string, metrics);
  console.log(summary(model.config().kind, scores, backend, metrics.seconds));
  return 0;
}

/** The dSprites preset named on the command line, with --K / --examples applied. */
function presetFor(name: string, flags: Flags): experiments.factorVae.Preset {
  const preset = factorVae.presets[name as experiments.factorVae.PresetName];
  if (!preset) throw new UnknownNameError('--preset for dSprites', name, Object.keys(factorVae.presets));
  return {
    ...preset,
    ...(flags.K !== undefined ? { K: flags.K as number } : {}),
    ...(flags.examples !== undefined ? { evalExamples: flags.examples as number } : {}),
  };
}

function writeAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2));
}

function summary(kind: string, s: experiments.factorVae.DSpritesScores, backend: string, seconds: number): string {
  const d = s.disentanglement;
  return `${kind}: FactorVAE metric ${d.factorVae.toFixed(3)}  beta-VAE metric ${d.betaVae.toFixed(3)}  TC (D) ${d.tcDiscriminator?.toFixed(2) ?? '-'}  TC (Gaussian, means) ${d.tcGaussianMeans.toFixed(2)}  recon ${d.recon.toFixed(1)} nats  NLL ${s.test?.nll.toFixed(1)}\nbackend ${backend}, ${seconds.toFixed(0)} s`;
}
