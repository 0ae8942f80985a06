/**
 * Batch norm's gradient without tiling its statistics.
 *
 * tfjs 4.22's FusedBatchNorm gradient computes dx = dy * tile(1 / sqrt(var + eps)) * scale,
 * tiling the per-channel factor to the activation's whole shape first: for the WAE nets
 * (METHODS.md §1) the wasm backend's Tile was 18% of a training step (README "Benchmarks"),
 * a full pass that writes as many floats as the activation has, through a per-element index
 * computation. Multiplying by the [C] factor broadcast along the last axis gives the same floats
 * (each product is the same two float32 numbers, rounded once), so this config is tfjs's with
 * that one change; the other four derivatives are tfjs's as they are:
 *   r = 1 / sqrt(var + eps)
 *   dx = dy r scale,   dmean = sum(-r dy scale),   dvar = sum(-r^3 / 2 (x - mean) dy scale),
 *   dscale = sum(dy (x - mean) r),   doffset = sum(dy),
 * sums over every axis but the channel's (where mean is a vector).
 * Installed with the lab's wasm kernels (register.ts), removed with them; global to tfjs's
 * gradient registry, which is harmless elsewhere since the floats are the same.
 */
import * as tfc from '@tensorflow/tfjs';

const KERNEL = 'FusedBatchNorm';
let stock: tfc.GradConfig | undefined;

const config: tfc.GradConfig = {
  kernelName: KERNEL,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: tfc.Tensor | tfc.Tensor[], saved: tfc.Tensor[], attrs: tfc.NamedAttrMap) => {
    const g = dy as tfc.Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved;
    const s = scale ?? tfc.scalar(1);
    const axes = tfc.backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: tfc.Tensor) => tfc.reshape(mean.rank === 1 ? tfc.sum(t, axes) : t, mean.shape);
    const xMinusMean = tfc.sub(x, mean);
    const dyScaled = tfc.mul(g, s);
    const r = tfc.rsqrt(tfc.add(variance, tfc.scalar(varianceEpsilon)));
    const minusHalfRCube = tfc.mul(tfc.mul(tfc.mul(r, r), r), tfc.scalar(-0.5));
    return {
      x: () => tfc.reshape(tfc.mul(tfc.mul(g, r), s), x.shape),
      mean: () => reduce(tfc.mul(tfc.mul(r, tfc.scalar(-1)), dyScaled)),
      variance: () => reduce(tfc.mul(tfc.mul(minusHalfRCube, xMinusMean), dyScaled)),
      scale: () => reduce(tfc.mul(g, tfc.mul(xMinusMean, r))),
      offset: () => reduce(g),
    };
  },
};

/** Puts this gradient in tfjs's registry (keeping tfjs's to restore). Idempotent. */
export function installBatchNormGrad(): void {
  if (stock) return;
  stock = tfc.getGradient(KERNEL);
  tfc.registerGradient(config);
}

/** Puts tfjs's own gradient back. */
export function uninstallBatchNormGrad(): void {
  if (!stock) return;
  tfc.registerGradient(stock);
  stock = undefined;
}
