import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/lab';
import { useCpu } from '../lab/helpers';
import { loadMnist } from '../../../src/lab/data/sources';
import { buildConvClassifier } from '../../../src/lab/metrics/inception';
import { SCORING_CLASSIFIER_DEFAULTS, classifierCacheKey, datasetHash } from '../../../src/lab/metrics/scoringClassifier';
import { folderSaveHandler } from '../../../src/lab/train/checkpoint';

before(useCpu);

test('CLI: lr-vae --gan on the moons writes metrics.json (IS from the lab classifier, coverage) and a checkpoint', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lrvae-cli-'));
  const log = console.log;
  const lines: string[] = [];
  console.log = (s: string) => lines.push(s);
  try {
    const code = await main([
      'train',
      '--model',
      'lr-vae',
      '--gan',
      '--dataset',
      'moons',
      '--epochs',
      '1',
      '--train-examples',
      '384',
      '--backend',
      'cpu',
      '--out',
      out,
    ]);
    assert.equal(code, 0);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    assert.equal(m.model, 'lr-vae-gan');
    assert.ok(m.scores.inceptionScore >= 1 && m.scores.inceptionScore <= 3);
    assert.ok(m.scores.moons.coverage >= 0 && m.scores.moons.coverage <= 1);
    assert.match(m.classifier.note, /Inception/);
    assert.equal(m.config.model.gan.hidden.length, 3);
    assert.ok(existsSync(join(out, 'model', 'config.json')) && existsSync(join(out, 'model', 'discriminator', 'variables.json')));
    assert.match(lines.join('\n'), /IS .*coverage/);
  } finally {
    console.log = log;
    rmSync(out, { recursive: true, force: true });
  }
});

test('CLI: misuse is a usage error (exit 2) that says what to do', async () => {
  const err = console.error;
  const msgs: string[] = [];
  console.error = (s: string) => msgs.push(s);
  try {
    assert.equal(await main(['train', '--model', 'cvae', '--gan', '--dataset', 'moons', '--out', '/tmp/never']), 2);
    assert.match(msgs.join('\n'), /--model cvae-gan/);
    assert.equal(await main(['train', '--model', 'lr-vae', '--dataset', 'cifar', '--out', '/tmp/never']), 2);
    assert.match(msgs.join('\n'), /Known: moons, mnist, fashion-mnist/);
  } finally {
    console.error = err;
  }
});

test('CLI: cvae-gan on MNIST scores with the cached scoring classifier and keeps IS ± sd, class agreement, diversity, the per-epoch scores and its test accuracy', async () => {
  // A cache entry under the key of the default classifier on all 60k MNIST training images,
  // holding a tiny untrained net and a test accuracy no trained net would store: if
  // metrics.json reports that accuracy, the command looked the classifier up in the cache
  // (keyed on the whole training set, not the 128-image subset it trains the model on).
  const cache = mkdtempSync(join(tmpdir(), 'lrvae-cache-'));
  const out = mkdtempSync(join(tmpdir(), 'lrvae-cli-mnist-'));
  const mnist = loadMnist();
  const key = classifierCacheKey(SCORING_CLASSIFIER_DEFAULTS, 10, datasetHash(mnist.train));
  const entry = join(cache, 'scoring-classifiers', key);
  const net = buildConvClassifier([28, 28, 1], 10, { kind: 'conv', filters: [4], dense: 8 }, 3);
  await net.save(folderSaveHandler(join(entry, 'net')));
  net.dispose();
  const marker = 0.123456;
  writeFileSync(
    join(entry, 'meta.json'),
    JSON.stringify({ key, config: SCORING_CLASSIFIER_DEFAULTS, classes: 10, dataHash: 'x', testAccuracy: marker, trainSeconds: 1 }),
  );
  const env = process.env.VAE_LAB_CACHE_DIR;
  process.env.VAE_LAB_CACHE_DIR = cache;
  const log = console.log;
  console.log = () => {};
  try {
    const code = await main([
      'train',
      '--model',
      'cvae-gan',
      '--dataset',
      'mnist',
      '--epochs',
      '2',
      '--train-examples',
      '128',
      '--backend',
      'wasm',
      '--out',
      out,
    ]);
    assert.equal(code, 0);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    assert.equal(m.model, 'cvae-gan');
    assert.equal(m.classifier.testAccuracy, marker);
    assert.equal(m.classifier.loaded, true);
    assert.match(m.classifier.note, /all 60000 mnist training images.*Inception/);
    const s = m.scores;
    assert.ok(s.inceptionScore >= 1 && s.inceptionScore <= 10, `IS ${s.inceptionScore}`);
    assert.ok(Number.isFinite(s.inceptionScoreStd) && s.inceptionScoreStd >= 0, `IS sd ${s.inceptionScoreStd}`);
    assert.ok(s.classAgreement >= 0 && s.classAgreement <= 1);
    assert.ok(s.diversity > 0 && s.diversity <= 1, `diversity ${s.diversity}`);
    assert.equal(s.perClassDiversity.length, 10);
    assert.equal(s.samples, 10 * m.config.perClass);
    assert.deepEqual(
      m.trajectory.map((p: { epoch: number }) => p.epoch),
      [1, 2],
    );
    assert.ok(m.trajectory.every((p: { inceptionScore: number; diversity: number }) => p.inceptionScore >= 1 && p.diversity > 0));
  } finally {
    console.log = log;
    if (env === undefined) delete process.env.VAE_LAB_CACHE_DIR;
    else process.env.VAE_LAB_CACHE_DIR = env;
    rmSync(out, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
});
