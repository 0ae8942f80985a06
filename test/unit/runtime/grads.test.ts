// grads.ts: Add, Sub, Multiply and RealDiv gradients without the Cast / Reshape dispatches on
// wasm, and Relu's and LeakyRelu's as one kernel, against tfjs's own on the cpu backend: same shapes, broadcasts on either side, scalars,
// a gradient of a gradient (tfjs's own then), and the kernels that ran.
import { afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { agree, rand, run as on, setup } from './compare';
import { setNativeOps } from '../../../src/lab/runtime/wasm/elementwise';

before(setup);
afterEach(() => delete process.env.VAE_LAB_LEAN_GRADS);

const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ['add', tf.add],
  ['sub', tf.sub],
  ['mul', tf.mul],
  ['div', (a, b) => tf.div(a, b.abs().add(0.5))], // a denominator away from 0
];
const shapes: [number[], number[]][] = [
  [
    [4, 5],
    [4, 5],
  ],
  [
    [3, 1],
    [1, 4],
  ],
  [[2, 3], [3]],
  [[5], []],
  [[], [2, 2]],
  [[1], [1]],
];

for (const [name, op] of ops) {
  test(`${name}: both gradients agree with tfjs on cpu, same shapes and broadcast`, async () => {
    for (const [sa, sb] of shapes) {
      await agree(`${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, () => {
        const [a, b] = [rand(sa, 3), rand(sb, 5)];
        const r = rand(tf.broadcast_util.assertAndGetBroadcastShape(sa, sb), 7);
        // the result is multiplied by r so that dy is not all ones
        const [da, db] = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a, b).mul(r).sum())([a, b]);
        return [op(a, b), da, db];
      });
    }
  });
}

test('second order through add, sub, mul and div agrees with cpu (tfjs gradients while recorded)', async () => {
  await agree('second order', () => {
    const f = (x: tf.Tensor) =>
      x
        .mul(x)
        .add(x.div(x.abs().add(1)))
        .sub(x.mul(3))
        .sum() as tf.Scalar;
    const g = (x: tf.Tensor) => tf.grad(f)(x).mul(x).sum() as tf.Scalar;
    return [tf.grad(g)(rand([3, 4], 9))];
  });
});

test('no Cast and no same-shape Reshape in their gradients on wasm; VAE_LAB_LEAN_GRADS=0 restores them', async () => {
  await tf.setBackend('wasm');
  const [a, b] = [rand([4, 5], 1), rand([4, 5], 2)];
  const f = (a: tf.Tensor, b: tf.Tensor) => a.mul(b).add(a).sub(b).div(b.square().add(1)).sum();
  const names = async () => (await tf.profile(() => tf.dispose(tf.grads(f)([a, b])))).kernels.map((k) => k.name);
  const lean = await names();
  const count = (ks: string[], k: string) => ks.filter((n) => n === k).length;
  // one Reshape is Sum's own gradient (dy to [1, 1]); Square's casts
  assert.ok(count(lean, 'Reshape') === 1 && count(lean, 'Cast') === 1, `kernels: ${lean.join(', ')}`);
  process.env.VAE_LAB_LEAN_GRADS = '0';
  const stock = await names();
  assert.ok(count(stock, 'Reshape') > 1 && count(stock, 'Cast') > 1, `VAE_LAB_LEAN_GRADS=0: ${stock.join(', ')}`);
  assert.ok(lean.length < stock.length);
  tf.dispose([a, b]);
});

test('no tensors leak, and a shared gradient outlives dy', async () => {
  await tf.setBackend('wasm');
  const [a, b] = [rand([3, 3], 4), rand([3, 3], 6)];
  const step = () => tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => a.add(b).mul(a).sum())([a, b]));
  step();
  const tensors = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  for (let i = 0; i < 3; i++) step();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.engine().backend.numDataIds(), buffers);
  // d(a + b)/db is dy's bytes shared: it must keep them after the backward frees dy
  const [, db] = tf.grads((a: tf.Tensor, b: tf.Tensor) => a.add(b).mul(2).sum())([a, b]);
  assert.deepEqual(Array.from(db.dataSync()), new Array(9).fill(2));
  tf.dispose([a, b, db]);
});

test('relu forward, and relu and leaky relu gradients, float for float as tfjs on cpu, NaN, -0, 0 and infinities included, one thread and two', async () => {
  const special = [-2, -0, 0, 1e-30, -1e-30, 3, NaN, Infinity, -Infinity, 0.5];
  const dySpecial = [1.5, -1.5, -3, 2, NaN, Infinity, -Infinity, 0, -0, 7];
  for (const n of [special.length, 200_000]) {
    const xs = Float32Array.from({ length: n }, (_, i) => (i < special.length ? special[i] : Math.sin(i) * 5));
    const ds = Float32Array.from({ length: n }, (_, i) => (i < dySpecial.length ? dySpecial[i] : Math.cos(i * 3)));
    for (const [name, act] of [
      ['relu', (x: tf.Tensor) => tf.relu(x)],
      ['leakyRelu 0.2', (x: tf.Tensor) => tf.leakyRelu(x, 0.2)],
    ] as const) {
      const f = () => {
        const x = tf.tensor1d(xs);
        return [act(x), tf.grad(act)(x, tf.tensor1d(ds))];
      };
      const want = await on('cpu', f);
      // on the addon, and on the kernel's own loop where the addon's ops are off
      for (const native of [true, false]) {
        setNativeOps(native);
        const got = await on('wasm', f);
        setNativeOps(true);
        // the forward pass of leaky relu is tfjs-backend-wasm's own (an ulp off the cpu backend's)
        for (let k = name === 'relu' ? 0 : 1; k < 2; k++)
          for (let i = 0; i < n; i++)
            if (!Object.is(got[k][i], want[k][i]))
              assert.fail(`${name} n ${n} native ${native} output ${k} at ${i} (x ${xs[i]}, dy ${ds[i]}): wasm ${got[k][i]}, cpu ${want[k][i]}`);
      }
    }
  }
});

test('relu and leaky relu gradients run as one kernel each on wasm (no Step, Cast, Greater, Select); VAE_LAB_LEAN_GRADS=0 restores tfjs', async () => {
  await tf.setBackend('wasm');
  const x = rand([64, 100], 3);
  const names = async (act: (x: tf.Tensor) => tf.Tensor) =>
    (await tf.profile(() => tf.dispose(tf.grad((x: tf.Tensor) => act(x).sum())(x)))).kernels.map((k) => k.name);
  const relu = await names((x) => tf.relu(x));
  const leaky = await names((x) => tf.leakyRelu(x, 0.2));
  for (const [what, ks, gone] of [
    ['relu', relu, ['Step', 'Cast']],
    ['leakyRelu', leaky, ['Greater', 'Select']],
  ] as const) {
    assert.ok(ks.includes('VaeLabMaskGrad'), `${what}: ${ks.join(', ')}`);
    for (const k of gone) assert.ok(!ks.includes(k), `${what} still runs ${k}: ${ks.join(', ')}`);
  }
  process.env.VAE_LAB_LEAN_GRADS = '0';
  const stock = await names((x) => tf.relu(x));
  assert.ok(stock.includes('Step') && !stock.includes('VaeLabMaskGrad'), `VAE_LAB_LEAN_GRADS=0: ${stock.join(', ')}`);
  x.dispose();
});
