/**
 * The flags of `vae-lab train` and `vae-lab eval`, apart from the commands so that `vae-lab
 * sweep` validates a spec against the same names, types and ranges without loading tfjs
 * (the presets are plain data).
 */
import { presets as crVaePresets } from '../lab/experiments/cr-vae/presets';
import { presets as factorVaePresets } from '../lab/experiments/factor-vae/presets';
import type { FlagSpec } from './args';
import { cliModels, modelFlags } from './models';

const commonFlags = (): FlagSpec[] => [
  { name: 'dataset', type: 'string', help: 'mnist | fashion-mnist | dsprites | a folder of IDX files (default mnist)' },
  { name: 'data-dir', type: 'string', help: "folder holding the data set's IDX files (overrides the default search)" },
  {
    name: 'preset',
    type: 'string',
    choices: [...new Set([...Object.keys(crVaePresets), ...Object.keys(factorVaePresets)])],
    help: "quick (CI smoke test, claims nothing) | laptop (CR-VAE: all 60k images, latent 50; dSprites: the whole grid; a 2-core CPU) | paper (the paper's setting, GPU) (default quick)",
  },
  { name: 'backend', type: 'string', choices: ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'], help: 'tfjs backend (default auto)' },
  { name: 'seed', type: 'number', range: { min: 0, max: 4294967295, integer: true }, help: 'seed of data order, binarization and noise (default 0)' },
  { name: 'K', type: 'number', range: { min: 1, integer: true }, help: "importance samples for the NLL (default: the preset's)" },
  { name: 'examples', type: 'number', range: { min: 1, integer: true }, help: "test / t-Test images scored (default: the preset's)" },
  { name: 'help', type: 'boolean', help: 'show this help' },
];

export const trainFlags = (): FlagSpec[] => [
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

export const evalFlags = (): FlagSpec[] => [
  { name: 'checkpoint', type: 'string', help: 'folder written by `vae-lab train --out DIR` (DIR or DIR/model) (required)' },
  { name: 'out', type: 'string', help: 'write the metrics JSON here (default: print only)' },
  ...commonFlags(),
];
