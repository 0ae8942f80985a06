/**
 * Floating-point operations of one training step, counted from the layer shapes (the bench's
 * FLOP/s and fraction-of-peak figures). Only the products are counted, as BLAS benchmarks do:
 * element-wise work (activations, batch norm, Adam) is O(size) against the products' O(size * k)
 * and is left out, so the figure slightly understates the work done.
 *
 * Per layer, with B the batch (one multiply-add = 2 FLOPs):
 *   dense          forward 2 B in out; backward twice that (dX = dY W^T and dW = X^T dY)
 *   conv2d         forward 2 B Ho Wo kh kw Cin Cout (every output pixel is a kh kw Cin dot
 *                  product per output channel); backward twice that (input and filter gradients)
 *   conv2dTranspose the adjoint of a conv2d from its output to its input: forward 2 B Hi Wi kh kw
 *                  Cin Cout (Hi, Wi: the transpose's input); backward twice that
 * The first layer's input gradient is not needed, but tfjs computes it anyway (as PyTorch does
 * not), so it is counted: the figure is the work each side was asked to do by its own engine.
 */
import * as tf from '../../src/lab/tf';

type Layer = tf.layers.Layer;

/** Forward FLOPs of one layer, given its input and output shapes (batch first). */
export function layerForwardFlops(className: string, config: Record<string, unknown>, inShape: number[], outShape: number[]): number {
  const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
  const ks = config.kernelSize as number[] | number | undefined;
  const [kh, kw] = Array.isArray(ks) ? ks : [ks ?? 1, ks ?? 1];
  switch (className) {
    case 'Dense':
      return 2 * prod(inShape.slice(0, -1)) * inShape[inShape.length - 1] * outShape[outShape.length - 1];
    case 'Conv2D':
      // channels-last [B, H, W, C]
      return 2 * prod(outShape.slice(0, 3)) * kh * kw * inShape[3] * outShape[3];
    case 'Conv2DTranspose':
      return 2 * prod(inShape.slice(0, 3)) * kh * kw * inShape[3] * outShape[3];
    default:
      return 0;
  }
}

/** Forward + backward FLOPs of a stack of layers applied to a batch of `inputShape` (batch included). */
export function stackStepFlops(layers: Layer[], inputShape: number[]): { flops: number; shape: number[] } {
  let shape = inputShape;
  let flops = 0;
  for (const l of layers) {
    const out = l.computeOutputShape(shape) as number[];
    flops += 3 * layerForwardFlops(l.getClassName(), l.getConfig() as Record<string, unknown>, shape, out);
    shape = out;
  }
  return { flops, shape };
}

/** One VAE step's products: the encoder on the batch, the decoder on the `latent`-wide code. */
export function vaeStepFlops(net: { enc: Layer[]; dec: Layer[]; inputShape: number[] }, batch: number, latent = 50): number {
  return stackStepFlops(net.enc, [batch, ...net.inputShape]).flops + stackStepFlops(net.dec, [batch, latent]).flops;
}
