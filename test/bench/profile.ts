/**
 * Where a training step's time goes on the wasm path: node --import tsx test/bench/profile.ts
 * (BENCH_ONLY=mlp|conv|wae|factor), on wasm's products and, where built, the native ones. Per
 * step (medians of 15 after 3 warm-ups for the MLP and conv steps), split into
 *   gemm      the product kernels themselves (multiplyPanels, both threads when split; or the
 *             whole native call, packing included),
 *   kernels   every other moment inside a kernel: packing, im2col/col2im, epilogues, Adam,
 *             element-wise ops (the top ones by name),
 *   dispatch  the rest of the step's wall time: tfjs's engine, tape and layers in JS,
 * and the second thread's round trip (wake it, hand it a tiny product, read it back).
 * The WAE paper step (METHODS.md §1, ~350 GFLOP a step: minutes under load) and the FactorVAE
 * laptop step (the comparison's Trainer, VAE and discriminator, timed over BENCH_FACTOR_STEPS
 * steps a run, default 10, model built and batches rendered inside the run, so that JS counts as
 * dispatch) run on the native products only, where built (PROFILE_WASM=1: on wasm's too), and
 * fewer times: WAE 1 warm-up + BENCH_WAE_ROUNDS (default 1), FactorVAE 1 + 3 runs.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initRuntime } from '../../src/lab/runtime';
import { setMinMacs, MIN_MACS } from '../../src/lab/runtime/pool';
import { multiplyPanels, panelsOf, MR } from '../../src/lab/runtime/wasm/gemm';
import { nativeGemmInUse, panelsHookInUse, setNativeGemm, setPanelsHook } from '../../src/lab/runtime/wasm/matmul';
import { startPool } from '../../src/lab/runtime/pool';
import type { NativeGemm } from '../../src/lab/runtime/native-gemm';
import { NATIVE_MIN_MACS } from '../../src/lab/runtime/loaders';
import { convVae, mlpVae, waeMnist } from './nets';
import { experiments } from '../../src/lab';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let gemm = 0;
let splitGemm = 0;
const self = new Map<string, number>();
const gemmIn = new Map<string, number>(); // product time inside each kernel (by name)
let stack: number[] = []; // child time accumulated per open kernel
let names: string[] = []; // the open kernels' names

/** Adds a product's time to the step's and to the innermost open kernel's. */
function addGemm(dt: number): void {
  gemm += dt;
  const k = names[names.length - 1];
  if (k) gemmIn.set(k, (gemmIn.get(k) ?? 0) + dt);
}

/** The native GEMM, timed the way the hook times wasm's. */
function timedNative(nat: NativeGemm): NativeGemm {
  // The addon's functions are not enumerable (napi_default): a spread would copy none, and the
  // step would run Adam and im2col on wasm's kernels. Named one by one, each bound to the addon.
  return {
    isa: () => nat.isa(),
    configure: (t, m, s) => nat.configure(t, m, s),
    adam: nat.adam?.bind(nat),
    patches: nat.patches?.bind(nat),
    splits: nat.splits?.bind(nat),
    // The direct convolutions (conv.ts) count as products, gathering their patch rows included
    // as the GEMM's packing is; split where gemm.cc's convDirect splits (2^18 multiply-adds, images over both threads).
    conv: nat.conv
      ? (...args) => {
          const t0 = performance.now();
          nat.conv!(...args);
          const dt = performance.now() - t0;
          addGemm(dt);
          const [batch, , , ci, outH, outW, kh, kw, , , , , co] = args.slice(5) as number[];
          if (batch > 1 && batch * outH * outW * kh * kw * ci * co >= 2 ** 18) splitGemm += dt;
        }
      : undefined,
    takeovers: nat.takeovers?.bind(nat),
    binary: nat.binary?.bind(nat),
    unary: nat.unary?.bind(nat),
    colsum: nat.colsum?.bind(nat),
    mask: nat.mask?.bind(nat),
    opsSplit: nat.opsSplit?.bind(nat),
    gemm: (...args) => {
      const before = nat.splits?.();
      const t0 = performance.now();
      nat.gemm(...args);
      const dt = performance.now() - t0;
      addGemm(dt);
      // split over both threads: as the addon counts it, or (an older build) from its threshold
      const [m, k, n] = args.slice(9) as number[];
      if (before !== undefined ? nat.splits!() > before : m * k * n >= NATIVE_MIN_MACS) splitGemm += dt;
    },
  };
}

function wrapKernels(): void {
  for (const k of tf.getKernelsForBackend('wasm')) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        stack.push(0);
        names.push(k.kernelName);
        const t0 = performance.now();
        const out = inner(args);
        const dt = performance.now() - t0;
        const children = stack.pop()!;
        names.pop();
        self.set(k.kernelName, (self.get(k.kernelName) ?? 0) + dt - children);
        if (stack.length) stack[stack.length - 1] += dt;
        return out;
      },
    });
  }
  const pool = panelsHookInUse();
  setPanelsHook((job) => {
    const t0 = performance.now();
    const split = pool?.(job) ?? false;
    if (!split) multiplyPanels(job.ex, job.ap, job.bp, job.cp, job.ldc, job.k, job.n, 0, panelsOf(job.m, MR));
    const dt = performance.now() - t0;
    addGemm(dt);
    if (split) splitGemm += dt;
    return true;
  });
}

/** A step to profile: `run` does `per` steps; warm-ups, then `reps` timed runs. */
interface Step {
  name: string;
  run: () => void | Promise<void>;
  per: number;
  warm: number;
  reps: number;
  /** Run on wasm's products too (not only the native ones). */
  wasm: boolean;
}

async function profile({ name, run, per, warm, reps }: Step): Promise<void> {
  for (let i = 0; i < warm; i++) await run();
  const rows: Record<string, number>[] = [];
  for (let i = 0; i < reps; i++) {
    gemm = 0;
    splitGemm = 0;
    self.clear();
    gemmIn.clear();
    stack = [];
    names = [];
    const t0 = performance.now();
    await run();
    const wall = performance.now() - t0;
    const inKernels = [...self.values()].reduce((a, b) => a + b, 0);
    const inGemm = Object.fromEntries([...gemmIn].map(([k, v]) => [`${k}.gemm`, v]));
    const row: Record<string, number> = {
      wall,
      gemm,
      splitGemm,
      kernels: inKernels - gemm,
      dispatch: wall - inKernels,
      ...Object.fromEntries(self),
      ...inGemm,
    };
    rows.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v / per])));
  }
  const m = (key: string) => median(rows.map((r) => r[key] ?? 0));
  const top = [...self.keys()]
    .map((k) => [k, m(k)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(process.env.PROFILE_TOP ?? 8));
  const pct = (k: string) => `${((100 * m(k)) / m('wall')).toFixed(0)}%`;
  console.log(
    `${name}${per > 1 ? ` (per step, ${per} steps a run)` : ''}, median of ${reps}: wall ${m('wall').toFixed(2)} ms = gemm ${m('gemm').toFixed(2)} (of which split over 2 threads ` +
      `${m('splitGemm').toFixed(2)}) + other kernel time ${m('kernels').toFixed(2)} + dispatch ${m('dispatch').toFixed(2)}` +
      ` (fractions of the wall: gemm ${pct('gemm')}, split ${pct('splitGemm')}, other kernels ${pct('kernels')}, dispatch ${pct('dispatch')}; load ${loadavg()[0].toFixed(1)})`,
  );
  const g = (k: string) => m(`${k}.gemm`);
  console.log(`  kernel self time (ms; of which gemm): ${top.map(([k, v]) => `${k} ${v.toFixed(2)}${g(k) ? ` (${g(k).toFixed(2)})` : ''}`).join(', ')}`);
}

/** Round trip of the second thread: a product just big enough to have two row panels, split. */
function wakeUp(): void {
  const [a, b] = tf.tidy(() => [tf.randomNormal([8, 8]), tf.randomNormal([8, 8])]);
  const keep = MIN_MACS;
  const ts: number[][] = [[], []];
  for (let i = 0; i < 400; i++) {
    const j = i % 2;
    setMinMacs(j === 0 ? 0 : Infinity);
    const t0 = performance.now();
    tf.tidy(() => void tf.matMul(a, b).dataSync());
    ts[j].push(performance.now() - t0);
  }
  setMinMacs(keep);
  tf.dispose([a, b]);
  const [split, one] = ts.map(median);
  console.log(
    `second thread round trip: ${((split - one) * 1000).toFixed(0)} us (8x8x8 product split ${(split * 1000).toFixed(0)} us, one thread ${(one * 1000).toFixed(0)} us)`,
  );
}

/** The same for the native GEMM's second thread: a product of two 8-row blocks, split or not. */
function nativeWakeUp(nat: NativeGemm): void {
  const heap = new ArrayBuffer(4 * 3 * 64 * 64);
  const ts: number[][] = [[], []];
  for (let i = 0; i < 400; i++) {
    const j = i % 2;
    nat.configure(j === 0 ? 2 : 1, 0);
    const t0 = performance.now();
    nat.gemm(heap, 0, 64, 1, 4096, 64, 1, 8192, 64, 64, 64, 64);
    ts[j].push(performance.now() - t0);
  }
  nat.configure(2, NATIVE_MIN_MACS);
  const [split, one] = ts.map(median);
  console.log(
    `native second thread round trip: ${((split - one) * 1000).toFixed(0)} us (64^3 product split ${(split * 1000).toFixed(0)} us, one thread ${(one * 1000).toFixed(0)} us)`,
  );
}

async function main() {
  const info = await initRuntime('wasm', { threads: 2 });
  const nat = nativeGemmInUse();
  await startPool(2);
  wrapKernels();
  const only = process.env.BENCH_ONLY ?? '';
  const all = process.env.PROFILE_WASM === '1';
  const steps: Step[] = [];
  if ('mlp'.includes(only)) steps.push({ name: 'mlp_vae_step', run: mlpVae(), per: 1, warm: 3, reps: 15, wasm: true });
  if ('conv'.includes(only)) steps.push({ name: 'conv_vae_step', run: convVae(), per: 1, warm: 3, reps: 15, wasm: true });
  if ('wae'.includes(only))
    steps.push({ name: 'wae_mnist_step', run: waeMnist(), per: 1, warm: 1, reps: Number(process.env.BENCH_WAE_ROUNDS ?? 1), wasm: all || !nat });
  if ('factor'.includes(only)) steps.push({ ...factorLaptop(), wasm: all || !nat });
  setNativeGemm(null);
  console.log(`# wasm products, 2 threads, split at 2^${Math.log2(MIN_MACS)} multiply-adds`);
  for (const s of steps) if (s.wasm) await profile(s);
  wakeUp();
  if (nat) {
    setNativeGemm(timedNative(nat));
    console.log(`# ${info.device}, split at 2^${Math.log2(NATIVE_MIN_MACS)} multiply-adds`);
    for (const s of steps) await profile(s);
    nativeWakeUp(nat);
  }
}

/** The FactorVAE comparison's laptop step as runtime.bench.ts times it (gamma 10), per step of a run. */
function factorLaptop(): Step {
  const { factorVae } = experiments;
  const P = factorVae.presets.laptop;
  const per = Number(process.env.BENCH_FACTOR_STEPS ?? 10);
  const data = factorVae.loadData(P, { seed: 0 });
  const config = factorVae.modelConfig('factor-vae', 10, P);
  const run = async () => (await factorVae.train(config, data, { ...P, steps: per }, { seed: 0 })).model.dispose();
  return { name: 'factor_vae_laptop_step', run, per, warm: 1, reps: 3, wasm: false };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
