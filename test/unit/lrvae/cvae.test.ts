import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { blobs, useCpu } from '../lab/helpers';
import { ConditionalVAE, type CvaeConfig } from '../../../src/lab/models/cvae';
import { hingeDiscriminatorLoss, hingeGeneratorLoss } from '../../../src/lab/models/conditional';
import { Trainer } from '../../../src/lab/train/trainer';

before(useCpu);

const cfg = (kind: CvaeConfig['kind']): CvaeConfig => ({
  kind, inputShape: [8, 8, 1], classes: 4, latentDim: 2, net: { kind: 'mlp', hidden: [16] }, learningRate: 1e-2,
  ...(kind === 'cvae-gan' ? { gan: { hidden: [8] } } : {}),
});

test('hinge losses: zero for a perfect D, the generator term is minus the mean fake score', () => {
  const d = hingeDiscriminatorLoss(tf.tensor([2, 3]), tf.tensor([-1, -4]), tf.tensor([-2]));
  assert.equal(d.arraySync(), 0);
  const d2 = hingeDiscriminatorLoss(tf.tensor([0]), tf.tensor([0]), tf.tensor([1]));
  assert.ok(Math.abs(d2.arraySync() - (1 + 0.5 * (1 + 2))) < 1e-6);
  assert.ok(Math.abs(hingeGeneratorLoss(tf.tensor([1, 3]), tf.tensor([-2])).arraySync() - -0.5 * (2 - 2)) < 1e-6);
  tf.dispose([d, d2]);
});

test('cVAE learns the label: samples of different classes differ, training lowers the loss, no leaks', async () => {
  const data = blobs(256, 6);
  const m = new ConditionalVAE(cfg('cvae'));
  assert.deepEqual(m.updates().map((s) => s.name), ['vae']);
  const first = await new Trainer({ steps: 1, batchSize: 64, seed: 1 }).fit(m, data);
  const n0 = tf.memory().numTensors;
  const r = await new Trainer({ epochs: 15, batchSize: 64, seed: 1 }).fit(m, data);
  assert.equal(tf.memory().numTensors, n0);
  assert.ok(r.history[r.history.length - 1].terms.loss < first.history[0].terms.loss - 5);
  // The blob class is the bright square's position: the class-c sample's brightest 3x3 region is class c's.
  const centre = [[2, 2], [2, 5], [5, 2], [5, 5]];
  for (let c = 0; c < 4; c++) {
    const img = tf.tidy(() => tf.mean(m.sample(c, 20, 3), 0).arraySync() as number[][][]);
    const score = centre.map(([r0, q0]) => img[r0][q0][0]);
    assert.equal(score.indexOf(Math.max(...score)), c, `class ${c}: ${score}`);
  }
  m.dispose();
});

test('cVAE-GAN adds a discriminator update on its own variables; inpainting keeps the unmasked pixels', async () => {
  const m = new ConditionalVAE(cfg('cvae-gan'));
  const specs = m.updates();
  assert.deepEqual(specs.map((s) => s.name), ['vae', 'discriminator']);
  assert.ok(specs[1].variables().every((v) => !specs[0].variables().includes(v)));
  const r = await new Trainer({ epochs: 2, batchSize: 32, seed: 2 }).fit(m, blobs(64, 7));
  assert.ok(Number.isFinite(r.history[3].terms['discriminator/loss']));
  const b = blobs(4, 8).batch([0, 1, 2, 3]);
  const mask = tf.tile(tf.concat([tf.ones([1, 8, 4, 1]), tf.zeros([1, 8, 4, 1])], 2), [4, 1, 1, 1]) as tf.Tensor4D;
  const out = m.inpaint(b.x, mask, b.y!);
  const right = (t: tf.Tensor) => tf.slice(t, [0, 0, 4, 0], [4, 8, 4, 1]);
  assert.equal(tf.tidy(() => (tf.max(tf.abs(tf.sub(right(out), right(b.x)))) as tf.Scalar).arraySync()), 0);
  assert.throws(() => new ConditionalVAE({ ...cfg('cvae'), kind: 'cvae-gan' }), /gan/);
  tf.dispose([b.x, b.y!, mask, out]);
  m.dispose();
});
