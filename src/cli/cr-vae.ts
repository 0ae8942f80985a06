/**
 * `vae-lab train --model vae|iwae|beta-vae [--cr|--aug] --dataset mnist|fashion-mnist|DIR` and
 * `vae-lab eval` of such a checkpoint: the CR-VAE experiment (lab/experiments/cr-vae).
 * metrics.json holds test and tTest (NLL / MI / AU), the config, backend and seconds.
 */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../common/atomic';
import { join } from 'node:path';
import { experiments, type EvalResult, type LabModel, type TrainerState } from '../lab';
import { describeRuntime, initRuntime } from '../lab/runtime';
import { UsageError, type Flags } from './args';
import { phase, runCallbacks } from './progress';

const { crVae } = experiments;

/** The data options the flags name (--dataset, --data-dir, --preset, --train-examples, --examples, --K, --seed). */
function dataOptions(flags: Flags, preset: string, trainExamples?: number): experiments.crVae.DataOptions {
  return {
    dataset: (flags.dataset as string | undefined) ?? 'mnist',
    dataDir: flags['data-dir'] as string | undefined,
    preset,
    trainExamples,
    evalExamples: flags.examples as number | undefined,
    K: flags.K as number | undefined,
    seed: flags.seed as number | undefined,
  };
}

export async function trainCrVae(flags: Flags): Promise<number> {
  if (!flags.out) throw new UsageError('--out DIR is required (metrics.json and model/ are written there)');
  if (flags.eta !== undefined && !flags.cr) throw new UsageError('--eta needs --cr (with --aug the consistency weight is 0)');
  if (flags.cr && flags.aug) throw new UsageError('--cr and --aug exclude each other: --aug is CR with eta 0');
  const t0 = Date.now();
  const runtime = await initRuntime((flags.backend as 'auto' | 'wasm' | 'cpu' | undefined) ?? 'auto');
  const presetName = (flags.preset as string | undefined) ?? 'quick';
  const d = await crVae.loadData(dataOptions(flags, presetName, flags['train-examples'] as number | undefined));
  const spec: experiments.crVae.CrModelSpec = {
    model: ((flags.model as string | undefined) ?? 'vae') as experiments.crVae.CrBaseModel,
    beta: flags.beta as number | undefined,
    k: flags.k as number | undefined,
    variant: flags.aug ? 'aug' : flags.cr ? 'cr' : 'none',
    eta: flags.eta as number | undefined,
    lambda: flags.lambda as number | undefined,
  };
  const config = crVae.modelConfig(spec, d.preset, d.train.shape, {
    latentDim: flags.latent as number | undefined,
    learningRate: flags.lr as number | undefined,
  });
  const out = flags.out as string;
  mkdirSync(out, { recursive: true });
  const run = {
    dataset: flags.dataset ?? 'mnist',
    dataDir: flags['data-dir'],
    preset: presetName,
    seed: d.seed,
    trainExamples: d.train.n,
    evalExamples: d.test.n,
    K: d.K,
    M: d.M,
  };
  const epochs = (flags.epochs as number | undefined) ?? d.preset.epochs;
  console.error(
    `vae-lab: ${spec.variant === 'none' ? config.kind : `cr(${spec.model})`} on ${d.train.name} (${d.train.n} images), ${epochs} epochs, ${describeRuntime(runtime)}`,
  );
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  let model: LabModel;
  try {
    ({ model } = await crVae.train(config, d, {
      epochs,
      batchSize: d.preset.batchSize,
      seed: d.seed,
      signal: ac.signal,
      callbacks: runCallbacks(out),
      checkpointDir: join(out, 'model'),
      extra: { run },
    }));
  } finally {
    process.off('SIGINT', onSigint);
  }
  const trainSeconds = (Date.now() - t0) / 1000;
  console.error('vae-lab: evaluating (test, t-Test)...');
  phase(out, 'evaluate', 'test, t-Test');
  const scores = await crVae.score(model, d);
  const metrics = {
    ...scores,
    config: { model: config, run, epochs, batchSize: d.preset.batchSize },
    backend: runtime.backend,
    device: runtime.device,
    seconds: (Date.now() - t0) / 1000,
    trainSeconds,
  };
  writeFileAtomic(join(out, 'metrics.json'), JSON.stringify(metrics, null, 2));
  console.log(summary(metrics));
  return 0;
}

/** `vae-lab eval --checkpoint DIR` of an MNIST-like checkpoint: the scores training wrote, again. */
export async function evalCrVae(
  flags: Flags,
  model: LabModel,
  state: TrainerState,
  run: Record<string, unknown>,
  backend: string,
  t0: number,
): Promise<number> {
  const merged: Flags = {
    ...(run.dataset ? { dataset: run.dataset as string } : {}),
    ...(run.dataDir ? { 'data-dir': run.dataDir as string } : {}),
    ...(run.evalExamples ? { examples: run.evalExamples as number } : {}),
    ...(run.K ? { K: run.K as number } : {}),
    // the training subset and its seed, so the train NLL scores images the model trained on
    ...(run.trainExamples ? { 'train-examples': run.trainExamples as number } : {}),
    ...(run.seed !== undefined ? { seed: run.seed as number } : {}),
    ...flags,
  };
  const d = await crVae.loadData(
    dataOptions(merged, (flags.preset as string | undefined) ?? (run.preset as string | undefined) ?? 'quick', merged['train-examples'] as number | undefined),
  );
  const scores = await crVae.score(model, d);
  const metrics = { ...scores, config: { model: model.config(), run, step: state.step }, backend, seconds: (Date.now() - t0) / 1000 };
  if (flags.out) writeFileAtomic(flags.out as string, JSON.stringify(metrics, null, 2));
  console.log(summary(metrics));
  return 0;
}

function summary(m: { test: EvalResult; tTest: EvalResult; train?: EvalResult; backend: string; seconds: number }): string {
  const row = (name: string, r: EvalResult) =>
    `${name.padEnd(7)} NLL ${r.nll.toFixed(2)} (n ${r.n}, K ${r.K})  MI ${r.mi.toFixed(3)} (log M ${r.logM.toFixed(2)}${r.miAtBound ? ', at the bound' : ''})  AU ${r.au}  (M ${r.M})`;
  const train = m.train
    ? `\ntrain   NLL ${m.train.nll.toFixed(2)} (n ${m.train.n}, K ${m.train.K}): test − train ${(m.test.nll - m.train.nll).toFixed(2)} nats`
    : '';
  return `${row('test', m.test)}\n${row('t-Test', m.tTest)}${train}\nbackend ${m.backend}, ${m.seconds.toFixed(0)} s`;
}
