import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../../src/lab/tf';
import { blobs, useCpu } from '../lab/helpers';
import { classAgreement, type ProbabilisticClassifier } from '../../../src/lab/metrics/inception';
import { distinctPairs, intraClassDiversity } from '../../../src/lab/metrics/msssim';
import { cachedScoringClassifier, classifierCacheKey, datasetHash } from '../../../src/lab/metrics/scoringClassifier';
import type { ConditionalGenerator } from '../../../src/lab/models/conditional';
import { InvalidArgumentError } from '../../../src/lab/core/errors';

before(useCpu);

test('distinct pairs: all pairs when asked for all, no pair twice, i < j, seeded', () => {
  const all = distinctPairs(7, 21, 1);
  const keys = all.a.map((i, k) => `${i},${all.b[k]}`);
  const expected: string[] = [];
  for (let i = 0; i < 7; i++) for (let j = i + 1; j < 7; j++) expected.push(`${i},${j}`);
  assert.deepEqual(keys, expected);
  for (const [n, k] of [
    [50, 1000],
    [1000, 1200],
    [3, 2],
  ]) {
    const p = distinctPairs(n, k, 5);
    const seen = new Set(p.a.map((i, m) => i * n + p.b[m]));
    assert.equal(seen.size, k, `${k} distinct pairs of ${n}`);
    assert.ok(p.a.every((i, m) => i >= 0 && i < p.b[m] && p.b[m] < n));
  }
  assert.deepEqual(distinctPairs(40, 100, 3), distinctPairs(40, 100, 3));
  assert.notDeepEqual(distinctPairs(40, 100, 3), distinctPairs(40, 100, 4));
  assert.throws(() => distinctPairs(4, 7, 0), InvalidArgumentError);
  // Uniform: over many seeds, each of the 10 pairs of 5 items is drawn about k/10 of the time.
  const counts = new Array(10).fill(0);
  for (let s = 0; s < 2000; s++) {
    const p = distinctPairs(5, 3, s);
    p.a.forEach((i, m) => counts[(i * (9 - i)) / 2 + p.b[m] - i - 1]++);
  }
  assert.ok(
    counts.every((c) => Math.abs(c - 600) < 90),
    `pair counts ${counts}`,
  );
});

test('diversity over drawn pairs: half copies of one image and half of another gives the share of mixed pairs times their 1 - MS-SSIM', async () => {
  const [u, v] = [tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 1), tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 2)];
  const set = tf.concat([tf.tile(u, [20, 1, 1, 1]), tf.tile(v, [20, 1, 1, 1])]) as tf.Tensor4D;
  const d = await intraClassDiversity(set); // all 780 pairs: 400 mixed
  const one = await intraClassDiversity(tf.concat([u, v]) as tf.Tensor4D);
  assert.ok(Math.abs(d - (400 / 780) * one) < 1e-4, `${d} vs ${(400 / 780) * one}`);
  tf.dispose([u, v, set]);
});

test('class agreement: 1 for a generator whose class the classifier reads, 1/K for one that ignores the class, pure given the seed', async () => {
  // Images whose mean brightness is (c + 0.5) / K; the "classifier" reads the class off it.
  const K = 5;
  const oracle: ProbabilisticClassifier = {
    predict: (x) => tf.tidy(() => tf.oneHot(tf.cast(tf.floor(tf.mul(tf.mean(x, [1, 2, 3]), K)), 'int32'), K).toFloat() as tf.Tensor2D),
  };
  const gen: ConditionalGenerator = { classes: K, inputShape: [4, 4, 1], sample: (c, n) => tf.fill([n, 4, 4, 1], (c + 0.5) / K) as tf.Tensor4D };
  const deaf: ConditionalGenerator = {
    ...gen,
    sample: (_c, n, seed) =>
      tf.tidy(
        () =>
          tf
            .add(tf.zeros([n, 4, 4, 1]), tf.reshape(tf.floor(tf.randomUniform([n], 0, K, 'float32', seed)), [n, 1, 1, 1]))
            .div(K)
            .add(0.5 / K) as tf.Tensor4D,
      ),
  };
  const n0 = tf.memory().numTensors;
  assert.equal(await classAgreement(gen, oracle, { perClass: 10 }), 1);
  const a = await classAgreement(deaf, oracle, { perClass: 400, seed: 3 });
  assert.ok(Math.abs(a - 1 / K) < 0.05, `deaf agreement ${a}`);
  assert.equal(await classAgreement(deaf, oracle, { perClass: 400, seed: 3 }), a);
  assert.equal(tf.memory().numTensors, n0);
});

test('the scoring classifier is cached: the second call loads the same net; another config or other data trains anew', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vae-lab-clf-'));
  try {
    const train = blobs(256, 1),
      test = blobs(100, 2);
    const config = { arch: { kind: 'conv' as const, filters: [8, 8], dense: 16 }, epochs: 6, batchSize: 32, learningRate: 1e-2, lrDecay: 0.5 };
    const first = await cachedScoringClassifier(train, test, 4, { config, cacheDir: dir });
    assert.equal(first.loaded, false);
    const lr = (first.classifier.updates()[0].optimizer as unknown as { learningRate: number }).learningRate;
    assert.ok(Math.abs(lr - 1e-2 * 0.5 ** 6) < 1e-12, `halved after each of 6 epochs: ${lr}`);
    // Seeded: the same config and data train the same net (cache off).
    const again = await cachedScoringClassifier(train, test, 4, { config, cacheDir: false });
    assert.equal(again.testAccuracy, first.testAccuracy);
    again.classifier.dispose();
    assert.ok(first.testAccuracy > 0.9, `blob accuracy ${first.testAccuracy}`);
    assert.ok(existsSync(join(dir, first.key, 'net', 'model.json')) && existsSync(join(dir, first.key, 'meta.json')));
    assert.deepEqual(readdirSync(dir), [first.key], 'no temporary folders left');
    const second = await cachedScoringClassifier(train, test, 4, { config, cacheDir: dir });
    assert.equal(second.loaded, true);
    assert.equal(second.testAccuracy, first.testAccuracy);
    const b = test.batch(Int32Array.from({ length: 20 }, (_, i) => i));
    const diff = tf.tidy(() => (tf.max(tf.abs(tf.sub(first.classifier.predict(b.x), second.classifier.predict(b.x)))) as tf.Scalar).arraySync());
    assert.equal(diff, 0);
    assert.equal(await second.classifier.accuracyOn(test), first.testAccuracy);
    assert.notEqual(classifierCacheKey({ ...config, epochs: 4 }, 4, datasetHash(train)), first.key);
    assert.notEqual(classifierCacheKey(config, 4, datasetHash(blobs(256, 3))), first.key);
    assert.equal(classifierCacheKey({ ...config, signal: new AbortController().signal }, 4, datasetHash(blobs(256, 1))), first.key);
    tf.dispose([b.x, b.y!]);
    [first, second].forEach((r) => r.classifier.dispose());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
