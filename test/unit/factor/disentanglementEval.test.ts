import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { DSprites } from '../../../src/lab/data/dsprites';
import type { LatentModel } from '../../../src/lab/models/types';
import { initRuntime } from '../../../src/lab/runtime';
import { evaluateDisentanglement, reconstructionError } from '../../../src/lab/metrics/disentanglementEval';

before(async () => {
  await initRuntime('wasm', { threads: 1 });
});

/** A hand-built encoder: z = (pixel count, centroid column, centroid row); decoder: constant p. */
function centroidModel(p: number): LatentModel {
  const [col, row] = tf.tidy(() => [
    tf.tile(tf.range(0, 64).reshape([1, 1, 64, 1]), [1, 64, 1, 1]),
    tf.tile(tf.range(0, 64).reshape([1, 64, 1, 1]), [1, 1, 64, 1]),
  ]);
  return {
    latentDim: 3,
    inputShape: [64, 64, 1],
    encode: (x) =>
      tf.tidy(() => {
        const m = tf.add(tf.sum(x, [1, 2, 3]), 1e-3);
        const cx = tf.div(tf.sum(tf.mul(x, col), [1, 2, 3]), m),
          cy = tf.div(tf.sum(tf.mul(x, row), [1, 2, 3]), m);
        const mean = tf.stack([tf.div(m, 100), tf.div(cx, 10), tf.div(cy, 10)], 1) as tf.Tensor2D;
        return { mean, logVar: tf.fill(mean.shape, -4) as tf.Tensor2D };
      }),
    decode: (z) => tf.fill([z.shape[0], 64, 64, 1], p) as tf.Tensor4D,
  };
}

test('reconstructionError: a constant decoder p gives -sum [x log p + (1-x) log(1-p)] exactly', async () => {
  const m = centroidModel(0.2);
  const x = tf.tensor4d(
    Float32Array.from({ length: 2 * 4096 }, (_, i) => (i % 7 === 0 ? 1 : 0)),
    [2, 64, 64, 1],
  );
  const ones = x.sum().dataSync()[0] / 2;
  const want = -(ones * Math.log(0.2) + (4096 - ones) * Math.log(0.8));
  assert.ok(Math.abs((await reconstructionError(m, x)) - want) < 1e-2 * want);
  x.dispose();
});

test('evaluateDisentanglement: a centroid encoder (scale, x, y but not shape/orientation) scores between chance and 1', async () => {
  const before = tf.memory().numTensors;
  const small = { numTrain: 100, numEval: 100, batchSize: 16 };
  const r = await evaluateDisentanglement(centroidModel(0.5), new DSprites({ cacheSize: 64 }), {
    seed: 3,
    evalImages: 200,
    factorVae: { ...small, numVarianceEstimate: 500 },
    betaVae: { ...small, numEval: 60, iterations: 200 },
  });
  assert.ok(tf.memory().numTensors <= before + 2, 'only the model constants remain');
  assert.ok(r.factorVae > 0.45 && r.factorVae < 0.9, `factorVae ${r.factorVae}`);
  assert.ok(r.betaVae > 0.45 && r.betaVae < 0.95, `betaVae ${r.betaVae}`);
  assert.ok(Math.abs(r.recon - 4096 * Math.log(2)) < 1, 'recon of p = 0.5 is 4096 log 2');
  assert.equal(r.klPerDim.length, 3);
  assert.equal(r.activeDims, 3);
  assert.ok(Number.isFinite(r.tcGaussianMeans) && r.tcGaussianMeans > 0, 'scale, x and y codes of dSprites are nearly independent but not exactly');
  assert.equal(r.tcDiscriminator, undefined, 'no discriminator, no discriminator estimate');
});
