/**
 * Installs the lab's wasm kernels (matmul.ts, conv.ts, reduce.ts, slice.ts, small.ts, adam.ts,
 * elementwise.ts, dense.ts) over the stock ones, routes tf.train.adam through the fused update
 * (adam.ts) while the wasm backend is active, batch norm's gradient through one that does not
 * tile its statistics (batchnorm.ts), tfjs-layers' Dense through dense.ts, gradient saves
 * without an Identity dispatch (saves.ts) and leaner arithmetic gradients (grads.ts).
 * Must run after the wasm backend is initialised (the stock kernels' setup has then bound
 * their wasm functions, which the replacements call). Idempotent.
 */
import * as tfc from '@tensorflow/tfjs';
import { captureStock, WasmKernelFunc } from './heap';
import { denseKernels, installLabDense, uninstallLabDense } from './dense';
import { installCheapSaves, uninstallCheapSaves } from './saves';
import { installLeanGradients, uninstallLeanGradients } from './grads';
import { matMulKernels } from './matmul';
import { convKernels } from './conv';
import { reduceKernels } from './reduce';
import { sliceKernels } from './slice';
import { smallKernels } from './small';
import { adamKernels, installFusedAdam } from './adam';
import { elementwiseKernels } from './elementwise';
import { installBatchNormGrad, uninstallBatchNormGrad } from './batchnorm';

// dense.ts: one kernel per dense layer forward and one backward.
const lab = [...matMulKernels, ...convKernels, ...reduceKernels, ...sliceKernels, ...smallKernels, ...adamKernels, ...elementwiseKernels, ...denseKernels];
let installed = false;

/** Names of the kernels the lab registers for 'wasm' (for tests and the log). */
export const labKernelNames = lab.map((k) => k.kernelName);

export function registerLabWasmKernels(): void {
  if (installed) return;
  for (const name of ['Transpose', ...labKernelNames]) captureStock(name);
  for (const { kernelName, kernelFunc } of lab) {
    if (tfc.getKernel(kernelName, 'wasm')) tfc.unregisterKernel(kernelName, 'wasm');
    tfc.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tfc.KernelFunc });
  }
  installFusedAdam();
  // VAE_LAB_NATIVE_OPS=0 keeps tfjs's (benches compare the two)
  if (process.env.VAE_LAB_NATIVE_OPS !== '0') installBatchNormGrad();
  installLabDense();
  installCheapSaves();
  installLeanGradients();
  installed = true;
}

/** Puts the stock kernels back (tests compare against them). */
export function unregisterLabWasmKernels(): void {
  if (!installed) return;
  uninstallLabDense();
  uninstallCheapSaves();
  uninstallLeanGradients();
  for (const { kernelName } of lab) {
    tfc.unregisterKernel(kernelName, 'wasm');
    const stock = captureStock(kernelName) as WasmKernelFunc | undefined;
    if (stock) tfc.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: stock as unknown as tfc.KernelFunc });
  }
  uninstallBatchNormGrad();
  installed = false;
}
