/**
 * The one door through which the lab reaches TensorFlow.js. Every lab module imports
 * `import * as tf from '../tf'` (never a tfjs package directly) so that exactly one copy of
 * tfjs-core is loaded and the runtime (src/lab/runtime) can decide what stands behind it.
 */
export * from '@tensorflow/tfjs';
// Work-arounds for tfjs 4.22 bugs (see src/lab/runtime/fixes.ts); these names shadow the umbrella's.
export { batchNorm, batchNorm2d, batchNorm3d, batchNorm4d } from './runtime/fixes';
