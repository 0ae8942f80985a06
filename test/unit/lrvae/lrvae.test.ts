import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../../src/lab/tf';
import { blobs, useCpu } from '../lab/helpers';
import { LabelRelevantVAE, type LrVaeConfig } from '../../../src/lab/models/lrVae';
import { buildMlpCritic, LabelsRequiredError } from '../../../src/lab/models/conditional';
import { Trainer } from '../../../src/lab/train/trainer';
import { Rng } from '../../../src/lab/core/random';
import { folderSaveHandler, saveCheckpoint, loadCheckpoint } from '../../../src/lab/train/checkpoint';
import { CheckpointError } from '../../../src/lab/train/errors';
import { build } from '../../../src/lab/experiments/label-relevant/build';
import { trainableVariables } from '../../../src/lab/nets';
import { InvalidArgumentError } from '../../../src/lab/core/errors';

before(useCpu);

const cfg = (extra: Partial<LrVaeConfig> = {}): LrVaeConfig => ({
  kind: 'lr-vae',
  inputShape: [8, 8, 1],
  classes: 4,
  zs: 2,
  zu: 3,
  net: { kind: 'mlp', hidden: [16] },
  learningRate: 1e-2,
  adversaryHidden: [8],
  seed: 1,
  ...extra,
});

test('updates: E_s + GM first (3x), then the joint update, then C (and D with --gan), each on its own variables', () => {
  const m = new LabelRelevantVAE(cfg({ gan: { hidden: [8] } }));
  const specs = m.updates();
  assert.deepEqual(
    specs.map((s) => s.name),
    ['label-relevant', 'joint', 'adversary', 'discriminator'],
  );
  assert.equal(specs[0].repeat, 3);
  const gmVars = trainableVariables(m.gmNet);
  const has = (s: number, vs: tf.Variable[]) => vs.every((v) => specs[s].variables().includes(v));
  const none = (s: number, vs: tf.Variable[]) => vs.every((v) => !specs[s].variables().includes(v));
  assert.ok(has(0, gmVars) && has(0, trainableVariables(m.es)) && none(0, trainableVariables(m.decoder)));
  assert.ok(none(1, gmVars) && has(1, trainableVariables(m.eu)) && has(1, trainableVariables(m.decoder)) && none(1, trainableVariables(m.adversary)));
  assert.ok(has(2, trainableVariables(m.adversary)) && specs[2].variables().length === trainableVariables(m.adversary).length);
  assert.ok(has(3, m.discriminator!.trainableVariables()) && none(3, trainableVariables(m.decoder)));
  assert.equal(new LabelRelevantVAE(cfg()).updates().length, 3);
  m.dispose();
});

test('training lowers the GM and reconstruction losses, C learns, no tensors leak per step', async () => {
  const data = blobs(256, 2);
  const m = new LabelRelevantVAE(cfg());
  const first = await new Trainer({ steps: 1, batchSize: 64, seed: 1 }).fit(m, data);
  const n0 = tf.memory().numTensors;
  const r = await new Trainer({ epochs: 12, batchSize: 64, seed: 1 }).fit(m, data);
  assert.equal(tf.memory().numTensors, n0, 'tensors leaked by training steps');
  const t0 = first.history[0].terms,
    t1 = r.history[r.history.length - 1].terms;
  assert.ok(t1['label-relevant/loss'] < t0['label-relevant/loss'], `GM ${t0['label-relevant/loss']} -> ${t1['label-relevant/loss']}`);
  assert.ok(t1['joint/recon'] < t0['joint/recon'] - 1, `recon ${t0['joint/recon']} -> ${t1['joint/recon']}`);
  // z_s classifies the blobs through the GM posterior.
  const b = data.batch(Int32Array.from({ length: 128 }, (_, i) => i));
  const acc = tf.tidy(() => (tf.mean(tf.equal(tf.argMax(m.classify(b.x), 1), b.y!).toFloat()) as tf.Scalar).arraySync());
  assert.ok(acc > 0.9, `GM accuracy ${acc}`);
  tf.dispose([b.x, b.y!]);
  m.dispose();
});

test('uses: class samples, swap grid, z_u traversal and inpainting do what they say', () => {
  const data = blobs(16, 3);
  const m = new LabelRelevantVAE(cfg());
  const b = data.batch(Int32Array.from({ length: 6 }, (_, i) => i));
  const n0 = tf.memory().numTensors;
  tf.tidy(() => {
    assert.deepEqual(m.sample(2, 5, 7).shape, [5, 8, 8, 1]);
    assert.throws(() => m.sample(4, 1, 0), InvalidArgumentError);
    // Swap: cell (i, j) = G([E_s(rows_i), mu_u(cols_j)]).
    const rows = tf.slice(b.x, [0], [2]) as tf.Tensor4D,
      cols = tf.slice(b.x, [2], [3]) as tf.Tensor4D;
    const grid = m.swap(rows, cols);
    assert.deepEqual(grid.shape, [6, 8, 8, 1]);
    const cell = m.decode(tf.concat([tf.slice(m.encodeS(rows), [1, 0], [1, 2]), tf.slice(m.encodeU(cols).mean, [2, 0], [1, 3])], 1) as tf.Tensor2D);
    assert.ok((tf.max(tf.abs(tf.sub(tf.slice(grid, [5], [1]), cell))) as tf.Scalar).arraySync() < 1e-5);
    // Traversal at z_u[d]'s own value reproduces the reconstruction from the means.
    const one = tf.slice(b.x, [0], [1]) as tf.Tensor4D;
    const u0 = m.encodeU(one).mean.arraySync()[0][1];
    const trav = m.traverse(one, 1, [-2, u0, 2]);
    const rec = m.decode(tf.concat([m.encodeS(one), m.encodeU(one).mean], 1) as tf.Tensor2D);
    assert.ok((tf.max(tf.abs(tf.sub(tf.slice(trav, [1], [1]), rec))) as tf.Scalar).arraySync() < 1e-5);
    assert.throws(() => m.traverse(one, 3, [0]), InvalidArgumentError);
    // Inpainting keeps every unmasked pixel and fills the mask with the decoder's pixels.
    const mask = tf.concat([tf.zeros([1, 4, 8, 1]), tf.ones([1, 4, 8, 1])], 1) as tf.Tensor4D;
    const out = m.inpaint(b.x, tf.tile(mask, [6, 1, 1, 1]) as tf.Tensor4D);
    const top = (t: tf.Tensor) => tf.slice(t, [0, 0, 0, 0], [6, 4, 8, 1]);
    assert.ok((tf.max(tf.abs(tf.sub(top(out), top(b.x)))) as tf.Scalar).arraySync() === 0);
    assert.ok((tf.max(tf.abs(tf.sub(out, b.x))) as tf.Scalar).arraySync() > 0);
  });
  assert.equal(tf.memory().numTensors, n0);
  tf.dispose([b.x, b.y!]);
  m.dispose();
});

test('unlabelled data: the joint update refuses it clearly; semi-supervised fine-tuning trains E_s/E_u/G, not the class Gaussians', async () => {
  const labelled = blobs(128, 4);
  const unlabelled = { n: 128, batch: (idx: ArrayLike<number>) => ({ x: labelled.batch(idx).x }) };
  const m = new LabelRelevantVAE(cfg());
  await assert.rejects(new Trainer({ steps: 1, batchSize: 32 }).fit(m, unlabelled), (e: Error) => e.message.includes('labels'));
  assert.throws(() => tf.tidy(() => m.updates()[0].loss(unlabelled.batch([0, 1]), {} as never).loss), LabelsRequiredError);
  for (const prior of ['ambiguous', 'mixture'] as const) {
    const gmBefore = m.gm.getWeights().map((w) => w.arraySync());
    const r = await new Trainer({ epochs: 6, batchSize: 32, seed: 2 }).fit(m.semiSupervised(prior), unlabelled);
    assert.ok(r.history[r.history.length - 1].terms.recon < r.history[0].terms.recon, `${prior}: recon did not fall`);
    assert.deepEqual(
      m.gm.getWeights().map((w) => w.arraySync()),
      gmBefore,
    );
  }
  m.dispose();
});

test("checkpoint round trip through the experiment's build rebuilds the same model (GM layer included)", async () => {
  const m = new LabelRelevantVAE(cfg({ gan: { hidden: [8] } }));
  await new Trainer({ steps: 2, batchSize: 32, seed: 3 }).fit(m, blobs(64, 5));
  const dir = mkdtempSync(join(tmpdir(), 'lrvae-'));
  try {
    await saveCheckpoint(join(dir, 'model'), m, { step: 2, epoch: 0, seed: 3, batchSize: 32 });
    const { model } = await loadCheckpoint(join(dir, 'model'), build);
    const back = model as LabelRelevantVAE;
    assert.ok(back instanceof LabelRelevantVAE);
    const a = m.sample(1, 4, 11),
      b = back.sample(1, 4, 11);
    assert.ok((tf.max(tf.abs(tf.sub(a, b))) as tf.Scalar).arraySync() < 1e-6);
    tf.dispose([a, b]);
    back.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    m.dispose();
  }
});

test('a checkpoint whose D is a tf.layers net (the old unconditional MLP critic) fails to load with a message to retrain, leaking nothing', async () => {
  const m = new LabelRelevantVAE(cfg({ gan: { hidden: [8] } }));
  const dir = mkdtempSync(join(tmpdir(), 'lrvae-old-'));
  try {
    await saveCheckpoint(join(dir, 'model'), m, { step: 0, epoch: 0, seed: 3, batchSize: 32 });
    // What an older version wrote there: the MLP critic in the layers format.
    const dDir = join(dir, 'model', 'discriminator');
    rmSync(dDir, { recursive: true });
    const critic = buildMlpCritic([8, 8, 1], [8], 1);
    await critic.save(folderSaveHandler(dDir));
    critic.dispose();
    const n0 = tf.memory().numTensors;
    await assert.rejects(
      loadCheckpoint(join(dir, 'model'), build),
      (e: Error) => e instanceof CheckpointError && /retrain/.test(e.message) && /projection discriminator/.test(e.message),
    );
    assert.equal(tf.memory().numTensors, n0, 'the half-loaded model was freed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    m.dispose();
  }
});

test('C trains on the very code E_u is pushed on: a sample of q(z_u|x) by default, the mean with adversaryInput "mean"', () => {
  const b = blobs(16, 12).batch(Int32Array.from({ length: 16 }, (_, i) => i));
  for (const mode of ['sample', 'mean'] as const) {
    const m = new LabelRelevantVAE(cfg(mode === 'mean' ? { adversaryInput: 'mean' } : {}));
    const seen: number[][][] = [];
    const apply = m.adversary.apply.bind(m.adversary);
    m.adversary.apply = ((x: tf.Tensor, kw?: object) => {
      seen.push((x as tf.Tensor2D).arraySync());
      return apply(x, kw);
    }) as typeof m.adversary.apply;
    const specs = m.updates();
    const ctx = () => ({ step: 0, epoch: 0, repeat: 0, rng: new Rng(11), nextBatch: () => b });
    tf.tidy(() => {
      specs[1].loss(b, ctx());
      specs[2].loss(b, ctx());
    });
    assert.equal(seen.length, 2, 'one call of C in each update');
    const [pushed, trained] = seen;
    const diff = (p: number[][], q: number[][]) => Math.max(...p.flatMap((row, i) => row.map((v, j) => Math.abs(v - q[i][j]))));
    assert.ok(diff(pushed, trained) < 1e-6, `${mode}: E_u is pushed on one code and C trains on another (max diff ${diff(pushed, trained)})`);
    const mean = tf.tidy(() => m.encodeU(b.x).mean.arraySync());
    if (mode === 'mean') assert.ok(diff(trained, mean) < 1e-6);
    else assert.ok(diff(trained, mean) > 1e-3, 'the default code is a sample, not the mean');
    m.dispose();
  }
  tf.dispose([b.x, b.y!]);
});
