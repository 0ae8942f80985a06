// The fused Adam update (src/lab/runtime/wasm/adam.ts) on wasm against tfjs's own Adam on the
// cpu backend: variables and both moments after several steps, odd sizes, default and custom
// hyper-parameters, both forms of applyGradients; and the optimizer state it leaves.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM } from '../../../src/lab/runtime/wasm/adam';
import { rand, relErr, setup } from './compare';

before(setup);

interface Run {
  values: Float32Array[];
  iterations: number;
  names: string[];
}

async function steps(backend: string, make: () => tf.Optimizer, n: number, arrayForm = false): Promise<Run> {
  await tf.setBackend(backend);
  const w = tf.tidy(() => tf.variable(rand([7, 5], 3), true, `adam_w_${backend}_${arrayForm}`));
  const b = tf.tidy(() => tf.variable(rand([3], 5), true, `adam_b_${backend}_${arrayForm}`));
  const x = rand([4, 7], 7);
  const opt = make();
  const loss = () => tf.tidy(() => tf.matMul(x, w).sum(1).reshape([2, 2]).sum().add(b.square().sum()).add(w.abs().sum().mul(0.1)) as tf.Scalar);
  for (let i = 0; i < n; i++) {
    if (arrayForm) {
      const { value, grads } = tf.variableGrads(loss, [w, b]);
      value.dispose();
      opt.applyGradients([
        { name: b.name, tensor: grads[b.name] },
        { name: w.name, tensor: grads[w.name] },
      ]);
      tf.dispose(Object.values(grads));
    } else {
      tf.dispose(opt.minimize(loss, true, [w, b]) ?? []);
    }
  }
  const weights = await opt.getWeights();
  const values = [w, b, ...weights.slice(1).map((v) => v.tensor)].map((t) => t.dataSync() as Float32Array);
  weights[0].tensor.dispose(); // the iterations scalar getWeights made
  const run = { values, iterations: opt.iterations, names: weights.map((v) => v.name.replace(`_${backend}_`, '_')) };
  opt.dispose();
  tf.dispose([w, b, x]);
  return run;
}

for (const [what, make] of [
  ['default Adam', () => tf.train.adam(1e-2)],
  ['Adam(0.05, 0.5, 0.9, 1e-3)', () => tf.train.adam(0.05, 0.5, 0.9, 1e-3)],
] as [string, () => tf.Optimizer][]) {
  for (const arrayForm of [false, true]) {
    test(`${what}, ${arrayForm ? 'NamedTensor[]' : 'NamedTensorMap'} gradients: wasm (fused) agrees with cpu over 6 steps`, async () => {
      let before = tf.memory().numTensors;
      const ref = await steps('cpu', make, 6, arrayForm);
      const cpuLeak = tf.memory().numTensors - before;
      before = tf.memory().numTensors;
      const got = await steps('wasm', make, 6, arrayForm);
      assert.equal(tf.memory().numTensors - before, cpuLeak, 'tensors leaked');
      assert.equal(cpuLeak, 0, 'the test itself leaks');
      assert.equal(got.iterations, ref.iterations);
      assert.deepEqual(got.names, ref.names);
      ref.values.forEach((r, i) => {
        const e = relErr(got.values[i], r);
        assert.ok(e <= 1e-4, `${what}: ${ref.names[i] ?? ['w', 'b'][i]} relative error ${e.toExponential(2)}`);
      });
    });
  }
}

test('on wasm, Adam runs the fused kernel (one per variable) instead of 12 elementwise ops', async () => {
  await tf.setBackend('wasm');
  const w = tf.tidy(() => tf.variable(rand([5, 3], 9), true, 'adam_profiled'));
  const opt = tf.train.adam(1e-2);
  const info = await tf.profile(() => tf.dispose(opt.minimize(() => w.square().sum() as tf.Scalar, true, [w]) ?? []));
  assert.ok(info.kernelNames.includes(FUSED_ADAM), `kernels run: ${info.kernelNames.join(', ')}`);
  assert.ok(!info.kernelNames.includes('Sqrt'), "tfjs's own Adam ran too");
  opt.dispose();
  w.dispose();
});
