/**
 * Where and how "VAE Lab: Install GPU Runtime" installs @tensorflow/tfjs-node-gpu. Pure (no
 * vscode) so the plan is unit-tested; gpuRuntime.ts runs it.
 *
 * The package goes into its own folder in the extension's global storage, not into the user's
 * project: kernels get `<folder>/node_modules` as an extra module directory and load it from
 * there (the runtime picks tfjs-node-gpu first when it loads and sees a CUDA device).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
/** Same version as the bundled tfjs, so one tfjs-core serves both. */
export const GPU_PACKAGE_VERSION = '4.22.0';

/**
 * tfjs-node-gpu 4.22.0 downloads libtensorflow 2.9.1 (its scripts/deps-constants.js), a GPU
 * build made for CUDA 11.2 and cuDNN 8.1 (TensorFlow 2.9's tested configuration). Later
 * CUDA 11.x and cuDNN 8.x releases load through NVIDIA's minor-version compatibility;
 * CUDA 12 and cuDNN 9 do not.
 */
export const GPU_REQUIREMENTS =
  'tfjs-node-gpu 4.22 runs TensorFlow 2.9 and needs, on this machine: an NVIDIA driver 450.80 or newer, ' +
  'the CUDA 11 toolkit (11.2 or a later 11.x; not CUDA 12) and cuDNN 8 (8.1 or later 8.x), with their ' +
  'libraries on the library path (LD_LIBRARY_PATH on Linux, PATH on Windows). ' +
  'The install downloads about 500 MB from Google and npm.';

export function gpuRuntimeDir(globalStoragePath: string): string {
  return join(globalStoragePath, 'gpu-runtime');
}

/** Module folders a kernel should search, if the GPU runtime has been installed. */
export function gpuModuleDirs(globalStoragePath: string, exists: (p: string) => boolean = existsSync): string[] {
  const modules = join(gpuRuntimeDir(globalStoragePath), 'node_modules');
  return exists(join(modules, ...GPU_PACKAGE.split('/'))) ? [modules] : [];
}

/** Why this machine cannot use the GPU build, or undefined when it can (npm publishes it for Linux and Windows x64). */
export function gpuUnsupportedReason(platform: string, arch: string): string | undefined {
  if (arch !== 'x64') return `The TensorFlow GPU build exists only for x64 processors; this machine is ${arch}.`;
  if (platform !== 'linux' && platform !== 'win32') {
    return `The TensorFlow GPU build exists only for Linux and Windows; this machine runs ${platform}. VAE Lab uses its WebAssembly backend here.`;
  }
  return undefined;
}

export interface NpmInvocation {
  command: string;
  args: string[];
  /** npm on Windows is a .cmd script, which needs a shell. */
  shell: boolean;
}

export function npmInstallInvocation(dir: string, platform: string): NpmInvocation {
  return {
    command: platform === 'win32' ? 'npm.cmd' : 'npm',
    args: ['install', '--no-audit', '--no-fund', '--prefix', dir, `${GPU_PACKAGE}@${GPU_PACKAGE_VERSION}`],
    shell: platform === 'win32',
  };
}
