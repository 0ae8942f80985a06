// npm run bench -- native-split: does a product gain from the native GEMM's second thread? The
// MLP VAE step's products at batch 64 (test/bench/nets.ts mlpNet: 784-512-100 | 50-512-784),
// with the operands laid out as tfjs hands them over (dW = x^T dy reads A transposed, dX = dy W^T
// reads B transposed), plus a few smaller ones, each timed on one thread and split over two
// (configure(2, 0): split whatever the size), alternating within each round, BENCH_ROUNDS rounds
// (default 15). Prints per shape the median time of each and the median of the rounds' ratios
// (two threads / one; below 1 the split gains), which loaders.ts's NATIVE_MIN_MACS is chosen from.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NativeGemm } from '../../src/lab/runtime/native-gemm';

const addon = join(__dirname, '../../native/build/Release/vae_lab_gemm.node');

/** [name, m, k, n, A transposed, B transposed]. */
const SHAPES: [string, number, number, number, boolean, boolean][] = [
  ['enc1 fwd', 64, 784, 512, false, false],
  ['enc1 dW', 784, 64, 512, true, false],
  ['enc2 fwd', 64, 512, 100, false, false],
  ['enc2 dW', 512, 64, 100, true, false],
  ['enc2 dX', 64, 100, 512, false, true],
  ['dec1 fwd', 64, 50, 512, false, false],
  ['dec1 dW', 50, 64, 512, true, false],
  ['dec1 dX', 64, 512, 50, false, true],
  ['dec2 fwd', 64, 512, 784, false, false],
  ['dec2 dW', 512, 64, 784, true, false],
  ['dec2 dX', 64, 784, 512, false, true],
  ['small', 64, 64, 64, false, false],
  ['small', 64, 128, 128, false, false],
  ['small', 64, 256, 256, false, false],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  if (!existsSync(addon)) {
    console.log('native-split: skipped, the addon is not built (npm run build:native)');
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const g = require(addon) as NativeGemm;
  const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
  console.log(`# native ${g.isa()} GEMM, one thread vs split over two, ${rounds} alternating rounds, load ${loadavg()[0].toFixed(1)}`);
  for (const [name, m, k, n, ta, tb] of SHAPES) {
    const heap = new ArrayBuffer(4 * (m * k + k * n + m * n));
    const f = new Float32Array(heap);
    for (let i = 0; i < f.length; i++) f[i] = Math.sin(i);
    // A [m, k] stored as [k, m] when transposed (element (i, p) at p m + i), B likewise.
    const [ars, acs] = ta ? [1, m] : [k, 1];
    const [brs, bcs] = tb ? [1, k] : [n, 1];
    const call = () => g.gemm(heap, 0, ars, acs, m * k, brs, bcs, m * k + k * n, n, m, k, n);
    const reps = Math.max(1, Math.round(2e7 / (m * k * n)));
    const time = (threads: number) => {
      g.configure(threads, 0);
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) call();
      return (performance.now() - t0) / reps;
    };
    time(1);
    time(2);
    const one: number[] = [];
    const two: number[] = [];
    const ratio: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // one then two, then two then one: neither setting always runs first in a round.
      let a: number, b: number;
      if (r % 2) {
        b = time(2);
        a = time(1);
      } else {
        a = time(1);
        b = time(2);
      }
      one.push(a);
      two.push(b);
      ratio.push(b / a);
    }
    const macs = m * k * n;
    console.log(
      `native_split_${m}x${k}x${n}${ta ? '_ta' : ''}${tb ? '_tb' : ''}: ${median(ratio).toFixed(2)} ` +
        `(${name}, 2^${Math.log2(macs).toFixed(1)} multiply-adds; one thread ${(1000 * median(one)).toFixed(0)} us, two ${(1000 * median(two)).toFixed(0)} us)`,
    );
  }
  console.log(`# load ${loadavg()[0].toFixed(1)}`);
}

main();
