import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { Rng } from '../../../src/lab/core/random';
import { ProjectionDiscriminator, SpectralNormalized } from '../../../src/lab/nets/spectralNorm';
import { hingeDiscriminatorLoss } from '../../../src/lab/models/conditional';
import { blobs, useCpu } from './helpers';

before(useCpu);

/** max |a - b| (its tensors disposed). */
function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  const t = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/** sigma after `iterations` power iterations on W (rows: [in][out]). */
function sigmaOf(rows: number[][], iterations = 200): number {
  const w = tf.variable(tf.tensor2d(rows), true);
  const sn = new SpectralNormalized(w, new Rng(4));
  sn.powerIterate(iterations);
  const s = sn.sigma();
  const v = s.dataSync()[0];
  tf.dispose([s, w]);
  sn.dispose();
  return v;
}

/**
 * The singular values of W (rows x cols), largest first: a one-sided Jacobi SVD in float64
 * (rotate column pairs until all are orthogonal; the column norms are then the singular values).
 */
function jacobiSingularValues(rows: number[][]): number[] {
  const m = rows.length,
    n = rows[0].length;
  const a = rows.map((r) => r.slice());
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < n - 1; i++)
      for (let j = i + 1; j < n; j++) {
        let alpha = 0,
          beta = 0,
          gamma = 0;
        for (let k = 0; k < m; k++) {
          alpha += a[k][i] ** 2;
          beta += a[k][j] ** 2;
          gamma += a[k][i] * a[k][j];
        }
        // a column already at 0 (rank below n) needs no rotation
        if (alpha < 1e-24 || beta < 1e-24 || Math.abs(gamma) < 1e-15 * Math.sqrt(alpha * beta)) continue;
        off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t),
          s = c * t;
        for (let k = 0; k < m; k++) {
          const x = a[k][i],
            y = a[k][j];
          a[k][i] = c * x - s * y;
          a[k][j] = s * x + c * y;
        }
      }
    if (off < 1e-13) break;
  }
  return Array.from({ length: n }, (_, j) => Math.sqrt(a.reduce((acc, r) => acc + r[j] ** 2, 0))).sort((x, y) => y - x);
}

test('spectral norm: power iteration matches an SVD (one-sided Jacobi, float64) on random small matrices, tall, wide and square', () => {
  const rng = new Rng(11);
  // the SVD itself, on a known answer first: a rotation times diag(3, 1) has singular values 3 and 1
  const [c, s] = [Math.cos(0.7), Math.sin(0.7)];
  const known = jacobiSingularValues([
    [3 * c, -1 * s],
    [3 * s, 1 * c],
  ]);
  assert.ok(Math.abs(known[0] - 3) < 1e-12 && Math.abs(known[1] - 1) < 1e-12, `Jacobi on a known answer: ${known}`);
  for (const [m, n] of [
    [4, 3],
    [3, 6],
    [5, 5],
    [8, 2],
  ]) {
    const w = Array.from({ length: m }, () => Array.from({ length: n }, () => rng.uniform(-1, 1)));
    const svd = jacobiSingularValues(w);
    const sigma = sigmaOf(w, 500);
    assert.ok(Math.abs(sigma - svd[0]) < 1e-4 * svd[0], `${m}x${n}: power iteration ${sigma} vs SVD ${svd[0]} (all: ${svd.map((x) => x.toFixed(4))})`);
  }
});

test('spectral norm: power iteration to convergence gives the largest singular value (closed forms: diagonal, rank 1, 2x2, a symmetric 3x3)', () => {
  // diagonal: max |d|
  assert.ok(
    Math.abs(
      sigmaOf([
        [0.5, 0, 0],
        [0, -3, 0],
        [0, 0, 2],
      ]) - 3,
    ) < 1e-4,
  );
  // rank 1, a b^T: |a| |b|
  const a = [1, 2, -2],
    b = [3, 4];
  assert.ok(Math.abs(sigmaOf(a.map((x) => b.map((y) => x * y))) - 3 * 5) < 1e-3);
  // 2x2: sqrt of the largest eigenvalue of W^T W = [[p, q], [q, r]]: (p + r)/2 + sqrt(((p - r)/2)^2 + q^2)
  const W = [
    [1, 2],
    [3, -1],
  ];
  const p = W[0][0] ** 2 + W[1][0] ** 2,
    r = W[0][1] ** 2 + W[1][1] ** 2,
    q = W[0][0] * W[0][1] + W[1][0] * W[1][1];
  assert.ok(Math.abs(sigmaOf(W) - Math.sqrt((p + r) / 2 + Math.sqrt(((p - r) / 2) ** 2 + q * q))) < 1e-4);
  // symmetric 3x3 [[2,1,0],[1,2,1],[0,1,2]]: eigenvalues 2 - sqrt 2, 2, 2 + sqrt 2, so sigma = 2 + sqrt 2
  assert.ok(
    Math.abs(
      sigmaOf([
        [2, 1, 0],
        [1, 2, 1],
        [0, 1, 2],
      ]) -
        (2 + Math.SQRT2),
    ) < 1e-4,
  );
});

test('spectral norm: W / sigma has spectral norm 1; the persistent u carries over steps; no gradient through u', () => {
  const w = tf.variable(
    tf.tensor2d([
      [1, 2],
      [3, -1],
      [0.5, 0.5],
    ]),
    true,
  );
  const sn = new SpectralNormalized(w, new Rng(1));
  const before = tf.memory().numTensors;
  for (let i = 0; i < 50; i++) tf.dispose(sn.normalized(true));
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks per step');
  const n = sn.normalized(false);
  const check = new SpectralNormalized(tf.variable(n.clone(), false), new Rng(9));
  check.powerIterate(200);
  const s = check.sigma();
  assert.ok(Math.abs(s.dataSync()[0] - 1) < 1e-4, `sigma(W / sigma) = ${s.dataSync()[0]}`);
  // d sigma / d W = u^T v... as a function of W alone: for the converged u, v, grad = v^T u (outer product)
  const g = tf.grad(() => sn.sigma())(w as unknown as tf.Tensor);
  const outer = tf.matMul(sn.v, sn.u, true, false);
  assert.ok(maxAbs(g, outer) < 1e-5);
  tf.dispose([n, s, g, outer, check.w, w]);
  check.dispose();
  sn.dispose();
});

test('projection discriminator: D(x, y) = psi(phi(x)) + <embed(y), phi(x)>; the label moves the score; trainable and leak-free', () => {
  const D = new ProjectionDiscriminator({ inputShape: [4, 4, 1], hidden: [8, 6], classes: 3, seed: 2 });
  const x = tf.randomUniform([5, 4, 4, 1], 0, 1, 'float32', 3);
  const y = tf.tensor1d([0, 1, 2, 0, 1], 'int32');
  tf.dispose(D.score(x, y, false)); // first use of each kernel
  const before = tf.memory().numTensors;
  const s = D.score(x, y, false);
  assert.deepEqual(s.shape, [5, 1]);
  // by hand from the parts, with the same normalized weights
  const manual = tf.tidy(() => {
    const phi = D.features(x, false);
    const psi = D.psi.normalized(false),
      E = D.embed.normalized(false);
    return tf.add(tf.matMul(phi, psi), tf.sum(tf.mul(tf.gather(tf.transpose(E), y), phi), 1, true));
  });
  assert.ok(maxAbs(s, manual) < 1e-6);
  const other = D.score(x, tf.tensor1d([1, 2, 0, 1, 2], 'int32'), false);
  assert.ok(maxAbs(s, other) > 1e-4, 'a different label gives a different score');
  tf.dispose([s, manual, other]);
  assert.equal(tf.memory().numTensors, before + 1, 'only the label tensor made inside the call remains');
  // steps on the trainable variables (through W / sigma) raise the mean score of real images
  const opt = tf.train.adam(1e-2);
  const meanScore = () => tf.tidy(() => tf.mean(D.score(x, y, false)).dataSync()[0]);
  const s0 = meanScore();
  for (let i = 0; i < 5; i++) opt.minimize(() => tf.neg(tf.mean(D.score(x, y, true))) as tf.Scalar, false, D.trainableVariables());
  const s1 = meanScore();
  assert.ok(s1 > s0 + 1e-3, `mean score ${s0} -> ${s1}`);
  assert.equal(D.trainableVariables().length, 2 * 2 + 2);
  tf.dispose([x, y]);
  opt.dispose();
  D.dispose();
});

test('projection discriminator: trained with the hinge loss it tells an image with its own label from the same image with a wrong one', async () => {
  // The same images as real (with their labels) and as fake (with the next class's label): only
  // the projection term <embed(y), phi(x)> can separate them, so D's loss falls from 2 (D = 0
  // everywhere) only if the label reaches the score and D's update trains its variables.
  const data = blobs(64, 3);
  const b = data.batch(Int32Array.from({ length: 64 }, (_, i) => i));
  const y = tf.cast(b.y!, 'int32') as tf.Tensor1D;
  const wrong = tf.tidy(() => tf.mod(tf.add(y, 1), 4)) as tf.Tensor1D;
  const D = new ProjectionDiscriminator({ inputShape: [8, 8, 1], hidden: [16], classes: 4, seed: 5 });
  const opt = tf.train.adam(5e-3, 0.5, 0.999);
  const lossOf = (training: boolean) =>
    tf.tidy(() => {
      const s = D.score(tf.concat([b.x, b.x]), tf.concat([y, wrong]) as tf.Tensor1D, training);
      const [real, fake] = tf.split(s, 2);
      // hinge with the two kinds of fakes of the GAN variants taken as one
      return hingeDiscriminatorLoss(real, fake, fake);
    });
  const l0 = await readScalar(lossOf(false));
  for (let i = 0; i < 150; i++) {
    const { value, grads } = tf.variableGrads(() => lossOf(true), D.trainableVariables());
    opt.applyGradients(grads as tf.NamedTensorMap as never);
    tf.dispose([value, ...Object.values(grads)]);
  }
  const l1 = await readScalar(lossOf(false));
  assert.ok(l0 > 1.5, `D starts near 0 everywhere: loss ${l0}`);
  assert.ok(l1 < 1, `the label separates real from fake: loss ${l0} -> ${l1}`);
  tf.dispose([b.x, b.y!, y, wrong]);
  opt.dispose();
  D.dispose();
});

async function readScalar(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}
