/**
 * One contract every model passes (pythae's model tests): it builds from its config; encode,
 * decode and reconstruct have the right shapes; a few training steps lower its first update's
 * loss on a tiny fixed batch; a save/load round trip gives the same weights and outputs (a
 * variable-set net too: the GAN variants' projection discriminator, its spectral normalizers'
 * u, v and its scores); every variable a trainer updates is in the model's variables(); and
 * nothing leaks across a training step or an encode/decode.
 *
 * The models are one table (MODELS): a new model is one more row. Tiny MLP nets on 8x8 blobs,
 * cpu backend, so the whole suite runs in seconds.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../../src/lab/tf';
import { Rng } from '../../../src/lab/core/random';
import { splitPosterior } from '../../../src/lab/models/gaussian';
import { buildModel } from '../../../src/lab/models';
import { build as buildConditional } from '../../../src/lab/experiments/label-relevant/build';
import type { GaussianPosterior } from '../../../src/lab/models/types';
import type { ConditionalVAE } from '../../../src/lab/models/cvae';
import { ProjectionDiscriminator } from '../../../src/lab/nets/spectralNorm';
import { loadCheckpoint, saveCheckpoint } from '../../../src/lab/train/checkpoint';
import { Trainer } from '../../../src/lab/train/trainer';
import type { Batch, Checkpointable, ModelConfig, StepContext } from '../../../src/lab/core/types';
import { blobs, expectNoLeakedTensors, maxDiff, tinyVae, useCpu } from './helpers';

before(useCpu);

/** The density models rebuild through the registry; the conditional generators through their experiment's build. */
const buildFor = (config: ModelConfig): ((config: ModelConfig) => Checkpointable) =>
  ['lr-vae', 'cvae', 'cvae-gan'].includes(config.kind) ? buildConditional : buildModel;

const SHAPE: [number, number, number] = [8, 8, 1];
const mlp = { kind: 'mlp', hidden: [16] } as const;

type Model = Checkpointable & { dispose(): void };
type LatentView = { encode(x: tf.Tensor4D): GaussianPosterior; decode(z: tf.Tensor2D): tf.Tensor4D };

/** One row: how to build the model, and how to encode/decode with it (conditional models take the labels). */
interface ContractCase {
  config: ModelConfig;
  latentDim: number;
  encode(m: Model, x: tf.Tensor4D, y: tf.Tensor1D): GaussianPosterior;
  decode(m: Model, z: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor4D;
}

const latent: Pick<ContractCase, 'encode' | 'decode'> = {
  encode: (m, x) => (m as unknown as LatentView).encode(x),
  decode: (m, z) => (m as unknown as LatentView).decode(z),
};
const conditional: Pick<ContractCase, 'encode' | 'decode'> = {
  encode: (m, x, y) => (m as unknown as ConditionalVAE).encode(x, y),
  decode: (m, z, y) => (m as unknown as ConditionalVAE).decode(z, y),
};

const MODELS: Record<string, ContractCase> = {
  vae: { config: tinyVae('vae'), latentDim: 2, ...latent },
  iwae: { config: tinyVae('iwae', { k: 3 }), latentDim: 2, ...latent },
  'beta-vae': { config: tinyVae('beta-vae', { beta: 4 }), latentDim: 2, ...latent },
  'cr (vae)': { config: { kind: 'cr', base: tinyVae('vae'), options: {} }, latentDim: 2, ...latent },
  'factor-vae': {
    config: {
      kind: 'factor-vae',
      inputShape: SHAPE,
      latentDim: 2,
      gamma: 5,
      learningRate: 1e-2,
      net: mlp,
      discriminator: { width: 8, depth: 2, learningRate: 1e-3 },
    },
    latentDim: 2,
    ...latent,
  },
  'lr-vae': {
    config: { kind: 'lr-vae', inputShape: SHAPE, classes: 4, zs: 2, zu: 3, net: mlp, learningRate: 1e-2, adversaryHidden: [8], seed: 1 },
    latentDim: 5,
    ...latent,
  },
  'lr-vae-gan': {
    config: {
      kind: 'lr-vae',
      inputShape: SHAPE,
      classes: 4,
      zs: 2,
      zu: 3,
      net: mlp,
      learningRate: 1e-2,
      adversaryHidden: [8],
      gan: { hidden: [8, 6] },
      seed: 1,
    },
    latentDim: 5,
    ...latent,
  },
  cvae: { config: { kind: 'cvae', inputShape: SHAPE, classes: 4, latentDim: 2, net: mlp, learningRate: 1e-2 }, latentDim: 2, ...conditional },
  'cvae-gan': {
    config: { kind: 'cvae-gan', inputShape: SHAPE, classes: 4, latentDim: 2, net: mlp, learningRate: 1e-2, gan: { hidden: [8] } },
    latentDim: 2,
    ...conditional,
  },
};

/** The first update's loss on `batch` with fixed noise (the same numbers before and after training). */
function firstLoss(m: Model, batch: Batch, extra: Batch): number {
  const ctx: StepContext = { step: 0, epoch: 0, repeat: 0, rng: new Rng(5), nextBatch: () => extra };
  return tf.tidy(() => m.updates()[0].loss(batch, ctx).loss.dataSync()[0]);
}

for (const [name, c] of Object.entries(MODELS)) {
  test(`${name}: builds, shapes, loss falls, save/load round trip, reconstruct, no leaks`, async () => {
    const data = blobs(64, 4);
    const n0 = tf.memory().numTensors;
    const model = buildFor(c.config)(c.config) as Model;
    assert.equal(model.config().kind, c.config.kind);
    const batch = data.batch([0, 1, 2, 3, 4, 5]);
    const extra = data.batch([6, 7, 8, 9, 10, 11]);
    const { x } = batch,
      y = batch.y!;

    // Every variable an update trains is one the model lists (a checkpoint and the NaN guard see it).
    const all = new Set(model.variables());
    for (const s of model.updates()) for (const v of s.variables()) assert.ok(all.has(v), `${name}: update ${s.name} trains a variable variables() omits`);
    for (const set of Object.values(model.variableSets?.() ?? {}))
      for (const v of Object.values(set)) assert.ok(all.has(v), `${name}: a variable-set entry variables() omits`);

    // encode / decode / reconstruct shapes, and none of them leaks.
    await expectNoLeakedTensors(
      () =>
        tf.tidy(() => {
          const q = c.encode(model, x, y);
          assert.deepEqual(q.mean.shape, [6, c.latentDim]);
          assert.deepEqual(q.logVar.shape, [6, c.latentDim]);
          const recon = c.decode(model, q.mean, y);
          assert.deepEqual(recon.shape, x.shape, 'reconstruct has the shape of its input');
          assert.ok(
            recon.dataSync().every((p) => p >= 0 && p <= 1),
            'decode gives means in [0, 1]',
          );
        }),
      `${name}: encode/decode`,
    );

    // A few steps lower the first update's loss on the fixed batch (same noise seed).
    const before = firstLoss(model, batch, extra);
    const trainer = () => new Trainer({ steps: 1, batchSize: 16, seed: 3 });
    await trainer().fit(model, data); // creates the optimizers' state: tensors that stay
    await expectNoLeakedTensors(() => trainer().fit(model, data), `${name}: a training step`);
    await new Trainer({ steps: 40, batchSize: 16, seed: 4 }).fit(model, data);
    const after = firstLoss(model, batch, extra);
    assert.ok(after < before - 0.05 * Math.abs(before), `${name}: loss ${before} -> ${after} should fall by 5%`);

    // save / load: the same config, weights and outputs.
    const dir = join(mkdtempSync(join(tmpdir(), 'contract-')), 'model');
    await saveCheckpoint(dir, model, { step: 42, epoch: 0, seed: 3, batchSize: 16 });
    const { model: loaded, state } = await loadCheckpoint(dir, buildFor(c.config));
    assert.equal(state.step, 42);
    assert.deepEqual(loaded.config(), model.config());
    const nets = model.nets(),
      loadedNets = loaded.nets();
    assert.deepEqual(Object.keys(loadedNets).sort(), Object.keys(nets).sort());
    for (const k of Object.keys(nets)) assert.equal(maxDiff(nets[k].getWeights(), loadedNets[k].getWeights()), 0, `${name}: net ${k} weights`);
    const sets = model.variableSets?.() ?? {},
      loadedSets = loaded.variableSets?.() ?? {};
    assert.deepEqual(Object.keys(loadedSets).sort(), Object.keys(sets).sort());
    for (const [k, set] of Object.entries(sets)) {
      assert.deepEqual(Object.keys(loadedSets[k]).sort(), Object.keys(set).sort());
      for (const [v, t] of Object.entries(set)) assert.equal(maxDiff([t], [loadedSets[k][v]]), 0, `${name}: ${k}/${v}`);
    }
    // The discriminator (GAN variants) scores the same batch the same after load, with and without
    // a power iteration (the training flag moves u, v: equal only if they were restored too).
    const D = (model as { discriminator?: unknown }).discriminator;
    if (c.config.gan) assert.ok(D instanceof ProjectionDiscriminator, `${name}: the GAN variant's D is the projection discriminator`);
    if (D instanceof ProjectionDiscriminator) {
      const lD = (loaded as { discriminator?: ProjectionDiscriminator }).discriminator!;
      for (const training of [false, true]) {
        const a: tf.Tensor = D.score(x, y, training),
          b: tf.Tensor = lD.score(x, y, training);
        assert.equal(maxDiff([a], [b]), 0, `${name}: D's scores after load (training ${training})`);
        tf.dispose([a, b]);
      }
    }
    tf.tidy(() => {
      const l = loaded as Model;
      const a = c.encode(model, x, y),
        b = c.encode(l, x, y);
      assert.ok(maxDiff([a.mean, a.logVar, c.decode(model, a.mean, y)], [b.mean, b.logVar, c.decode(l, a.mean, y)]) < 1e-6, `${name}: same outputs after load`);
    });
    assert.ok(Math.abs(firstLoss(loaded as Model, batch, extra) - after) < 1e-4, `${name}: same loss after load`);

    (loaded as Model).dispose();
    model.dispose();
    tf.dispose([batch.x, batch.y!, extra.x, extra.y!]);
    assert.equal(tf.memory().numTensors, n0, `${name}: dispose frees every tensor the model made`);
  });
}
