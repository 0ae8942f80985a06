/**
 * The lab's commands: `vae-lab train ...` and `vae-lab eval ...` (main.ts, the bin
 * dispatcher, loads this file only for them, so run-notebook never loads tfjs). Each paper's
 * command lives in its own file and calls that experiment's parts. Returns the exit status:
 * 0 ok, 1 failure, 2 bad usage, 130 cancelled (Ctrl-C).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { experiments, loadCheckpoint, TrainingCancelledError } from '../lab';
import { initRuntime } from '../lab/runtime';
import { prepareDataset } from '../lab/data/sources';
import { AUDIENCE_ENV } from '../lab/data/errors';
import { UnknownNameError } from '../lab/core/errors';
import { flagHelp, parseFlags, UsageError, type FlagSpec, type Flags } from './args';
import { cliModels, modelFlags } from './models';
import { evalCrVae, trainCrVae } from './cr-vae';
import { evalDSprites, trainDSprites } from './factor-vae';
import { LR_MODELS, trainLabelRelevant } from './label-relevant';

const commonFlags = (): FlagSpec[] => [
  { name: 'dataset', type: 'string', help: 'mnist | fashion-mnist | dsprites | a folder of IDX files (default mnist)' },
  { name: 'data-dir', type: 'string', help: "folder holding the data set's IDX files (overrides the default search)" },
  {
    name: 'preset',
    type: 'string',
    choices: [...new Set([...Object.keys(experiments.crVae.presets), ...Object.keys(experiments.factorVae.presets)])],
    help: "quick (CI smoke test, claims nothing) | laptop (CR-VAE: all 60k images, latent 50; dSprites: the whole grid; a 2-core CPU) | paper (the paper's setting, GPU) (default quick)",
  },
  { name: 'backend', type: 'string', choices: ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'], help: 'tfjs backend (default auto)' },
  { name: 'seed', type: 'number', range: { min: 0, max: 4294967295, integer: true }, help: 'seed of data order, binarization and noise (default 0)' },
  { name: 'K', type: 'number', range: { min: 1, integer: true }, help: "importance samples for the NLL (default: the preset's)" },
  { name: 'examples', type: 'number', range: { min: 1, integer: true }, help: "test / t-Test images scored (default: the preset's)" },
  { name: 'help', type: 'boolean', help: 'show this help' },
];

const trainFlags = (): FlagSpec[] => [
  {
    name: 'model',
    type: 'string',
    choices: Object.keys(cliModels),
    help: Object.entries(cliModels)
      .map(([k, m]) => `${k}: ${m.help}`)
      .join('; '),
  },
  { name: 'cr', type: 'boolean', help: 'add consistency regularization (CR-VAE, CR-IWAE, beta-CR-VAE)' },
  { name: 'eta', type: 'number', range: { min: 0 }, help: 'weight of the consistency KL (default 0.1, 0.1*beta for beta-VAE); needs --cr' },
  { name: 'lambda', type: 'number', range: { min: 0 }, help: 'weight of the bound on transformed data (default 1); needs --cr or --aug' },
  { name: 'aug', type: 'boolean', help: '"VAE + Aug" ablation: train on x and x~, no consistency KL (eta 0)' },
  { name: 'epochs', type: 'number', range: { min: 1, integer: true }, help: "passes over the training data (default: the preset's)" },
  { name: 'steps', type: 'number', range: { min: 1, integer: true }, help: "stop after this many steps (dSprites only; default: the preset's)" },
  { name: 'train-examples', type: 'number', range: { min: 1, integer: true }, help: "training images used (default: the preset's)" },
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
    if (!cmd || cmd === '--help' || cmd === 'help') {
      console.log(USAGE);
      return cmd ? 0 : 2;
    }
    const c = commands[cmd];
    if (!c)
      throw new UnknownNameError(
        'command',
        cmd,
        Object.keys(commands),
        `
${USAGE}`,
      );
    const flags = parseFlags(rest, c.flags());
    if (flags.help) {
      console.log(`vae-lab ${cmd}\n${flagHelp(c.flags())}`);
      return 0;
    }
    // Data errors name the CLI's flags; a named data set missing here is downloaded (a bar on stderr).
    process.env[AUDIENCE_ENV] ??= 'cli';
    if (!flags['data-dir']) await prepareDataset((flags.dataset as string | undefined) ?? 'mnist');
    return await c.run(flags);
  } catch (e) {
    if (e instanceof UsageError || e instanceof UnknownNameError) {
      console.error(`vae-lab: ${e.message}`);
      return 2;
    }
    if (e instanceof TrainingCancelledError) {
      console.error(`\nvae-lab: ${e.message}`);
      return 130;
    }
    console.error(`\nvae-lab: ${(e as Error).message}`);
    return 1;
  }
}

async function train(flags: Flags): Promise<number> {
  if (flags.dataset === 'dsprites') return trainDSprites(flags);
  if (flags.steps !== undefined) throw new UsageError('--steps is a dSprites flag; MNIST and moons runs take --epochs');
  if (LR_MODELS.includes(flags.model as string)) return trainLabelRelevant(flags);
  return trainCrVae(flags);
}

async function evalCommand(flags: Flags): Promise<number> {
  if (!flags.checkpoint) throw new UsageError('--checkpoint DIR is required');
  const t0 = Date.now();
  const runtime = await initRuntime((flags.backend as 'auto' | 'wasm' | 'cpu' | undefined) ?? 'auto');
  const dir = flags.checkpoint as string;
  const { model, state } = await loadCheckpoint(existsSync(join(dir, 'model')) ? join(dir, 'model') : dir);
  const run = (state.extra?.run ?? {}) as Record<string, unknown>;
  if (run.dataset === 'dsprites') return evalDSprites(flags, model, state, run, runtime.backend, t0);
  return evalCrVae(flags, model, state, run, runtime.backend, t0);
}
