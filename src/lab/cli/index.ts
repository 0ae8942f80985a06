/**
 * The lab's command line: `vae-lab train ...` and `vae-lab eval ...` (src/cli/main.ts, the
 * bin dispatcher, calls `main`). Returns the exit status: 0 ok, 1 failure, 2 bad usage,
 * 130 cancelled (Ctrl-C).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initRuntime } from '../runtime';
import { transformedSet } from '../data/ttest';
import { loadDataset } from '../data/sources';
import { evaluate, type EvalResult } from '../metrics/evaluate';
import { buildModel } from '../models/registry';
import type { DensityModel } from '../models/types';
import { presets } from '../presets';
import { loadCheckpoint } from '../train/checkpoint';
import { TrainingCancelledError } from '../train/errors';
import { Trainer } from '../train/trainer';
import type { ModelConfig } from '../train/types';
import { flagHelp, nearest, parseFlags, UsageError, type FlagSpec, type Flags } from './args';
import { cliModels, modelFlags } from './models';
import { progressCallbacks } from './progress';
import { evalDSprites, trainDSprites } from './dsprites';
import { LR_MODELS, trainLabelRelevant } from './lrvae';

const commonFlags = (): FlagSpec[] => [
  { name: 'dataset', type: 'string', help: 'mnist | fashion-mnist | dsprites | a folder of IDX files (default mnist)' },
  { name: 'data-dir', type: 'string', help: 'folder holding the data set\'s IDX files (overrides the default search)' },
  { name: 'preset', type: 'string', choices: Object.keys(presets), help: 'quick (CPU, minutes) | paper (the paper\'s setting, GPU) (default quick)' },
  { name: 'backend', type: 'string', choices: ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'], help: 'tfjs backend (default auto)' },
  { name: 'seed', type: 'number', help: 'seed of data order, binarization and noise (default 0)' },
  { name: 'K', type: 'number', help: 'importance samples for the NLL (default: the preset\'s)' },
  { name: 'examples', type: 'number', help: 'test / t-Test images scored (default: the preset\'s)' },
  { name: 'help', type: 'boolean', help: 'show this help' },
];

const trainFlags = (): FlagSpec[] => [
  { name: 'model', type: 'string', choices: Object.keys(cliModels), help: Object.entries(cliModels).map(([k, m]) => `${k}: ${m.help}`).join('; ') },
  { name: 'cr', type: 'boolean', help: 'add consistency regularization (CR-VAE, CR-IWAE, beta-CR-VAE)' },
  { name: 'eta', type: 'number', help: 'weight of the consistency KL (default 0.1, 0.1*beta for beta-VAE); needs --cr' },
  { name: 'lambda', type: 'number', help: 'weight of the bound on transformed data (default 1); needs --cr or --aug' },
  { name: 'aug', type: 'boolean', help: '"VAE + Aug" ablation: train on x and x~, no consistency KL (eta 0)' },
  { name: 'epochs', type: 'number', help: 'passes over the training data (default: the preset\'s)' },
  { name: 'train-examples', type: 'number', help: 'training images used (default: the preset\'s)' },
  { name: 'out', type: 'string', help: 'output folder: metrics.json and model/ (required)' },
  ...commonFlags(),
  ...modelFlags,
];

const evalFlags = (): FlagSpec[] => [
  { name: 'checkpoint', type: 'string', help: 'folder written by `vae-lab train --out DIR` (DIR or DIR/model) (required)' },
  { name: 'out', type: 'string', help: 'write the metrics JSON here (default: print only)' },
  ...commonFlags(),
];

const USAGE = `usage:
  vae-lab train --model vae|iwae|beta-vae [--cr] [--aug] --dataset mnist --preset quick --out DIR
  vae-lab train --model factor-vae|beta-vae [--gamma G | --beta B] --dataset dsprites --preset quick --out DIR
  vae-lab train --model lr-vae [--gan] | cvae | cvae-gan --dataset moons|mnist|fashion-mnist --preset quick --out DIR
  vae-lab eval --checkpoint DIR
run \`vae-lab train --help\` or \`vae-lab eval --help\` for the flags.`;

/** The subcommands; another one is one more entry. */
export const commands: Record<string, { flags: () => FlagSpec[]; run: (f: Flags) => Promise<number> }> = {
  train: { flags: trainFlags, run: train },
  eval: { flags: evalFlags, run: evalCommand },
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === 'help') { console.log(USAGE); return cmd ? 0 : 2; }
    const c = commands[cmd];
    if (!c) {
      const near = nearest(cmd, Object.keys(commands));
      throw new UsageError(`unknown command '${cmd}'${near ? ` (did you mean '${near}'?)` : ''}\n${USAGE}`);
    }
    const flags = parseFlags(rest, c.flags());
    if (flags.help) { console.log(`vae-lab ${cmd}\n${flagHelp(c.flags())}`); return 0; }
    return await c.run(flags);
  } catch (e) {
    if (e instanceof UsageError) { console.error(`vae-lab: ${e.message}`); return 2; }
    if (e instanceof TrainingCancelledError) { console.error(`\nvae-lab: ${e.message}`); return 130; }
    console.error(`\nvae-lab: ${(e as Error).message}`);
    return 1;
  }
}

/** Load the data, the t-Test set and the evaluation settings shared by train and eval. */
function loadData(flags: Flags, presetName: string, trainExamples?: number) {
  const preset = presets[presetName];
  const data = loadDataset((flags.dataset as string | undefined) ?? 'mnist', { dataDir: flags['data-dir'] as string | undefined });
  const seed = (flags.seed as number | undefined) ?? 0;
  const train = trainExamples ? data.train.subset(trainExamples, seed) : data.train;
  const nEval = (flags.examples as number | undefined) ?? preset.evalExamples ?? data.test.n;
  const test = data.test.slice(0, Math.min(nEval, data.test.n));
  return { preset, train, test, tTest: transformedSet(test), K: (flags.K as number | undefined) ?? preset.K, M: preset.M, seed };
}

function scoreBoth(model: DensityModel, test: ReturnType<typeof loadData>['test'], tTest: typeof test, K: number, M: number): { test: EvalResult; tTest: EvalResult } {
  return { test: evaluate(model, test, { K, M }), tTest: evaluate(model, tTest, { K, M }) };
}

async function train(flags: Flags): Promise<number> {
  if (flags.dataset === 'dsprites') return trainDSprites(flags);
  if (LR_MODELS.includes(flags.model as string)) return trainLabelRelevant(flags);
  if (!flags.out) throw new UsageError('--out DIR is required (metrics.json and model/ are written there)');
  if (flags.eta !== undefined && !flags.cr) throw new UsageError('--eta needs --cr (with --aug the consistency weight is 0)');
  if (flags.cr && flags.aug) throw new UsageError('--cr and --aug exclude each other: --aug is CR with eta 0');
  const t0 = Date.now();
  const runtime = await initRuntime((flags.backend as 'auto' | 'wasm' | 'cpu' | undefined) ?? 'auto');
  const presetName = (flags.preset as string | undefined) ?? 'quick';
  const p = presets[presetName];
  const d = loadData(flags, presetName, (flags['train-examples'] as number | undefined) ?? p.trainExamples);
  const entry = cliModels[(flags.model as string | undefined) ?? 'vae'];
  let config: ModelConfig = entry.config({ flags, preset: d.preset, inputShape: d.train.shape });
  if (flags.cr || flags.aug) {
    const options: Record<string, unknown> = {};
    if (flags.aug) options.eta = 0;
    else if (flags.eta !== undefined) options.eta = flags.eta;
    if (flags.lambda !== undefined) options.lambda = flags.lambda;
    config = { kind: 'cr', base: config, options };
  }
  const model = buildModel(config);
  const out = flags.out as string;
  mkdirSync(out, { recursive: true });
  const run = { dataset: flags.dataset ?? 'mnist', dataDir: flags['data-dir'], preset: presetName, seed: d.seed, trainExamples: d.train.n, evalExamples: d.test.n, K: d.K, M: d.M };
  const epochs = (flags.epochs as number | undefined) ?? d.preset.epochs;
  console.error(`vae-lab: ${config.kind === 'cr' ? `cr(${(config.base as ModelConfig).kind})` : config.kind} on ${d.train.name} (${d.train.n} images), ${epochs} epochs, backend ${runtime.backend}`);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    await new Trainer({
      epochs, batchSize: d.preset.batchSize, seed: d.seed, binarize: entry.binarize ?? true, signal: ac.signal,
      callbacks: progressCallbacks(), checkpointDir: join(out, 'model'), extra: { run },
    }).fit(model, d.train);
  } finally {
    process.off('SIGINT', onSigint);
  }
  const trainSeconds = (Date.now() - t0) / 1000;
  console.error('vae-lab: evaluating (test, t-Test)...');
  const scores = scoreBoth(model as unknown as DensityModel, d.test, d.tTest, d.K, d.M);
  const metrics = { ...scores, config: { model: config, run, epochs, batchSize: d.preset.batchSize }, backend: runtime.backend, seconds: (Date.now() - t0) / 1000, trainSeconds };
  writeFileSync(join(out, 'metrics.json'), JSON.stringify(metrics, null, 2));
  console.log(summary(metrics));
  return 0;
}

async function evalCommand(flags: Flags): Promise<number> {
  if (!flags.checkpoint) throw new UsageError('--checkpoint DIR is required');
  const t0 = Date.now();
  const runtime = await initRuntime((flags.backend as 'auto' | 'wasm' | 'cpu' | undefined) ?? 'auto');
  const dir = flags.checkpoint as string;
  const { model, state } = await loadCheckpoint(existsSync(join(dir, 'model')) ? join(dir, 'model') : dir);
  const run = ((state.extra?.run ?? {}) as Record<string, unknown>);
  if (run.dataset === 'dsprites') return evalDSprites(flags, model, state, run, runtime.backend, t0);
  const merged: Flags = { ...(run.dataset ? { dataset: run.dataset as string } : {}), ...(run.dataDir ? { 'data-dir': run.dataDir as string } : {}), ...(run.evalExamples ? { examples: run.evalExamples as number } : {}), ...(run.K ? { K: run.K as number } : {}), ...flags };
  const d = loadData(merged, (flags.preset as string | undefined) ?? (run.preset as string | undefined) ?? 'quick');
  const scores = scoreBoth(model as unknown as DensityModel, d.test, d.tTest, d.K, d.M);
  const metrics = { ...scores, config: { model: model.config(), run, step: state.step }, backend: runtime.backend, seconds: (Date.now() - t0) / 1000 };
  if (flags.out) writeFileSync(flags.out as string, JSON.stringify(metrics, null, 2));
  console.log(summary(metrics));
  return 0;
}

function summary(m: { test: EvalResult; tTest: EvalResult; backend: string; seconds: number }): string {
  const row = (name: string, r: EvalResult) => `${name.padEnd(7)} NLL ${r.nll.toFixed(2)}  MI ${r.mi.toFixed(3)}  AU ${r.au}  (n ${r.n}, K ${r.K}, M ${r.M})`;
  return `${row('test', m.test)}\n${row('t-Test', m.tTest)}\nbackend ${m.backend}, ${m.seconds.toFixed(0)} s`;
}

// `npx tsx src/lab/cli/index.ts train ...` runs the CLI directly. (Not `require.main ===
// module`: inside the dist/cli.js bundle that is true too, and the command would run twice.)
if (/src[\\/]lab[\\/]cli[\\/]index\.ts$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
