// The lab's own training loop and scores on tfjs-backend-webgpu (Dawn; in CI Mesa's llvmpipe):
// a few Trainer steps of a tiny MLP VAE on blob images, then `evaluate` (NLL, MI, AU), each
// against the same run on the cpu backend from the same initial weights. WebGPU cannot read a
// tensor synchronously in Node, so this fails wherever the trainer or a score reads with
// dataSync/arraySync. The shapes stay tiny: the software adapter is slow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { VAE } from '../../../src/lab/models/vae';
import { Trainer } from '../../../src/lab/train/trainer';
import { evaluate, type EvalResult } from '../../../src/lab/metrics/evaluate';
import { blobs, tinyVae } from '../lab/helpers';
import { webgpuOrSkip } from './webgpu-compare';

const STEPS = 6;

interface Run {
  losses: number[];
  kls: number[];
  scores: EvalResult;
  /** Live tensors after the model was disposed, minus before the run. */
  leaked: number;
}

/** Trains from `init` (the cpu model's initial weights) on `backend` and scores the result. */
async function trainAndScore(backend: string, init?: Float32Array[]): Promise<{ run: Run; init: Float32Array[] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const model = new VAE(tinyVae('vae', { learningRate: 3e-2 }));
  const vars = model.variables();
  if (init) vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(init[i], v.shape))));
  const start = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
  const data = blobs(64);
  const fit = await new Trainer({ epochs: 2, steps: STEPS, batchSize: 16, binarize: true, seed: 3 }).fit(model, data);
  const scores = await evaluate(model, data, { K: 8, examples: 24, M: 24, seed: 1 });
  model.dispose();
  const run = {
    losses: fit.history.map((h) => h.terms.loss),
    kls: fit.history.map((h) => h.terms.kl),
    scores,
    leaked: tf.memory().numTensors - before,
  };
  return { run, init: start };
}

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

test('Trainer steps and evaluate on webgpu match the cpu backend from the same weights', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const cpu = await trainAndScore('cpu');
  const gpu = await trainAndScore('webgpu', cpu.init);
  const [c, g] = [cpu.run, gpu.run];
  assert.equal(g.losses.length, STEPS);
  assert.ok(
    c.losses[STEPS - 1] < c.losses[0],
    `the reference run learns: loss ${c.losses[0].toFixed(2)} -> ${c.losses[STEPS - 1].toFixed(2)} (otherwise the comparison says little)`,
  );
  c.losses.forEach((l, i) => assert.ok(close(g.losses[i], l, 1e-3), `step ${i + 1}: loss ${g.losses[i]} on webgpu, ${l} on cpu`));
  c.kls.forEach((l, i) => assert.ok(close(g.kls[i], l, 1e-3), `step ${i + 1}: kl ${g.kls[i]} on webgpu, ${l} on cpu`));
  for (const k of ['nll', 'nllSe', 'mi'] as const) assert.ok(close(g.scores[k], c.scores[k], 1e-3), `${k}: ${g.scores[k]} on webgpu, ${c.scores[k]} on cpu`);
  assert.equal(g.scores.au, c.scores.au, 'active units');
  assert.equal(g.leaked, 0, 'tensors left on webgpu after training, scoring and disposing the model');
  assert.equal(c.leaked, 0, 'tensors left on cpu');
});

test('the NaN guard sees a non-finite gradient on webgpu, with more variables than one shader can bind', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const { NonFiniteLossError } = await import('../../../src/lab/train/errors');
  await tf.setBackend('webgpu');
  // 12 variables: the gradient norm sums 12 squared norms. d sqrt(|w|) / dw at w = 0 is not finite,
  // while the loss itself (0 + mean x) is.
  const vars = Array.from({ length: 12 }, (_, i) => tf.variable(tf.zeros([3]), true, `guard_w${i}`));
  const optimizer = tf.train.sgd(0.1);
  const model = {
    updates: () =>
      [
        {
          name: 'guard',
          optimizer,
          variables: () => vars,
          loss: (b: { x: tf.Tensor }) => vars.reduce((acc, v) => tf.add(acc, tf.sum(tf.sqrt(tf.abs(v)))), tf.mean(b.x)) as tf.Scalar,
        },
      ].map((u) => ({ ...u, loss: (b: { x: tf.Tensor }) => ({ loss: u.loss(b) }) })),
    variables: () => vars,
  };
  await assert.rejects(
    new Trainer({ steps: 1, batchSize: 16, sanityCheck: false }).fit(model, blobs(16)),
    (e: unknown) => e instanceof NonFiniteLossError && e.term === 'gradient',
  );
  tf.dispose(vars);
  optimizer.dispose();
});

test('vae-lab train --backend webgpu: a CR-VAE trains on a tiny IDX folder, writes its checkpoint and metrics', async (t) => {
  if (!(await webgpuOrSkip(t))) return;
  const { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { main } = await import('../../../src/cli/lab');
  const { encodeIdx } = await import('../../../src/lab/data/idx');
  const { presets } = await import('../../../src/lab/experiments/cr-vae/presets');
  const dir = mkdtempSync(join(tmpdir(), 'cli-webgpu-'));
  const data = join(dir, 'data');
  const set = blobs(48);
  mkdirSync(data);
  writeFileSync(join(data, 'train-images-idx3-ubyte'), encodeIdx([48, 8, 8], set.images));
  writeFileSync(join(data, 't10k-images-idx3-ubyte'), encodeIdx([16, 8, 8], set.images.subarray(0, 16 * 64)));
  presets.tinygpu = { ...presets.quick, net: { kind: 'mlp', hidden: [8] }, latentDim: 2, batchSize: 16, epochs: 1, trainExamples: 48, evalExamples: 16, K: 4 };
  const errors: string[] = [];
  const [origErr, origLog] = [console.error, console.log];
  console.error = (...a: unknown[]) => void errors.push(a.join(' '));
  console.log = () => {};
  const out = join(dir, 'run');
  try {
    const code = await main(['train', '--model', 'vae', '--cr', '--dataset', data, '--preset', 'tinygpu', '--backend', 'webgpu', '--out', out]);
    assert.equal(code, 0, errors.join('\n'));
  } finally {
    console.error = origErr;
    console.log = origLog;
    delete presets.tinygpu;
  }
  const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.equal(m.backend, 'webgpu');
  for (const part of ['test', 'tTest']) for (const k of ['nll', 'mi']) assert.ok(Number.isFinite(m[part][k]), `${part}.${k} = ${m[part][k]}`);
  assert.ok(m.test.nll > 0 && m.test.au <= 2);
  assert.ok(existsSync(join(out, 'model', 'encoder', 'model.json')), 'the checkpoint');
  const state = JSON.parse(readFileSync(join(out, 'model', 'trainer.json'), 'utf8'));
  assert.equal(state.step, 3, 'one epoch of 48 images in batches of 16');
});
