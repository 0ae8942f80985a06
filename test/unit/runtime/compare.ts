// Runs the same computation on the cpu backend (the reference) and on wasm with the lab's
// kernels, and compares results with a relative error ||a - b||_inf / max(||b||_inf, 1e-3).
// The floor matters for gradients that are zero in exact arithmetic (a conv bias followed by
// batch-norm): both backends then return float32 rounding noise (~1e-8) that no relative
// measure can compare; below 1e-3 the check becomes absolute (1e-7).
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initRuntime } from '../../../src/lab/runtime';

export async function setup(): Promise<void> {
  await initRuntime('wasm');
}

/** Deterministic data in [-1, 1) (a 32-bit LCG), so both backends see the same numbers. */
export function data(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export function rand(shape: number[], seed = 1): tf.Tensor {
  return tf.tensor(
    data(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/** f's outputs on a backend, as float arrays. */
export async function run(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(f);
  const vals = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return vals;
}

export function relErr(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length, 'different sizes');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-3);
}

/**
 * f returns [forward, ...gradients]; each must agree within `tol` between wasm and cpu.
 * `reference` replaces f on the cpu backend where cpu's own kernel is wrong.
 */
export async function agree(what: string, f: () => tf.Tensor[], tol = 1e-4, reference = f): Promise<void> {
  const ref = await run('cpu', reference);
  const got = await run('wasm', f);
  ref.forEach((r, i) => {
    const e = relErr(got[i], r);
    assert.ok(e <= tol, `${what}: output ${i} relative error ${e.toExponential(2)} > ${tol}`);
  });
}

/**
 * matMul(rand(aShape, 3), rand(bShape, 5)) with both operands broadcast to the full batch first
 * (broadcastTo, then a same-batch product): the reference where both sides broadcast, since the
 * cpu kernel reads batch entry i of each side as i modulo its size, and so for [2,1] against
 * [1,3] computes max(2, 3) products for six entries.
 */
export function broadcastFirst(aShape: number[], bShape: number[], ta: boolean, tb: boolean) {
  return () => {
    const full = tf.backend_util.assertAndGetBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
    const a = tf.broadcastTo(rand(aShape, 3), [...full, ...aShape.slice(-2)]);
    const b = tf.broadcastTo(rand(bShape, 5), [...full, ...bShape.slice(-2)]);
    return [tf.matMul(a, b, ta, tb)];
  };
}
