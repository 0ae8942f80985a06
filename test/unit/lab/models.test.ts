import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../../src/lab/tf';
import { Rng } from '../../../src/lab/core/random';
import { buildModel } from '../../../src/lab/models';
import { withConsistency } from '../../../src/lab/models/consistency';
import { VAE } from '../../../src/lab/models/vae';
import type { ObjectiveModel } from '../../../src/lab/models/types';
import { buildDecoder, buildEncoder } from '../../../src/lab/nets';
import { folderLoadHandler, loadCheckpoint, saveCheckpoint } from '../../../src/lab/train/checkpoint';
import { Trainer } from '../../../src/lab/train/trainer';
import type { Checkpointable, ModelConfig } from '../../../src/lab/core/types';
import { blobs, maxDiff, tinyVae, useCpu } from './helpers';

const configs: Record<string, ModelConfig> = {
  vae: tinyVae('vae'),
  iwae: tinyVae('iwae', { k: 3 }),
  'beta-vae': tinyVae('beta-vae', { beta: 4 }),
  'vae (gaussian, conv-small)': tinyVae('vae', { net: { kind: 'conv-small', filters: [4, 8] }, likelihood: { kind: 'gaussian', sigma: 0.3 } }),
  'cr-vae': { kind: 'cr', base: tinyVae('vae'), options: {} },
  'cr-iwae': { kind: 'cr', base: tinyVae('iwae', { k: 3 }), options: { klDirection: 'q(z|x~)||q(z|x)' } },
  'vae+aug': { kind: 'cr', base: tinyVae('vae'), options: { eta: 0 } },
};

for (const [name, config] of Object.entries(configs)) {
  test(`${name}: shapes, a few steps lower the loss, save/load round trip, no leaked tensors`, async () => {
    await useCpu();
    const data = blobs(128);
    const n0 = tf.memory().numTensors;
    const model = buildModel(config) as Checkpointable & ObjectiveModel & { dispose(): void };
    const { x, y } = data.batch([0, 1, 2, 3, 4]);
    y?.dispose();
    tf.tidy(() => {
      const q = model.encode(x);
      assert.deepEqual(q.mean.shape, [5, 2]);
      assert.deepEqual(q.logVar.shape, [5, 2]);
      const xr = model.decode(q.mean);
      assert.deepEqual(xr.shape, [5, 8, 8, 1]);
      const v = xr.dataSync();
      assert.ok(
        v.every((p) => p >= 0 && p <= 1),
        'decode gives probabilities',
      );
      const t = model.objective(x, new Rng(1));
      for (const k of ['bound', 'recon', 'kl'] as const) assert.deepEqual(t[k].shape, [5]);
    });
    // The loss on a fixed held-out batch, before and after 30 steps (same noise seed).
    const evalBound = () => tf.tidy(() => tf.mean(model.objective(x, new Rng(5)).bound).dataSync()[0]);
    const before = evalBound();
    await new Trainer({ steps: 30, batchSize: 16, binarize: true, seed: 3 }).fit(model, data);
    const after = evalBound();
    assert.ok(after > before + 1, `bound ${before} -> ${after} should rise`);
    // save / load: same outputs
    const dir = join(mkdtempSync(join(tmpdir(), 'ck-')), 'model');
    await saveCheckpoint(dir, model, { step: 30, epoch: 0, seed: 3, batchSize: 16 });
    const { model: loaded, state } = await loadCheckpoint(dir, buildModel);
    assert.equal(state.step, 30);
    assert.deepEqual(loaded.config(), model.config());
    const lm = loaded as unknown as ObjectiveModel & { dispose(): void };
    tf.tidy(() => {
      const a = model.encode(x),
        b = lm.encode(x);
      assert.ok(maxDiff([a.mean, a.logVar, model.decode(a.mean)], [b.mean, b.logVar, lm.decode(a.mean)]) < 1e-6);
    });
    lm.dispose();
    model.dispose();
    x.dispose();
    assert.equal(tf.memory().numTensors, n0, 'no leaked tensors after dispose');
  });
}

test('checkpoint nets are the tfjs layers format (tf.loadLayersModel reads them)', async () => {
  await useCpu();
  const model = new VAE(tinyVae());
  const dir = join(mkdtempSync(join(tmpdir(), 'ck-')), 'model');
  await saveCheckpoint(dir, model, { step: 0, epoch: 0, seed: 0, batchSize: 8 });
  const enc = await tf.loadLayersModel(folderLoadHandler(join(dir, 'encoder')));
  const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 1);
  assert.ok(maxDiff([enc.predict(x) as tf.Tensor], [model.encoder.predict(x) as tf.Tensor]) < 1e-6);
  enc.dispose();
  model.dispose();
  x.dispose();
});

test('consistency KL is 0 for the identity transform, and eta defaults to 0.1*beta for beta-VAE', async () => {
  await useCpu();
  const base = new VAE(tinyVae());
  const cr = withConsistency(base, { transform: (x) => tf.clone(x) });
  const { x, y } = blobs(8).batch([0, 1, 2, 3]);
  y?.dispose();
  const terms = tf.tidy(() => {
    const r = cr.crLoss(x, new Rng(1));
    return { consistency: r.terms.consistency.dataSync()[0], bound: r.terms.bound.dataSync()[0], boundT: r.terms.boundT.dataSync()[0] };
  });
  assert.ok(Math.abs(terms.consistency) < 1e-6, `KL ${terms.consistency}`);
  // a real warp makes the posteriors differ
  const warped = tf.tidy(() => withConsistency(base).crLoss(x, new Rng(1)).terms.consistency.dataSync()[0]);
  assert.ok(warped > 1e-4, `KL under a warp ${warped}`);
  const beta = withConsistency(buildModel(tinyVae('beta-vae', { beta: 10 })) as never);
  assert.ok(Math.abs(beta.eta - 1) < 1e-12);
  assert.equal(withConsistency(base, { eta: 0 }).eta, 0);
  x.dispose();
  base.dispose();
});

test("CR-VAE's x~ in a training step: the warp of the grey image, binarized once (the binarized x is not binarized again)", async () => {
  await useCpu();
  const { ImageDataset } = await import('../../../src/lab/data/dataset');
  // 16 images of 8x8 pixels, every pixel grey 128/255: a binarized draw is ~half ones
  const data = new ImageDataset(new Uint8Array(16 * 64).fill(128), [8, 8, 1]);
  const batch = data.batch(
    Array.from({ length: 16 }, (_, i) => i),
    new Rng(3),
  );
  assert.ok(batch.grey, 'a binarized batch keeps its grey images');
  assert.ok(Math.abs(batch.grey!.dataSync()[0] - 128 / 255) < 1e-6);
  assert.ok(batch.x.dataSync().every((v) => v === 0 || v === 1));
  const base = new VAE(tinyVae());
  // the identity warp isolates the binarization: x~ from the grey image is a fresh draw (differs from x in ~half the pixels);
  // x~ from the binarized x would equal x (a binary image binarized again is itself)
  const cr = withConsistency(base, { warp: { translate: 0, rotateDeg: 0, scale: [1, 1] } });
  const seen: Float32Array[] = [];
  const objective = base.objective.bind(base);
  base.objective = (x, rng, training) => {
    seen.push(x.dataSync() as Float32Array);
    return objective(x, rng, training);
  };
  const differ = () => seen[1].filter((v, i) => v !== seen[0][i]).length / seen[0].length;
  const [update] = cr.updates();
  tf.tidy(() => {
    update.loss(batch, { step: 0, epoch: 0, rng: new Rng(5) } as never);
  });
  assert.ok(
    seen[1].every((v) => v === 0 || v === 1),
    'x~ is binary',
  );
  assert.ok(differ() > 0.35 && differ() < 0.65, `x~ a fresh draw of the grey image: ${differ()} of the pixels differ from x`);
  seen.length = 0;
  tf.tidy(() => {
    cr.crLoss(batch.x, new Rng(5));
  });
  assert.equal(differ(), 0, 'without the grey image, x~ is the warp of x itself');
  tf.dispose([batch.x, batch.grey!]);
  base.dispose();
});

test('paper (WAE) nets: 28x28x1 and 64x64x3 shapes', async () => {
  await useCpu();
  for (const [shape, latent] of [
    [[28, 28, 1], 50],
    [[64, 64, 3], 8],
  ] as const) {
    const s = { inputShape: [...shape] as [number, number, number], latentDim: latent };
    const enc = buildEncoder({ kind: 'wae' }, s),
      dec = buildDecoder({ kind: 'wae' }, s);
    assert.deepEqual(enc.outputs[0].shape, [null, 2 * latent]);
    assert.deepEqual(dec.outputs[0].shape, [null, ...shape]);
    assert.ok(enc.layers.some((l) => l.getClassName() === 'BatchNormalization'));
    enc.dispose();
    dec.dispose();
  }
});
