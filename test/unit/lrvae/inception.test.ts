import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { useCpu, blobs } from '../lab/helpers';
import { inceptionScore, generatorScores, trainScoreClassifier } from '../../../src/lab/metrics/inception';
import { intraClassDiversity } from '../../../src/lab/metrics/msssim';
import type { ConditionalGenerator } from '../../../src/lab/models/conditional';
import { InvalidArgumentError } from '../../../src/lab/core/errors';

before(useCpu);

test('IS: confident and balanced over K classes gives K; identical predictions give 1; in between for soft ones', async () => {
  const K = 5;
  const onehot = tf
    .oneHot(
      tf.tensor1d(
        Array.from({ length: 50 }, (_, i) => i % K),
        'int32',
      ),
      K,
    )
    .toFloat() as tf.Tensor2D;
  assert.ok(Math.abs((await inceptionScore(onehot)).mean - K) < 1e-3);
  const split = await inceptionScore(onehot, 5);
  assert.ok(Math.abs(split.mean - K) < 1e-3 && split.std < 1e-6);
  const same = tf.tile(tf.tensor2d([[0.7, 0.1, 0.1, 0.05, 0.05]]), [20, 1]) as tf.Tensor2D;
  assert.ok(Math.abs((await inceptionScore(same)).mean - 1) < 1e-5);
  // Soft but balanced: p = 0.6 on the class, 0.1 elsewhere -> IS = exp(log K - H(p)).
  const soft = tf.add(tf.mul(onehot, 0.5), 0.1) as tf.Tensor2D;
  const h = -(0.6 * Math.log(0.6) + 4 * 0.1 * Math.log(0.1));
  assert.ok(Math.abs((await inceptionScore(soft)).mean - Math.exp(Math.log(K) - h)) < 1e-4);
  tf.dispose([onehot, same, soft]);
});

test('diversity: 0 for copies of one image, high for unrelated noise images', async () => {
  const one = tf.tile(tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 1), [6, 1, 1, 1]) as tf.Tensor4D;
  assert.ok(Math.abs(await intraClassDiversity(one)) < 1e-5);
  const noise = tf.randomUniform([6, 28, 28, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
  assert.ok((await intraClassDiversity(noise)) > 0.5);
  await assert.rejects(() => intraClassDiversity(tf.slice(noise, [0], [1]) as tf.Tensor4D), InvalidArgumentError);
  tf.dispose([one, noise]);
});

test('the real-data classifier learns the classes; generator scores separate a faithful generator from a collapsed one', async () => {
  const data = blobs(512, 9);
  const clf = await trainScoreClassifier(data, [8, 8, 1], 4, { epochs: 8, hidden: [16], learningRate: 1e-2 });
  const test = blobs(200, 10).batch(Int32Array.from({ length: 200 }, (_, i) => i));
  assert.ok((await clf.accuracy(test)) > 0.95);
  // "Generators" that return real images of the asked class (faithful) or one fixed image of it (collapsed).
  const byClass = (c: number) => Array.from({ length: 200 }, (_, i) => i).filter((i) => test.y!.arraySync()[i] === c);
  const faithful: ConditionalGenerator = {
    classes: 4,
    inputShape: [8, 8, 1],
    sample: (c, n) => tf.tidy(() => tf.gather(test.x, byClass(c).slice(0, n)) as tf.Tensor4D),
  };
  const collapsed: ConditionalGenerator = {
    ...faithful,
    sample: (c, n) => tf.tidy(() => tf.tile(tf.gather(test.x, [byClass(c)[0]]), [n, 1, 1, 1]) as tf.Tensor4D),
  };
  const n0 = tf.memory().numTensors;
  const f = await generatorScores(faithful, clf, { perClass: 20, diversity: { pairs: 50 } });
  const c = await generatorScores(collapsed, clf, { perClass: 20, diversity: { pairs: 50 } });
  assert.equal(tf.memory().numTensors, n0);
  assert.ok(f.inceptionScore > 3 && f.classAgreement > 0.95, JSON.stringify(f));
  assert.ok(Math.abs(c.diversity!) < 1e-6 && f.diversity! > 5e-4, `${f.diversity} vs ${c.diversity}`);
  tf.dispose([test.x, test.y!]);
  clf.dispose();
});
