// The tiny conv VAE body the kernel tests train through (kernels-layers on wasm, kernels-webgpu
// on webgpu): every layer and loss term the lab's models use, with weights shared by backends.
import * as tf from '@tensorflow/tfjs';
import { rand } from './compare';

/**
 * Conv (no bias before batch-norm: its gradient is zero in exact arithmetic, i.e. pure rounding
 * noise) -> BatchNormalization -> leakyReLU -> dense, then dense(relu) -> conv-transpose. The
 * returned loss is the negative ELBO with a fixed eps (Bernoulli logits loss + Gaussian KL) plus
 * a logSumExp and a gather term, per example.
 */
export function tinyVae(): (x: tf.Tensor) => tf.Scalar {
  const init = { kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) };
  const enc = [
    tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, ...init }),
    tf.layers.batchNormalization(),
    tf.layers.leakyReLU({ alpha: 0.2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 6, ...init }),
  ];
  const dec = [
    tf.layers.dense({ units: 4 * 4 * 3, activation: 'relu', ...init }),
    tf.layers.reshape({ targetShape: [4, 4, 3] }),
    tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', ...init }),
  ];
  const run = (layers: tf.layers.Layer[], x: tf.Tensor) => layers.reduce((h, l) => l.apply(h, { training: true }) as tf.Tensor, x);
  return (x: tf.Tensor): tf.Scalar => {
    const h = run(enc, x);
    const [mu, logvar] = tf.split(h, 2, 1);
    const z = mu.add(tf.exp(logvar.mul(0.5)).mul(rand(mu.shape, 41)));
    const logits = run(dec, z).reshape([x.shape[0], -1]);
    const target = x.reshape([x.shape[0], -1]).greater(0).toFloat();
    const rec = tf.losses.sigmoidCrossEntropy(target, logits, undefined, 0, tf.Reduction.SUM);
    const kl = tf.sum(tf.exp(logvar).add(mu.square()).sub(1).sub(logvar)).mul(0.5);
    const lse = tf.logSumExp(logits, 1).sum().mul(0.01);
    const b = x.shape[0];
    const picked = tf
      .gather(logits, tf.tensor1d([0, b - 1, b - 1, 0], 'int32'))
      .softplus()
      .sum()
      .mul(0.01);
    return rec.add(kl).add(lse).add(picked).div(x.shape[0]) as tf.Scalar;
  };
}
