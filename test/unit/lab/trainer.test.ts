import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../../src/lab/tf';
import { VAE } from '../../../src/lab/models/vae';
import { loadCheckpoint, saveCheckpoint } from '../../../src/lab/train/checkpoint';
import { buildModel } from '../../../src/lab/models';
import { CheckpointError, NonFiniteLossError, SanityCheckError, TrainingCancelledError } from '../../../src/lab/train/errors';
import { Trainer } from '../../../src/lab/train/trainer';
import type { Checkpointable, UpdateSpec } from '../../../src/lab/core/types';
import { blobs, maxDiff, tinyVae, useCpu } from './helpers';

const values = (vs: tf.Variable[]) => vs.map((v) => tf.clone(v));

test('cancellation: the signal stops the run between steps, after the current step', async () => {
  await useCpu();
  const model = new VAE(tinyVae());
  const ac = new AbortController();
  let seen = 0;
  await assert.rejects(
    new Trainer({
      steps: 50,
      batchSize: 8,
      signal: ac.signal,
      callbacks: {
        onStep: (i) => {
          seen = i.step;
          if (i.step === 3) ac.abort();
        },
      },
    }).fit(model, blobs(64)),
    (e: unknown) => e instanceof TrainingCancelledError && e.step === 3,
  );
  assert.equal(seen, 3);
  model.dispose();
});

test('NaN guard: stops naming the step and the term, keeps the last good weights', async () => {
  await useCpu();
  const model = new VAE(tinyVae());
  const [spec] = model.updates();
  // Poison the loss from step 4 on: the kl term becomes NaN.
  const poisoned: UpdateSpec = {
    ...spec,
    loss: (b, ctx) => {
      const r = spec.loss(b, ctx);
      if (ctx.step < 4) return r;
      const kl = tf.mul(r.terms!.kl, NaN) as tf.Scalar;
      return { loss: tf.add(r.loss, kl) as tf.Scalar, terms: { ...r.terms, kl } };
    },
  };
  const wrapped = { updates: () => [poisoned], variables: () => model.variables() };
  let good: tf.Tensor[] = [];
  await assert.rejects(
    new Trainer({
      steps: 10,
      batchSize: 8,
      callbacks: {
        onStep: () => {
          tf.dispose(good);
          good = values(model.variables());
        },
      },
    }).fit(wrapped, blobs(64)),
    (e: unknown) => {
      assert.ok(e instanceof NonFiniteLossError);
      assert.equal(e.step, 4);
      assert.match(e.message, /step 4/);
      assert.match(e.message, /'loss'|'kl'/);
      return true;
    },
  );
  assert.equal(maxDiff(model.variables(), good), 0, 'weights are those after step 3');
  assert.ok(model.variables().every((v) => v.dataSync().every(Number.isFinite)));
  tf.dispose(good);
  model.dispose();
});

test('sanity step: a model/data shape mismatch fails before any update, with a clear message', async () => {
  await useCpu();
  const model = new VAE({ ...tinyVae(), inputShape: [28, 28, 1] });
  await assert.rejects(
    new Trainer({ steps: 1, batchSize: 8 }).fit(model, blobs(16)),
    (e: unknown) => e instanceof SanityCheckError && /8x8x1 but the model expects 28x28x1/.test(e.message),
  );
  model.dispose();
});

test('resume: 3 steps + checkpoint + 3 steps equals 6 uninterrupted steps (seeded, optimizer state kept)', async () => {
  await useCpu();
  const data = blobs(64);
  const straight = new VAE(tinyVae());
  const init = values(straight.variables());
  await new Trainer({ steps: 6, batchSize: 8, seed: 11, binarize: true }).fit(straight, data);

  const first = new VAE(tinyVae());
  first.variables().forEach((v, i) => v.assign(init[i]));
  const dir = join(mkdtempSync(join(tmpdir(), 'resume-')), 'model');
  await new Trainer({ steps: 3, batchSize: 8, seed: 11, binarize: true, checkpointDir: dir }).fit(first, data);
  const { model: resumed, state } = await loadCheckpoint(dir, buildModel);
  assert.equal(state.step, 3);
  await new Trainer({ steps: 6, batchSize: 8, seed: 11, binarize: true, resumeFrom: state }).fit(resumed, data);
  assert.ok(maxDiff(straight.variables(), resumed.variables()) < 1e-5, `diff ${maxDiff(straight.variables(), resumed.variables())}`);
  // and a different seed gives different weights (the comparison could fail)
  const other = new VAE(tinyVae());
  other.variables().forEach((v, i) => v.assign(init[i]));
  await new Trainer({ steps: 6, batchSize: 8, seed: 12, binarize: true }).fit(other, data);
  assert.ok(maxDiff(straight.variables(), other.variables()) > 1e-4);
  tf.dispose(init);
  for (const m of [straight, first, other, resumed as unknown as VAE]) m.dispose();
});

test('checkpoint atomicity: a failed write leaves the previous checkpoint loadable', async () => {
  await useCpu();
  const model = new VAE(tinyVae());
  const dir = join(mkdtempSync(join(tmpdir(), 'atomic-')), 'model');
  await saveCheckpoint(dir, model, { step: 1, epoch: 0, seed: 0, batchSize: 8 });
  const saved = values(model.variables());
  await new Trainer({ steps: 2, batchSize: 8 }).fit(model, blobs(32));
  // A config that cannot be serialised makes the write fail after the nets were written.
  const broken: Checkpointable = {
    updates: () => model.updates(),
    variables: () => model.variables(),
    nets: () => model.nets(),
    config: () => ({ kind: 'vae', bad: 1n }),
  };
  await assert.rejects(
    saveCheckpoint(dir, broken, { step: 2, epoch: 0, seed: 0, batchSize: 8 }),
    (e: unknown) => e instanceof CheckpointError && /previous checkpoint is unchanged/.test(e.message),
  );
  const { model: back, state } = await loadCheckpoint(dir, buildModel);
  assert.equal(state.step, 1);
  assert.equal(maxDiff(back.variables(), saved), 0);
  assert.ok(maxDiff(model.variables(), saved) > 0, 'the model had moved on');
  const left = (await import('node:fs')).readdirSync(join(dir, '..'));
  assert.deepEqual(left, ['model'], 'no temp folders left behind');
  assert.ok(existsSync(join(dir, 'encoder', 'model.json')));
  tf.dispose(saved);
  model.dispose();
  (back as unknown as VAE).dispose();
});

test('several updates per step: each its own optimizer, repeat honoured, nextBatch gives fresh batches', async () => {
  await useCpu();
  const a = tf.variable(tf.scalar(0)),
    b = tf.variable(tf.scalar(0));
  const calls: string[] = [];
  const sizes: number[] = [];
  const optA = tf.train.sgd(0.1),
    optB = tf.train.sgd(0.1); // each holds its learning-rate scalar
  const model = {
    variables: () => [a, b],
    updates: (): UpdateSpec[] => [
      {
        name: 'a',
        optimizer: optA,
        variables: () => [a],
        repeat: 3,
        loss: (_batch, ctx) => {
          calls.push(`a${ctx.repeat}`);
          return { loss: tf.square(tf.sub(a, 1)) as tf.Scalar };
        },
      },
      {
        name: 'b',
        optimizer: optB,
        variables: () => [b],
        loss: (batch, ctx) => {
          calls.push('b');
          const other = ctx.nextBatch();
          sizes.push(other.x.shape[0]);
          // pulls b towards the difference of the two batches' means (non-zero: they differ)
          return { loss: tf.square(tf.sub(b, tf.sub(tf.mean(batch.x), tf.mean(other.x)))) as tf.Scalar, terms: { gap: tf.mean(other.x) as tf.Scalar } };
        },
      },
    ],
  };
  const n0 = tf.memory().numTensors;
  const res = await new Trainer({ steps: 2, batchSize: 4, sanityCheck: false }).fit(model, blobs(32));
  assert.deepEqual(calls, ['a0', 'a1', 'a2', 'b', 'a0', 'a1', 'a2', 'b']);
  assert.deepEqual(sizes, [4, 4]);
  assert.ok(Math.abs(a.dataSync()[0] - (1 - 0.8 ** 6)) < 1e-5, 'six SGD steps on a');
  assert.ok('a/loss' in res.history[0].terms && 'b/gap' in res.history[0].terms);
  assert.equal(tf.memory().numTensors, n0, 'batches and extra batches disposed');
  tf.dispose([a, b]);
  optA.dispose();
  optB.dispose();
});
