import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/lab/core/random';
import { gaussianTc } from '../../../src/lab/metrics/totalCorrelation';

/** n draws of z = A e, e ~ N(0, I_D) (flat [n*D]), with a Box-Muller normal from `rng`. */
function draws(A: number[][], n: number, rng: Rng): Float64Array {
  const D = A.length;
  const out = new Float64Array(n * D);
  const e = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) e[d] = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) out[i * D + a] += A[a][b] * e[b];
  }
  return out;
}
const identity = (D: number) => Array.from({ length: D }, (_, a) => Array.from({ length: D }, (_, b) => (a === b ? 1 : 0)));

test('gaussianTc: independent codes give about 0, whatever their scales (D 10, n 4000)', () => {
  const A = identity(10).map((row, d) => row.map((v) => v * (0.1 + d)));
  const tc = gaussianTc(draws(A, 4000, new Rng(1)), 4000);
  // Sampling bias of -1/2 log det of a sample correlation matrix is about D(D-1)/(4n) = 0.006.
  assert.ok(tc >= 0 && tc < 0.03, `independent: ${tc}`);
});

test('gaussianTc: a 2-D Gaussian with correlation rho gives -1/2 log(1 - rho^2)', () => {
  for (const rho of [0.3, 0.8, 0.95]) {
    const A = [
      [1, 0],
      [rho, Math.sqrt(1 - rho * rho)],
    ];
    const tc = gaussianTc(draws(A, 20000, new Rng(2)), 20000);
    const want = -0.5 * Math.log(1 - rho * rho);
    assert.ok(Math.abs(tc - want) < 0.02 + 0.03 * want, `rho ${rho}: ${tc} vs ${want}`);
  }
});

test('gaussianTc: a 3-D Gaussian gives 1/2 sum log S_dd - 1/2 log det S, and exact duplicates are finite but large', () => {
  const A = [
    [1, 0, 0],
    [0.5, 2, 0],
    [-1, 0.7, 0.5],
  ];
  const S = A.map((r) => A.map((q) => r.reduce((s, v, k) => s + v * q[k], 0)));
  const det =
    S[0][0] * (S[1][1] * S[2][2] - S[1][2] * S[2][1]) - S[0][1] * (S[1][0] * S[2][2] - S[1][2] * S[2][0]) + S[0][2] * (S[1][0] * S[2][1] - S[1][1] * S[2][0]);
  const want = 0.5 * (Math.log(S[0][0]) + Math.log(S[1][1]) + Math.log(S[2][2])) - 0.5 * Math.log(det);
  const tc = gaussianTc(draws(A, 20000, new Rng(3)), 20000);
  assert.ok(Math.abs(tc - want) < 0.03 + 0.03 * want, `${tc} vs ${want}`);
  const dup = draws(identity(2), 500, new Rng(4)).map((v, i, a) => (i % 2 === 1 ? a[i - 1] : v));
  const t = gaussianTc(dup, 500);
  assert.ok(Number.isFinite(t) && t > 5, `duplicated dim: ${t}`);
});

test('gaussianTc: constant dims are dropped rather than making the matrix singular; bad shapes are refused', () => {
  const rng = new Rng(5);
  const codes = Float64Array.from({ length: 3000 }, (_, i) => (i % 3 === 2 ? 0.7 : rng.uniform(-1, 1)));
  const tc = gaussianTc(codes, 1000);
  assert.ok(tc >= 0 && tc < 0.02, `${tc}`);
  assert.throws(() => gaussianTc(new Float64Array(10), 3), /n = 3/);
});
