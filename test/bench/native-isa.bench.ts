// npm run bench -- native-isa: the native GEMM's kernels side by side on this CPU, the addon's
// gemm called directly on a plain ArrayBuffer (no tfjs): the default one (AVX-512 or AVX2 + FMA)
// and the portable one the linux-arm64 .vsix runs (VAE_LAB_NATIVE_ISA=generic, here compiled
// for x86-64's baseline SSE2: 4 floats wide, no FMA). Each kernel in its own process (it is chosen
// when the addon loads), alternating, BENCH_ROUNDS rounds (default 3); prints the median GFLOP/s
// per kernel and size, and generic's share of the default's. Both threads (configure(2, 0)).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NativeGemm } from '../../src/lab/runtime/native-gemm';

const addon = join(__dirname, '../../native/build/Release/vae_lab_gemm.node');
/** [m, k, n]: the MLP's first layer at batch 64 (784 -> 512), and a square product. */
const SIZES = [
  [64, 784, 512],
  [512, 512, 512],
];

/** In the child: GFLOP/s (2 m k n / s) of each size, the median of 7 timed runs after 2 warm-ups. */
function child(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const g = require(addon) as NativeGemm;
  g.configure(2, 0);
  const out: Record<string, number> = {};
  for (const [m, k, n] of SIZES) {
    const heap = new ArrayBuffer(4 * (m * k + k * n + m * n));
    const f = new Float32Array(heap);
    for (let i = 0; i < f.length; i++) f[i] = Math.sin(i);
    const reps = Math.max(1, Math.round(2e8 / (m * k * n)));
    const times: number[] = [];
    for (let t = 0; t < 9; t++) {
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) g.gemm(heap, 0, k, 1, m * k, n, 1, m * k + k * n, n, m, k, n);
      times.push((performance.now() - t0) / reps);
    }
    const med = times.slice(2).sort((a, b) => a - b)[3];
    out[`${m}x${k}x${n}`] = (2 * m * k * n) / (med * 1e6);
  }
  console.log(JSON.stringify({ isa: g.isa(), gflops: out }));
}

function parent(): void {
  if (!existsSync(addon)) {
    console.log('native-isa: skipped, the addon is not built (npm run build:native)');
    return;
  }
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const runs: Record<string, Record<string, number[]>> = {};
  for (let r = 0; r < rounds; r++) {
    for (const isa of ['', 'generic']) {
      const res = spawnSync(process.execPath, ['--import', 'tsx', __filename], {
        env: { ...process.env, NATIVE_ISA_BENCH_CHILD: '1', VAE_LAB_NATIVE_ISA: isa },
        encoding: 'utf8',
      });
      if (res.status !== 0) throw new Error(`native-isa child (${isa || 'default'}) failed:\n${res.stderr}`);
      const { isa: name, gflops } = JSON.parse(res.stdout.trim().split('\n').pop()!) as { isa: string; gflops: Record<string, number> };
      for (const [size, v] of Object.entries(gflops)) ((runs[name] ??= {})[size] ??= []).push(v);
    }
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
  const names = Object.keys(runs);
  for (const name of names) for (const [size, xs] of Object.entries(runs[name])) console.log(`native ${name} ${size}: ${median(xs).toFixed(1)} GFLOP/s`);
  const def = names.find((n) => n !== 'generic');
  if (def && runs.generic) {
    for (const size of Object.keys(runs.generic)) {
      console.log(`native generic/${def} ${size}: ${(median(runs.generic[size]) / median(runs[def][size])).toFixed(2)}`);
    }
  }
}

if (process.env.NATIVE_ISA_BENCH_CHILD) child();
else parent();
