/**
 * Where a 1024^2 product's time goes between tf.matMul and the native GEMM:
 * node --import tsx test/bench/matmul-path.ts (BENCH_ROUNDS=15, MATMUL_N=1024).
 * Each way of calling the same product is timed in turn, round by round (a shared host's speed
 * drifts), on one native thread and two:
 *   addon, own buffer   the addon on a plain ArrayBuffer, outside tfjs
 *   addon, wasm heap    the addon on the tensors' bytes in the wasm heap, into one output
 *   runKernel           the lab's BatchMatMul through the engine (output allocated each time)
 *   tf.matMul           the op (engine, kernel, tidy: what the bench times)
 *   + dataSync          the op and reading the result back to JS
 * with the minor page faults of each (process.resourceUsage()). Found here: the first four agree
 * within a few percent, and the read-back doubles the time: not the copy (4 MB, ~0.3 ms) but the
 * fresh JS buffer it lands in, 1024 first-touch page faults at ~14 us each on this VM.
 */
import * as tf from '@tensorflow/tfjs';
import { initRuntime } from '../../src/lab/runtime';
import { nativeGemmInUse } from '../../src/lab/runtime/wasm/matmul';
import { memoryOf, ptr } from '../../src/lab/runtime/wasm/simd';
import type { WasmBackend } from '../../src/lab/runtime/wasm/heap';
import { NATIVE_MIN_MACS } from '../../src/lab/runtime/loaders';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  await initRuntime('wasm', { threads: 2 });
  const nat = nativeGemmInUse();
  if (!nat) throw new Error('native GEMM not loaded: npm run build:native');
  const n = Number(process.env.MATMUL_N ?? 1024);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
  const backend = tf.backend() as unknown as WasmBackend;
  const [a, b] = tf.tidy(() => [tf.randomNormal([n, n]), tf.randomNormal([n, n])]);
  const c = tf.zeros([n, n]);
  const own = new ArrayBuffer(3 * 4 * n * n);
  new Float32Array(own).set(a.dataSync());
  new Float32Array(own).set(b.dataSync(), n * n);
  const ways: [string, () => void][] = [
    ['addon, own buffer', () => nat.gemm(own, 0, n, 1, n * n, n, 1, 2 * n * n, n, n, n, n)],
    [
      'addon, wasm heap',
      () => nat.gemm(memoryOf(backend).buffer as ArrayBuffer, ptr(backend, a) / 4, n, 1, ptr(backend, b) / 4, n, 1, ptr(backend, c) / 4, n, n, n, n),
    ],
    ['runKernel', () => tf.dispose(tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }) as tf.Tensor)],
    ['tf.matMul', () => tf.tidy(() => void tf.matMul(a, b))],
    ['tf.matMul + dataSync', () => tf.tidy(() => void tf.matMul(a, b).dataSync())],
  ];
  const gflops = (ms: number) => (2 * n ** 3) / (ms * 1e6);
  for (const threads of [1, 2]) {
    nat.configure(threads, NATIVE_MIN_MACS);
    const ms = ways.map(() => [] as number[]);
    const faults = ways.map(() => [] as number[]);
    for (const [, f] of ways) f(); // warm
    for (let r = 0; r < rounds; r++) {
      ways.forEach(([, f], i) => {
        const p0 = process.resourceUsage().minorPageFault;
        const t0 = performance.now();
        f();
        ms[i].push(performance.now() - t0);
        faults[i].push(process.resourceUsage().minorPageFault - p0);
      });
    }
    for (const [i, [name]] of ways.entries()) {
      const m = median(ms[i]);
      console.log(
        `${threads} thread${threads > 1 ? 's' : ''}  ${name.padEnd(22)} ${m.toFixed(2).padStart(7)} ms  ${gflops(m).toFixed(0).padStart(4)} GFLOP/s  (min ${Math.min(...ms[i]).toFixed(2)}), ${median(faults[i])} page faults`,
      );
    }
  }
  nat.configure(2, NATIVE_MIN_MACS);
  tf.dispose([a, b, c]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
