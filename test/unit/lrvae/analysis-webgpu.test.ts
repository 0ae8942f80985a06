// The label-relevant analysis (swap agreement, active z_u dimensions, traversal, inpainting
// scores) on webgpu, which cannot read synchronously in Node: each number must come out as on
// the cpu backend. Skipped where no WebGPU adapter can be created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { LabelRelevantVAE } from '../../../src/lab/models/lrVae';
import { experiments } from '../../../src/lab';
import type { ProbabilisticClassifier } from '../../../src/lab/metrics/inception';
import { webgpuOrSkip } from '../runtime/webgpu-compare';

const { labelRelevant } = experiments;

/** Everything the analysis reads off one small model, on the current backend. */
async function analyse(model: LabelRelevantVAE, clf: ProbabilisticClassifier, x: tf.Tensor4D, y: number[]) {
  const rows = tf.slice(x, [0], [3]) as tf.Tensor4D,
    cols = tf.slice(x, [3], [3]) as tf.Tensor4D,
    two = tf.slice(x, [0], [2]) as tf.Tensor4D;
  const mask = labelRelevant.halfMask(x.shape[0], 8, 8, 'right');
  const out = model.inpaint(x, mask);
  try {
    const dims = await labelRelevant.activeUDims(model, x, 2);
    return {
      swap: await labelRelevant.swapAgreement(model, clf, rows, y.slice(0, 3), cols, y.slice(3, 6)),
      dims,
      traversal: await labelRelevant.traversalKeep(model, clf, two, y, dims, [-2, 0, 2]),
      inpaint: await labelRelevant.inpaintScores(clf, x, y, out, mask),
    };
  } finally {
    tf.dispose([rows, cols, two, mask, out]);
  }
}

test('the label-relevant analysis reads its numbers on webgpu as on cpu', async (t) => {
  await tf.setBackend('cpu');
  const model = new LabelRelevantVAE({
    kind: 'lr-vae',
    inputShape: [8, 8, 1],
    classes: 4,
    zs: 2,
    zu: 3,
    net: { kind: 'mlp', hidden: [16] },
    adversaryHidden: [8],
    seed: 3,
  });
  // A fixed linear classifier over the pixels: class = argmax of x W.
  const w = tf.variable(tf.randomNormal([64, 4], 0, 1, 'float32', 7));
  const clf: ProbabilisticClassifier = { predict: (x) => tf.tidy(() => tf.softmax(tf.matMul(tf.reshape(x, [x.shape[0], 64]), w)) as tf.Tensor2D) };
  const x = tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const y = [0, 1, 2, 3, 1, 2, 3, 0];
  const n0 = tf.memory().numTensors;
  const onCpu = await analyse(model, clf, x, y);
  assert.equal(tf.memory().numTensors, n0, 'tensors leaked on cpu');
  if (!(await webgpuOrSkip(t))) return;
  const before = tf.memory().numTensors;
  const onGpu = await analyse(model, clf, x, y);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked on webgpu');
  assert.deepEqual(onGpu.dims, onCpu.dims);
  assert.deepEqual(onGpu.swap, onCpu.swap);
  assert.equal(onGpu.traversal.kept, onCpu.traversal.kept);
  assert.equal(onGpu.traversal.frames, onCpu.traversal.frames);
  assert.ok(Math.abs(onGpu.traversal.change - onCpu.traversal.change) < 1e-5, `${onGpu.traversal.change} vs ${onCpu.traversal.change}`);
  assert.equal(onGpu.inpaint.accuracy, onCpu.inpaint.accuracy);
  assert.ok(Math.abs(onGpu.inpaint.maskError - onCpu.inpaint.maskError) < 1e-5, `${onGpu.inpaint.maskError} vs ${onCpu.inpaint.maskError}`);
  assert.ok(onCpu.traversal.change > 0, 'the traversal changes the decode: the comparison is not of zeros');
});
