/**
 * Errors a user can meet while the runtime picks a TensorFlow.js backend.
 */
import type { BackendChoice } from '../../common/protocol';
import { LabError } from '../core/errors';

/** One backend that was tried and why it was not used. */
export interface SkippedBackend {
  backend: string;
  reason: string;
}

const HOW_TO: Record<BackendChoice, string> = {
  tensorflow:
    'Install TensorFlow for Node next to the notebook (`npm install @tensorflow/tfjs-node@4.22.0`, or ' +
    '`@tensorflow/tfjs-node-gpu@4.22.0` for an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1 — TensorFlow 2.9), or run ' +
    'the command "VAE Lab: Install GPU Runtime", then restart the kernel. Or set `vaeLab.backend` to `auto`.',
  webgpu:
    'WebGPU needs the optional package `webgpu` (Dawn; bundled in the extension for Linux x64, macOS and ' +
    'Windows x64, or `npm install webgpu@0.6.2` next to the notebook) and an adapter: a GPU driver with ' +
    "Vulkan (Linux, Windows), Metal (macOS) or D3D12 (Windows), or, without a GPU on Linux, Mesa's software " +
    'renderer (Debian/Ubuntu: `apt-get install libegl1 libgles2 libegl-mesa0`). Or set `vaeLab.backend` to `auto`.',
  wasm:
    'The wasm backend needs its .wasm binaries (dist/wasm in the extension, or ' +
    'node_modules/@tensorflow/tfjs-backend-wasm/dist from source); reinstall the extension, or set ' +
    '`vaeLab.backend` to `auto` or `cpu`.',
  cpu: 'The cpu backend ships with TensorFlow.js and should always load; reinstall the extension.',
  auto: 'No backend could be loaded at all; reinstall the extension.',
};

/**
 * The backend forced by `vaeLab.backend` (or `initRuntime(choice)`) could not be loaded.
 * Cause: the package is not installed, its native library failed to load, or (GPU) no CUDA
 * device is visible. Handled by the kernel: it shows the message (which says what to install
 * or which setting to change) and stays on no backend rather than silently using another.
 */
export class BackendUnavailableError extends LabError {
  constructor(
    readonly choice: BackendChoice,
    readonly skipped: SkippedBackend[],
  ) {
    super(`The TensorFlow.js backend '${choice}' could not be loaded: ` + skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ') + `. ${HOW_TO[choice]}`);
  }
}

/**
 * An optional package (tfjs-node, tfjs-node-gpu) is not installed in any searched folder.
 * Cause: normal on machines without it. Handled by the backend selection, which records it
 * as a skip reason and tries the next backend.
 */
export class PackageNotFoundError extends LabError {
  constructor(
    readonly packageName: string,
    readonly searched: string[],
  ) {
    super(`${packageName} is not installed (searched: ${searched.join(', ') || 'no folders'})`);
  }
}

/**
 * An op or input the lab's wasm kernels do not implement (a non-float32 matrix product, an
 * NCHW convolution, an unusual fused activation). Thrown by the wasm kernels when a cell calls
 * such an op; the user casts the input or changes the layout as the message says, or picks
 * another backend (`vaeLab.backend`: `cpu`, or `tensorflow` where installed).
 */
export class BackendUnsupportedError extends LabError {
  constructor(
    readonly op: string,
    detail: string,
  ) {
    super(`${op} on the wasm backend ${detail}; or set vaeLab.backend to cpu (or tensorflow) and restart the kernel.`);
  }
}
