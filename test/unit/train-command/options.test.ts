import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_OPTIONS,
  describe,
  explainFailure,
  jobLine,
  parseEpochs,
  parsePositive,
  presetDescription,
  runFolderName,
  runLabels,
  sweepSpecs,
  validateOptions,
} from '../../../src/extension/train/options';
import { label as crLabel, runName as crRunName } from '../../../src/lab/experiments/cr-vae';
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

test('sweep specs: one one-job sweep per model, the chosen options as `vae-lab train` flags; eta only on the CR model', () => {
  const o = {
    ...DEFAULT_OPTIONS,
    dataset: { folder: '/d' },
    model: 'iwae' as const,
    eta: 0.3,
    epochs: 2,
    baseline: true,
    trainExamples: 64,
    evalExamples: 32,
    K: 3,
  };
  const [cr, base, ...rest] = sweepSpecs(o);
  assert.equal(rest.length, 0);
  assert.deepEqual(cr.spec, {
    name: 'cr-iwae',
    command: 'train',
    base: { model: 'iwae', dataset: '/d', preset: 'quick', epochs: 2, 'train-examples': 64, examples: 32, K: 3, cr: true, eta: 0.3 },
    grid: { seed: [0] },
  });
  assert.deepEqual(base.spec.base, { model: 'iwae', dataset: '/d', preset: 'quick', epochs: 2, 'train-examples': 64, examples: 32, K: 3 });
  assert.equal(base.name, 'iwae');
  assert.deepEqual(
    sweepSpecs({ ...DEFAULT_OPTIONS, baseline: false }).map((s) => s.name),
    ['cr-vae'],
  );
  const beta = sweepSpecs({ ...DEFAULT_OPTIONS, model: 'beta-vae', beta: 10 });
  assert.equal(beta[1].spec.base.beta, 10, 'the baseline is beta-VAE with the same beta');
  // Folder names and labels are the lab's own.
  for (const m of [{ model: 'vae' as const }, { model: 'iwae' as const }, { model: 'beta-vae' as const, beta: 0.5 }]) {
    const [c, b] = sweepSpecs({ ...DEFAULT_OPTIONS, ...m });
    assert.equal(c.name, crRunName({ ...m, variant: 'cr' }));
    assert.equal(b.name, crRunName({ ...m, variant: 'none' }));
    assert.deepEqual(runLabels(m), { cr: crLabel({ ...m, variant: 'cr' }), base: crLabel({ ...m, variant: 'none' }) });
  }
  assert.match(describe(o), /CR-IWAE on \/d, quick preset, 2 epochs, eta 0.3/);
});

test("progress lines come from the job's state and events", () => {
  assert.equal(jobLine({ state: 'queued', progress: {} }), 'queued');
  assert.equal(jobLine({ state: 'running', progress: {} }), 'starting…');
  assert.equal(
    jobLine({ state: 'running', progress: { epoch: 3, epochs: 6, step: 40, totalSteps: 80, terms: { loss: 101.234 } } }),
    'epoch 3/6, step 40/80, loss 101.23',
  );
  assert.match(jobLine({ state: 'running', progress: { epoch: 6, phase: 'evaluate' } }), /epoch 6, scoring NLL/);
  assert.equal(jobLine({ state: 'done', progress: { step: 80 } }), 'done');
});

test('failures say what to do', () => {
  assert.match(explainFailure('CR-VAE', 'killed by SIGKILL'), /^CR-VAE: .*quick preset|fewer epochs/);
  assert.match(explainFailure('VAE', 'Array buffer allocation failed'), /out of memory/);
  assert.match(
    explainFailure('VAE', 'log line\nDataNotFoundError: MNIST files not found in /x.'),
    /^VAE: DataNotFoundError: MNIST files not found in \/x\. Then run/,
  );
  assert.match(explainFailure('CR-VAE', 'NonFiniteLossError: loss is NaN at step 3'), /smaller eta/);
  assert.match(explainFailure('CR-VAE', 'TypeError: x is undefined'), /^CR-VAE failed: TypeError: x is undefined\. Its log/);
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
