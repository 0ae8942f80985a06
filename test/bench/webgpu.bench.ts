// npm run bench -- webgpu: one Adam step of the MLP VAE, the conv VAE and the WAE MNIST nets
// (the same nets as runtime.bench.ts) on tfjs-backend-webgpu, naming the adapter. Each step ends
// with `await loss.data()`, so the time includes the GPU finishing, not only the enqueueing.
// Without a hardware adapter this runs on a software renderer (Mesa's llvmpipe): a few
// repetitions only, and the figures say so; they measure that renderer, not a GPU.
// Prints `name: value (webgpu, adapter; median of n, range min-max ms)`, or one `#` line when no adapter.
import * as tf from '../../src/lab/tf';
import { initRuntime } from '../../src/lab/runtime';

const BATCH = 64;
type Layer = tf.layers.Layer;

function seq(layers: Layer[], x: tf.Tensor, training: boolean): tf.Tensor {
  return layers.reduce((h, l) => l.apply(h, { training }) as tf.Tensor, x);
}

/** Negative ELBO, Bernoulli logits likelihood, Gaussian posterior with 50 latents; one Adam step, awaited. */
function vaeStep(enc: Layer[], dec: Layer[], inputShape: number[]): () => Promise<void> {
  const x = tf.tidy(() =>
    tf
      .randomUniform([BATCH, ...inputShape])
      .greater(0.5)
      .toFloat(),
  );
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
  return async () => {
    const l = opt.minimize(loss, true);
    await l?.data();
    tf.dispose(l ?? []);
  };
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
  const dec = [
    tf.layers.dense({ units: 7 * 7 * 1024, activation: 'relu' }),
    tf.layers.reshape({ targetShape: [7, 7, 1024] }),
    ...t(512),
    ...t(256),
    tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 1, padding: 'same' }),
  ];
  return vaeStep(enc, dec, [28, 28, 1]);
}

async function time(name: string, f: () => Promise<void>, reps: number, warm: number, where: string): Promise<void> {
  for (let i = 0; i < warm; i++) await f(); // the first runs compile the shaders
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  console.log(`${name}: ${ts[Math.floor(reps / 2)].toFixed(1)} (${where}; median of ${reps}, range ${ts[0].toFixed(1)}-${ts[reps - 1].toFixed(1)} ms)`);
}

async function main() {
  const info = await initRuntime('webgpu').catch((e: Error) => e);
  if (info instanceof Error) {
    console.log(`# webgpu: no adapter, nothing measured (${info.message.split('. ')[0]})`);
    return;
  }
  const soft = !!info.adapter?.software;
  const where = `webgpu, ${info.device}`;
  const want = (name: string) => name.includes(process.env.BENCH_ONLY ?? '');
  if (soft) console.log('# webgpu: a software renderer, not a GPU; few repetitions (set BENCH_ONLY to pick one)');
  if (want('mlp')) await time('webgpu_mlp_vae_step_ms', mlpVae(), soft ? 3 : 20, soft ? 1 : 3, where);
  if (want('conv')) await time('webgpu_conv_vae_step_ms', convVae(), soft ? 3 : 10, soft ? 1 : 3, where);
  // One WAE step on llvmpipe took over 8 minutes here: on a software renderer only when asked for.
  if (soft && !process.env.BENCH_ONLY) console.log('# webgpu_wae_mnist_step_ms: skipped on a software renderer (over 8 min a step; BENCH_ONLY=wae runs it)');
  else if (want('wae')) await time('webgpu_wae_mnist_step_ms', waeMnist(), soft ? 1 : 5, 1, where);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
