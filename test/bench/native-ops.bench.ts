// npm run bench -- native-ops: a training step with the native element-wise kernels and batch
// norm's Tile-free gradient (native/ops.cc, src/lab/runtime/wasm/elementwise.ts, batchnorm.ts)
// and without them (the stock wasm kernels and tfjs's gradient: what VAE_LAB_NATIVE_OPS=0 runs),
// in one process, alternating round by round (on, off, then off, on), so host drift hits both.
// Per step and setting: the median wall time with its range, and the median process CPU time
// (both threads; load inflates it far less than wall time), then the median of the rounds'
// ratios (on / off, below 1 the kernels gain). BENCH_ONLY=mlp|conv|factor|wae (default: all
// but wae, whose step takes ~1.5 min under load; threshold: the kernels' two-thread threshold
// alone), BENCH_ROUNDS (default 5; WAE 2),
// BENCH_FACTOR_STEPS (FactorVAE steps a run, default 5).
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initRuntime } from '../../src/lab/runtime';
import { setNativeOps } from '../../src/lab/runtime/wasm/elementwise';
import { installBatchNormGrad, uninstallBatchNormGrad } from '../../src/lab/runtime/wasm/batchnorm';
import { nativeGemmInUse } from '../../src/lab/runtime/wasm/matmul';
import type { NativeGemm } from '../../src/lab/runtime/native-gemm';
import { convVae, mlpVae, waeMnist } from './nets';
import { experiments } from '../../src/lab';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function set(on: boolean): void {
  setNativeOps(on);
  if (on) installBatchNormGrad();
  else uninstallBatchNormGrad();
}

interface Step {
  name: string;
  /** Runs `per` steps. */
  run: () => void | Promise<void>;
  per: number;
  rounds: number;
}

function factorLaptop(): Step {
  const { factorVae } = experiments;
  const P = factorVae.presets.laptop;
  const per = Number(process.env.BENCH_FACTOR_STEPS ?? 5);
  const data = factorVae.loadData(P, { seed: 0 });
  const config = factorVae.modelConfig('factor-vae', 10, P);
  const run = async () => (await factorVae.train(config, data, { ...P, steps: per }, { seed: 0 })).model.dispose();
  return { name: 'factor_vae_laptop_step', run, per, rounds: Number(process.env.BENCH_ROUNDS ?? 5) };
}

/** Steps of `per` calls of `f`: a run of 5 (MLP, conv) or 1 (WAE). */
function repeated(name: string, f: () => void, per: number, rounds: number): Step {
  const run = () => {
    for (let i = 0; i < per; i++) f();
  };
  return { name, run, per, rounds };
}

async function time(s: Step): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await s.run();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall: wall / s.per, cpu: (c.user + c.system) / 1000 / s.per };
}

/**
 * The two-thread threshold of the element-wise kernels: an add of two [n] arrays, a bias add
 * ([n/16, 16] + [16]), softplus and a leading-axes sum, each on one thread (opsSplit(huge)) and
 * split (opsSplit(0)), alternating, BENCH_ROUNDS x 3 rounds; the median ratio (two / one).
 */
function threshold(nat: NativeGemm): void {
  const rounds = 3 * Number(process.env.BENCH_ROUNDS ?? 5);
  const keep = nat.opsSplit!();
  for (const log of [12, 14, 15, 16, 17, 18, 20]) {
    const n = 2 ** log;
    const heap = new ArrayBuffer(4 * 3 * n);
    const f = new Float32Array(heap);
    for (let i = 0; i < 2 * n; i++) f[i] = Math.sin(i);
    const cases: [string, () => void][] = [
      ['add', () => nat.binary!(heap, 0, 0, 0, n, 0, 2 * n, 1, n)],
      ['bias_add', () => nat.binary!(heap, 0, 0, 0, n, 1, 2 * n, n / 16, 16)],
      ['softplus', () => nat.unary!(heap, 0, 0, 2 * n, n)],
      ['colsum', () => nat.colsum!(heap, 0, 2 * n, n / 16, 16)],
    ];
    const parts: string[] = [];
    for (const [name, call] of cases) {
      const reps = Math.max(1, Math.round(2 ** 22 / n));
      const timed = (split: boolean) => {
        nat.opsSplit!(split ? 0 : 1e15);
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) call();
        return (performance.now() - t0) / reps;
      };
      timed(true);
      timed(false);
      const ratio: number[] = [];
      const one: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const [a, b] = r % 2 ? [timed(false), timed(true)] : [timed(true), timed(false)].reverse();
        one.push(a);
        ratio.push(b / a);
      }
      parts.push(`${name} ${median(ratio).toFixed(2)} (one thread ${(1000 * median(one)).toFixed(1)} us)`);
    }
    console.log(`native_ops_split_2^${log}: ${parts.join(', ')}`);
  }
  nat.opsSplit!(keep);
}

async function main(): Promise<void> {
  const info = await initRuntime('wasm', { threads: 2 });
  if (!nativeGemmInUse()?.binary) {
    console.log('native-ops: skipped, the addon is not built or has no element-wise kernels (npm run build:native)');
    return;
  }
  const only = process.env.BENCH_ONLY ?? '';
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const steps: Step[] = [];
  if ('mlp'.includes(only)) steps.push(repeated('mlp_vae_step', mlpVae(), 5, rounds));
  if ('conv'.includes(only)) steps.push(repeated('conv_vae_step', convVae(), 5, rounds));
  if ('factor'.includes(only)) steps.push(factorLaptop());
  if ('threshold'.includes(only)) threshold(nativeGemmInUse()!);
  if (only === 'wae') steps.push(repeated('wae_mnist_step', waeMnist(), 1, Number(process.env.BENCH_ROUNDS ?? 2)));
  console.log(`# ${info.device}; native element-wise kernels on vs off, alternating; load ${loadavg()[0].toFixed(1)}`);
  for (const s of steps) {
    for (const on of [true, false]) {
      set(on);
      await time(s); // warm-up: the layers built, kernels compiled, the heap grown
    }
    const r: Record<'on' | 'off', { wall: number; cpu: number }[]> = { on: [], off: [] };
    const ratio: number[] = [];
    for (let i = 0; i < s.rounds; i++) {
      const order = i % 2 ? [false, true] : [true, false];
      const got: Record<string, { wall: number; cpu: number }> = {};
      for (const on of order) {
        set(on);
        got[on ? 'on' : 'off'] = await time(s);
      }
      r.on.push(got.on);
      r.off.push(got.off);
      ratio.push(got.on.wall / got.off.wall);
    }
    const fmt = (xs: { wall: number; cpu: number }[]) => {
      const w = xs.map((x) => x.wall);
      return `${median(w).toFixed(1)} ms (range ${Math.min(...w).toFixed(1)}-${Math.max(...w).toFixed(1)}, CPU ${median(xs.map((x) => x.cpu)).toFixed(1)} ms)`;
    };
    console.log(`${s.name}_ops_on: ${fmt(r.on)}`);
    console.log(`${s.name}_ops_off: ${fmt(r.off)}`);
    console.log(
      `${s.name}_ops_ratio: ${median(ratio).toFixed(2)} (median of ${s.rounds} rounds; range ${Math.min(...ratio).toFixed(2)}-${Math.max(...ratio).toFixed(2)}; load ${loadavg()[0].toFixed(1)})`,
    );
  }
  set(true);
  tf.disposeVariables();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
