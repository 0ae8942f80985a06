/**
 * The one door through which the lab reaches TensorFlow.js. Every lab module imports
 * `import * as tf from '../tf'` (never a tfjs package directly) so that exactly one copy of
 * tfjs-core is loaded and the runtime (src/lab/runtime) can decide what stands behind it.
 */
export * from '@tensorflow/tfjs';
