import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '../../../src/lab/tf';
import { initRuntime } from '../../../src/lab/runtime';
import * as factorVae from '../../../src/lab/experiments/factor-vae';
import type { FactorVAE } from '../../../src/lab/models/factorVae';
import { buildModel } from '../../../src/lab/models';
import { loadCheckpoint } from '../../../src/lab/train/checkpoint';
import { main } from '../../../src/cli/lab';

before(async () => {
  await initRuntime('wasm', { threads: 1 });
});

/** The quick preset shrunk to a few steps and votes: the pipeline, not the numbers, is under test. */
const tiny: factorVae.Preset = {
  ...factorVae.presets.quick,
  net: { kind: 'dsprites', filters: [4, 4, 8, 8], hidden: 16 },
  epochs: 1,
  trainExamples: 128,
  batchSize: 32,
  evalExamples: 16,
  K: 2,
  M: 16,
  discriminator: { width: 16, depth: 2, learningRate: 1e-3 },
  disentanglement: {
    evalImages: 40,
    factorVae: { numTrain: 20, numEval: 20, batchSize: 8, numVarianceEstimate: 100 },
    betaVae: { numTrain: 20, numEval: 10, batchSize: 4, iterations: 50 },
  },
};

/** The experiment's parts in order: data, build, train, score. */
async function trainAndScore(config: ReturnType<typeof factorVae.modelConfig>, o: factorVae.TrainOptions & { likelihood?: boolean }) {
  const t = await factorVae.train(config, factorVae.loadData(tiny, { seed: o.seed }), tiny, o);
  return { ...t, ...(await factorVae.score(t.model, tiny, { seed: o.seed, likelihood: o.likelihood })) };
}

test('factor-vae experiment: trains a FactorVAE, scores it, and its checkpoint rebuilds through the registry with D and both optimizers', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fvae-'));
  try {
    const r = await trainAndScore(factorVae.modelConfig('factor-vae', 10, tiny), {
      seed: 1,
      checkpointDir: path.join(dir, 'model'),
      extra: { run: { dataset: 'dsprites', preset: 'quick', seed: 1 } },
    });
    assert.equal(r.fit.steps, 4);
    assert.ok(Number.isFinite(r.fit.history[3].terms['vae/tc']));
    const d = r.disentanglement;
    for (const v of [d.factorVae, d.betaVae]) assert.ok(v >= 0 && v <= 1);
    assert.ok(d.recon > 0 && Number.isFinite(d.tcDiscriminator!) && Number.isFinite(d.tcGaussianMeans) && d.klPerDim.length === 10);
    assert.ok(r.test && r.tTest && r.test.n === 16);
    const { model } = await loadCheckpoint(path.join(dir, 'model'), buildModel);
    assert.equal(model.config().kind, 'factor-vae');
    assert.deepEqual(Object.keys(model.nets()).sort(), ['decoder', 'discriminator', 'encoder']);
    const a = (r.model as unknown as FactorVAE).discriminator.getWeights()[0].dataSync();
    const b = (model as unknown as FactorVAE).discriminator.getWeights()[0].dataSync();
    assert.deepEqual(Array.from(b), Array.from(a), 'D weights round-trip');
    assert.equal(fs.readdirSync(path.join(dir, 'model')).filter((f) => f.startsWith('optimizer-') && f.endsWith('.json')).length, 2);
    r.model.dispose();
    model.dispose();
    // `vae-lab eval` on that checkpoint writes the same shape with the disentanglement field.
    const log = console.log;
    console.log = () => {};
    try {
      assert.equal(await main(['eval', '--checkpoint', dir, '--examples', '8', '--K', '2', '--backend', 'wasm', '--out', path.join(dir, 'eval.json')]), 0);
    } finally {
      console.log = log;
    }
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'eval.json'), 'utf8'));
    assert.equal(m.test.n, 8);
    assert.equal(m.config.model.kind, 'factor-vae');
    for (const k of ['factorVae', 'betaVae', 'tcDiscriminator', 'tcGaussianMeans', 'recon']) assert.ok(Number.isFinite(m.disentanglement[k]), k);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('factor-vae experiment: a beta-VAE with the same nets leaks no tensors', async () => {
  const before = tf.memory().numTensors;
  const r = await trainAndScore(factorVae.modelConfig('beta-vae', 4, tiny), { seed: 2, likelihood: false });
  assert.equal(r.model.config().beta, 4);
  r.model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('CLI: dSprites usage errors are caught before any training', async () => {
  const err = console.error;
  const said: string[] = [];
  console.error = (m: string) => said.push(m);
  try {
    assert.equal(await main(['train', '--dataset', 'dsprites', '--model', 'iwae', '--out', os.tmpdir()]), 2);
    assert.match(said.join('\n'), /trains beta-vae or factor-vae/);
    assert.equal(await main(['train', '--dataset', 'dsprites', '--model', 'factor-vae', '--gamma', 'x', '--out', os.tmpdir()]), 2);
    assert.match(said.join('\n'), /--gamma must be a number/);
    assert.equal(await main(['train', '--dataset', 'dsprites', '--model', 'factor-vae', '--gama', '3']), 2);
    assert.match(said.join('\n'), /Did you mean '--gamma'\?/);
    assert.equal(await main(['train', '--model', 'vae', '--steps', '10', '--out', os.tmpdir()]), 2);
    assert.match(said.join('\n'), /--steps is a dSprites flag/);
  } finally {
    console.error = err;
  }
});
