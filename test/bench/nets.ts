// The bench's nets (runtime.bench.ts, profile.ts), built with tf.layers rather than the lab's
// nets so the figures track the runtime only. reference.py builds the same ones in PyTorch.
import * as tf from '../../src/lab/tf';

export const BATCH = 64;
type Layer = tf.layers.Layer;

function seq(layers: Layer[], x: tf.Tensor, training: boolean): tf.Tensor {
  return layers.reduce((h, l) => l.apply(h, { training }) as tf.Tensor, x);
}

/** The layers of one VAE and its input shape. */
export interface VaeNet {
  enc: Layer[];
  dec: Layer[];
  inputShape: number[];
}

/** Negative ELBO, Bernoulli logits likelihood, Gaussian posterior with 50 latents, and its Adam optimizer. */
function objective({ enc, dec, inputShape }: VaeNet): { opt: tf.Optimizer; loss: () => tf.Scalar } {
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
  return { opt, loss };
}

/** One Adam step, returning once tfjs has enqueued it (CPU backends finish it synchronously). */
export function vaeStep(net: VaeNet): () => void {
  const { opt, loss } = objective(net);
  return () => tf.dispose(opt.minimize(loss, true) ?? []);
}

/** One Adam step that awaits its loss, so a GPU backend's time includes the device finishing. */
export function awaitedVaeStep(net: VaeNet): () => Promise<void> {
  const { opt, loss } = objective(net);
  return async () => {
    const l = opt.minimize(loss, true);
    await l?.data();
    tf.dispose(l ?? []);
  };
}

export function mlpNet(): VaeNet {
  const enc = [tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }), tf.layers.dense({ units: 100 })];
  const dec = [tf.layers.dense({ inputShape: [50], units: 512, activation: 'relu' }), tf.layers.dense({ units: 784 })];
  return { enc, dec, inputShape: [784] };
}

export function convNet(): VaeNet {
  const c = (filters: number) => tf.layers.conv2d({ filters, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' });
  const t = (filters: number, activation?: 'relu') => tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', activation });
  const enc = [c(32), c(64), tf.layers.flatten(), tf.layers.dense({ units: 100 })];
  const dec = [tf.layers.dense({ units: 7 * 7 * 64, activation: 'relu' }), tf.layers.reshape({ targetShape: [7, 7, 64] }), t(32, 'relu'), t(1)];
  return { enc, dec, inputShape: [28, 28, 1] };
}

/** METHODS.md §1 (Tolstikhin et al.'s MNIST WAE nets), latent 50. */
export function waeNet(): VaeNet {
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
  return { enc, dec, inputShape: [28, 28, 1] };
}

export const mlpVae = () => vaeStep(mlpNet());
export const convVae = () => vaeStep(convNet());
export const waeMnist = () => vaeStep(waeNet());
