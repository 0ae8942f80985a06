import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { blobs, useCpu } from '../lab/helpers';
import { ConditionalVAE, classMeanFeatureMatching, withLabelPlanes, type CvaeConfig } from '../../../src/lab/models/cvae';
import { classAgreement, trainScoreClassifier } from '../../../src/lab/metrics/inception';
import type { ConditionalGenerator } from '../../../src/lab/models/conditional';
import { hingeDiscriminatorLoss, hingeGeneratorLoss } from '../../../src/lab/models/conditional';
import { Trainer } from '../../../src/lab/train/trainer';
import { Rng } from '../../../src/lab/core/random';
import { LabelRelevantVAE } from '../../../src/lab/models/lrVae';
import { ProjectionDiscriminator } from '../../../src/lab/nets/spectralNorm';
import { build, modelConfig } from '../../../src/lab/experiments/label-relevant/build';
import { presets } from '../../../src/lab/experiments/label-relevant/presets';

before(useCpu);

const cfg = (kind: CvaeConfig['kind']): CvaeConfig => ({
  kind,
  inputShape: [8, 8, 1],
  classes: 4,
  latentDim: 2,
  net: { kind: 'mlp', hidden: [16] },
  learningRate: 1e-2,
  ...(kind === 'cvae-gan' ? { gan: { hidden: [8] }, classifier: { hidden: [8], learningRate: 1e-2 } } : {}),
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
  assert.deepEqual(
    m.updates().map((s) => s.name),
    ['vae'],
  );
  const first = await new Trainer({ steps: 1, batchSize: 64, seed: 1 }).fit(m, data);
  const n0 = tf.memory().numTensors;
  const r = await new Trainer({ epochs: 40, batchSize: 64, seed: 1 }).fit(m, data);
  assert.equal(tf.memory().numTensors, n0);
  assert.ok(r.history[r.history.length - 1].terms.loss < first.history[0].terms.loss - 5);
  // The blob class is the bright square's position: the class-c sample's brightest 3x3 region is class c's.
  const centre = [
    [2, 2],
    [2, 5],
    [5, 2],
    [5, 5],
  ];
  for (let c = 0; c < 4; c++) {
    const img = tf.tidy(() => tf.mean(m.sample(c, 20, 3), 0).arraySync() as number[][][]);
    const score = centre.map(([r0, q0]) => img[r0][q0][0]);
    assert.equal(score.indexOf(Math.max(...score)), c, `class ${c}: ${score}`);
  }
  // Class agreement by a classifier of the real blobs: the CVAE's samples show their class; a
  // generator that ignores the label (always class-0 samples) agrees 1/K of the time.
  const clf = await trainScoreClassifier(blobs(512, 9), [8, 8, 1], 4, { epochs: 8, hidden: [16], learningRate: 1e-2 });
  const agreement = await classAgreement(m, clf, { perClass: 50, seed: 4 });
  assert.ok(agreement >= 0.8, `CVAE class agreement ${agreement}`);
  const deaf: ConditionalGenerator = { classes: 4, inputShape: [8, 8, 1], sample: (_c, n, seed) => m.sample(0, n, seed) };
  assert.ok(Math.abs((await classAgreement(deaf, clf, { perClass: 50, seed: 4 })) - 0.25) < 0.1);
  clf.dispose();
  m.dispose();
});

test('cVAE-GAN adds a discriminator update on its own variables; inpainting keeps the unmasked pixels', async () => {
  const m = new ConditionalVAE(cfg('cvae-gan'));
  const specs = m.updates();
  assert.deepEqual(
    specs.map((s) => s.name),
    ['vae', 'discriminator', 'classifier'],
  );
  assert.ok(specs[1].variables().every((v) => !specs[0].variables().includes(v)));
  assert.ok(specs[2].variables().every((v) => !specs[0].variables().includes(v) && !specs[1].variables().includes(v)));
  const r = await new Trainer({ epochs: 8, batchSize: 32, seed: 2 }).fit(m, blobs(128, 7));
  const last = r.history[r.history.length - 1].terms;
  assert.ok(Number.isFinite(last['discriminator/loss']) && Number.isFinite(last['vae/classFeatureMatch']));
  assert.ok(last['classifier/cAccuracy'] > 0.9, `C learns the real classes: ${last['classifier/cAccuracy']}`);
  const dOnly = new ConditionalVAE({ ...cfg('cvae-gan'), classifier: false });
  assert.deepEqual(
    dOnly.updates().map((s) => s.name),
    ['vae', 'discriminator'],
  );
  dOnly.dispose();
  const b = blobs(4, 8).batch([0, 1, 2, 3]);
  const mask = tf.tile(tf.concat([tf.ones([1, 8, 4, 1]), tf.zeros([1, 8, 4, 1])], 2), [4, 1, 1, 1]) as tf.Tensor4D;
  const out = m.inpaint(b.x, mask, b.y!);
  const right = (t: tf.Tensor) => tf.slice(t, [0, 0, 4, 0], [4, 8, 4, 1]);
  assert.equal(
    tf.tidy(() => (tf.max(tf.abs(tf.sub(right(out), right(b.x)))) as tf.Scalar).arraySync()),
    0,
  );
  assert.throws(() => new ConditionalVAE({ ...cfg('cvae'), kind: 'cvae-gan' }), /gan/);
  tf.dispose([b.x, b.y!, mask, out]);
  m.dispose();
});

test('label planes: onehot(y) appended as constant channels; the CVAE encoder reads the label', () => {
  const x = tf.ones([2, 3, 3, 1]) as tf.Tensor4D;
  const p = withLabelPlanes(x, tf.tensor1d([2, 0], 'int32'), 3);
  assert.deepEqual(p.shape, [2, 3, 3, 4]);
  const v = p.arraySync() as number[][][][];
  assert.deepEqual(v[0][1][2], [1, 0, 0, 1]);
  assert.deepEqual(v[1][2][0], [1, 1, 0, 0]);
  const m = new ConditionalVAE(cfg('cvae'));
  const b = blobs(4, 3).batch([0, 1, 2, 3]);
  const diff = tf.tidy(() => (tf.max(tf.abs(tf.sub(m.encode(b.x, tf.zerosLike(b.y!)).mean, m.encode(b.x, tf.onesLike(b.y!)).mean))) as tf.Scalar).arraySync());
  assert.ok(diff > 1e-4, 'q(z|x,y) changes with y');
  tf.dispose([x, p, b.x, b.y!]);
  m.dispose();
});

test('class-mean feature matching: known answer; a class missing on one side does not count', () => {
  const real = tf.tensor2d([
    [1, 0],
    [3, 0],
    [5, 5],
  ]);
  const fake = tf.tensor2d([
    [0, 0],
    [0, 2],
  ]);
  // class 0: real mean (2, 0), fake mean (0, 1) -> 1/2 (4 + 1); class 1 has no fake sample.
  const l = classMeanFeatureMatching(real, tf.tensor1d([0, 0, 1], 'int32'), fake, tf.tensor1d([0, 0], 'int32'), 3);
  assert.ok(Math.abs(l.arraySync() - 2.5) < 1e-6);
  const same = classMeanFeatureMatching(real, tf.tensor1d([0, 1, 2], 'int32'), real, tf.tensor1d([0, 1, 2], 'int32'), 3);
  assert.equal(same.arraySync(), 0);
  tf.dispose([real, fake, l, same]);
});

test('both GAN variants score with the same conditional D: real and reconstruction with y, prior with its class; one power iteration per D update, none in the generator update', () => {
  const b = blobs(8, 9).batch(Int32Array.from({ length: 8 }, (_, i) => i));
  const y = Array.from(b.y!.dataSync());
  const builds: [string, () => ConditionalVAE | LabelRelevantVAE, string][] = [
    ['cvae-gan', () => new ConditionalVAE(cfg('cvae-gan')), 'vae'],
    ['lr-vae-gan', () => build(modelConfig('lr-vae-gan', { dataset: 'mnist', classes: 4, inputShape: [8, 8, 1] }, presets.quick.images, 1)), 'joint'],
  ];
  for (const [name, make, generator] of builds) {
    const m = make();
    assert.ok(m.discriminator instanceof ProjectionDiscriminator, `${name}: D is the projection discriminator`);
    const calls: { labels: number[]; training: boolean; n: number }[] = [];
    const D = m.discriminator!;
    const score = D.score.bind(D);
    D.score = (x, labels, training = true) => {
      calls.push({ labels: Array.from(labels.dataSync()), training, n: x.shape[0] });
      return score(x, labels, training);
    };
    const u0 = D.psi.u.dataSync().slice();
    const run = (spec: string) =>
      tf.tidy(() => {
        const s = m.updates().find((u) => u.name === spec)!;
        s.loss(b, { step: 0, epoch: 0, repeat: 0, rng: new Rng(3), nextBatch: () => b });
      });
    run(generator);
    assert.deepEqual(
      calls.map((c) => c.training),
      [false, false],
      `${name}: the generator's update scores reconstructions and prior samples, moving no u`,
    );
    assert.deepEqual(calls[0].labels, y, `${name}: reconstructions scored with the input's labels`);
    assert.equal(calls[1].n, 8);
    assert.ok(
      calls[1].labels.every((c) => c >= 0 && c < 4),
      `${name}: prior samples scored with a class`,
    );
    assert.deepEqual(Array.from(D.psi.u.dataSync()), Array.from(u0), `${name}: u unchanged by the generator's update`);
    calls.length = 0;
    run('discriminator');
    assert.equal(calls.length, 1, `${name}: D's update scores its three batches in one call (one power iteration)`);
    assert.equal(calls[0].training, true);
    assert.equal(calls[0].n, 24);
    assert.deepEqual(calls[0].labels.slice(0, 16), [...y, ...y], `${name}: real images and reconstructions scored with y`);
    assert.ok(calls[0].labels.slice(16).every((c) => c >= 0 && c < 4));
    assert.ok(
      calls[0].labels.slice(16).some((c, i) => c !== y[i]),
      `${name}: prior samples scored with the classes they were drawn for, not the batch's labels`,
    );
    m.dispose();
  }
  tf.dispose([b.x, b.y!]);
});
