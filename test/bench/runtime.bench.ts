// npm run bench -- runtime: one Adam step of the VAEs and a 1024^2 matMul, on the
// backend initRuntime('auto') picks (wasm here) and, where cheap, on the cpu backend.
// Prints `name: value (backend, threads; median of n, range min-max)`.
// Models are built here with tf.layers (not the lab's nets) so the figures track the runtime only.
import * as tf from '../../src/lab/tf';
import { loadavg } from 'node:os';
import { initRuntime } from '../../src/lab/runtime';
import { MIN_MACS, setMinMacs } from '../../src/lab/runtime/pool';
import { hasRelaxedSimd } from '../../src/lab/runtime/wasm/gemm';

const BATCH = 64;
type Layer = tf.layers.Layer;

function seq(layers: Layer[], x: tf.Tensor, training: boolean): tf.Tensor {
  return layers.reduce((h, l) => l.apply(h, { training }) as tf.Tensor, x);
}

/** Negative ELBO, Bernoulli logits likelihood, Gaussian posterior with 50 latents. */
function vaeStep(enc: Layer[], dec: Layer[], inputShape: number[]): () => void {
  const x = tf.tidy(() => tf.randomUniform([BATCH, ...inputShape]).greater(0.5).toFloat());
  const opt = tf.train.adam(1e-4);
  const loss = () => {
    const h = seq(enc, x, true);
    const [mu, logvar] = tf.split(h, 2, 1);
    const z = mu.add(tf.exp(logvar.mul(0.5)).mul(tf.randomNormal(mu.shape)));
    const logits = seq(dec, z, true).reshape([BATCH, -1]);
    const rec = tf.losses.sigmoidCrossEntropy(x.reshape([BATCH, -1]), logits, undefined, 0, tf.Reduction.SUM);
    const kl = tf.sum(tf.exp(logvar).add(mu.square()).sub(1).sub(logvar)).mul(0.5);
    return rec.add(kl).div(BATCH) as tf.Scalar;
  };
  tf.tidy(() => void loss()); // build the layers
  return () => tf.dispose(opt.minimize(loss, true) ?? []);
}

function mlpVae() {
  const enc = [tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }), tf.layers.dense({ units: 100 })];
  const dec = [tf.layers.dense({ inputShape: [50], units: 512, activation: 'relu' }), tf.layers.dense({ units: 784 })];
  return vaeStep(enc, dec, [784]);
}

function convVae() {
  const c = (filters: number) => tf.layers.conv2d({ filters, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' });
  const t = (filters: number, activation?: 'relu') => tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', activation });
  const enc = [c(32), c(64), tf.layers.flatten(), tf.layers.dense({ units: 100 })];
  const dec = [tf.layers.dense({ units: 7 * 7 * 64, activation: 'relu' }), tf.layers.reshape({ targetShape: [7, 7, 64] }), t(32, 'relu'), t(1)];
  return vaeStep(enc, dec, [28, 28, 1]);
}

/** METHODS.md §1 (Tolstikhin et al.'s MNIST WAE nets), latent 50. */
function waeMnist() {
  const bnRelu = () => [tf.layers.batchNormalization(), tf.layers.reLU()];
  const c = (filters: number) => [tf.layers.conv2d({ filters, kernelSize: 4, strides: 2, padding: 'same', useBias: false }), ...bnRelu()];
  const t = (filters: number) => [tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', useBias: false }), ...bnRelu()];
  const enc = [...c(128), ...c(256), ...c(512), ...c(1024), tf.layers.flatten(), tf.layers.dense({ units: 100 })];
  const dec = [tf.layers.dense({ units: 7 * 7 * 1024, activation: 'relu' }), tf.layers.reshape({ targetShape: [7, 7, 1024] }),
    ...t(512), ...t(256), tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 1, padding: 'same' })];
  return vaeStep(enc, dec, [28, 28, 1]);
}

interface Timing { med: number; min: number; max: number; reps: number; cpu: number }

/**
 * Median and range of `reps` timed runs after `warm` untimed ones (wall ms), and the median
 * process CPU time per run (all threads), for each of `splits` (the pool's MIN_MACS: products
 * of at least that many multiply-adds go to two threads; Infinity = one thread). The settings
 * alternate run by run, so a machine whose speed drifts (a shared host: here the same product
 * took 46 or 98 ms minutes apart) weighs on each alike.
 */
function time(f: () => void, reps: number, warm: number, splits: number[] = [MIN_MACS]): Timing[] {
  const keep = MIN_MACS;
  for (let i = 0; i < warm; i++) for (const s of splits) { setMinMacs(s); f(); }
  const ts = splits.map(() => [] as number[]);
  const cs = splits.map(() => [] as number[]);
  for (let i = 0; i < reps; i++) {
    splits.forEach((s, j) => {
      setMinMacs(s);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      f();
      ts[j].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cs[j].push((c.user + c.system) / 1000);
    });
  }
  setMinMacs(keep);
  const mid = Math.floor(reps / 2);
  return splits.map((_, j) => {
    ts[j].sort((a, b) => a - b);
    cs[j].sort((a, b) => a - b);
    return { med: ts[j][mid], min: ts[j][0], max: ts[j][reps - 1], reps, cpu: cs[j][mid] };
  });
}

/** What the figures are held against (measured on this 2-core machine). */
const REFERENCE: Record<string, string> = {
  mlp_vae_step_ms: 'PyTorch 1.13 here: ~57',
  conv_vae_step_ms: 'PyTorch 1.13 here: ~138',
  matmul_gflops: 'OpenBLAS here: ~70',
};

function report(name: string, value: number, where: string, t: Timing, unit = 'ms') {
  const per = unit === 'ms' ? '' : ' per product';
  const ref = REFERENCE[name] && where.startsWith('wasm') ? `; ${REFERENCE[name]}` : '';
  console.log(`${name}: ${value.toFixed(1)} (${where}; median of ${t.reps}, range ${t.min.toFixed(1)}-${t.max.toFixed(1)} ms${per}, ` +
    `cpu ${t.cpu.toFixed(1)} ms${per}, load ${loadavg()[0].toFixed(1)}${ref})`);
}

/** `f` timed with large products split across the pool's two threads (when it runs) and on one. */
function bothWays(name: string, f: () => void, reps: number, warm: number, where: string, threads: number,
  value: (ms: number) => number = (ms) => ms, unit = 'ms') {
  const splits = threads > 1 ? [MIN_MACS, Infinity] : [Infinity];
  const wheres = threads > 1 ? [where, where.replace(/\d+ threads/, '1 thread')] : [where];
  time(f, reps, warm, splits).forEach((t, j) => report(name, value(t.med), wheres[j], t, unit));
}

function matmul(reps: number, where: string, threads: number) {
  const [a, b] = tf.tidy(() => [tf.randomNormal([1024, 1024]), tf.randomNormal([1024, 1024])]);
  bothWays('matmul_gflops', () => tf.tidy(() => void tf.matMul(a, b).dataSync()), reps, 1, where, threads,
    (ms) => (2 * 1024 ** 3) / (ms * 1e6), 'gflops');
  tf.dispose([a, b]);
}

async function main() {
  // Two threads by default so the split is measured against one thread (BENCH_THREADS=1 skips it).
  const threads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : 2;
  const info = await initRuntime('auto', { threads });
  const n = info.threads ?? 1;
  const simd = info.backend === 'wasm' ? (hasRelaxedSimd() ? ', relaxed-SIMD FMA' : ', SIMD') : '';
  const where = `${info.backend}${simd}, ${n} thread${n === 1 ? '' : 's'}`;
  const filter = process.env.BENCH_ONLY ?? '';
  const want = (name: string) => name.includes(filter);
  const mlp = mlpVae();
  const conv = convVae();
  if (want('mlp')) bothWays('mlp_vae_step_ms', mlp, 20, 3, where, n);
  if (want('conv')) bothWays('conv_vae_step_ms', conv, 10, 3, where, n);
  if (want('matmul')) matmul(9, where, n);
  // ~350 GFLOP per step (two 4x4 conv-transposes at 14x14x512 and 28x28x256 dominate): ~10 s here.
  if (want('wae')) {
    const wae = waeMnist();
    const [t] = time(wae, 2, 1);
    report('wae_mnist_step_ms', t.med, where, t);
  }
  if (process.env.BENCH_NO_CPU) return;
  // The stock cpu backend for comparison, where a step takes seconds rather than minutes.
  await tf.setBackend('cpu');
  if (want('mlp')) { const [t] = time(mlp, 3, 1); report('mlp_vae_step_ms', t.med, 'cpu, 1 thread', t); }
  if (want('matmul')) matmul(1, 'cpu, 1 thread', 1);
  console.log('# conv_vae_step_ms and wae_mnist_step_ms on the cpu backend: skipped (~40 s and many minutes per step)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
