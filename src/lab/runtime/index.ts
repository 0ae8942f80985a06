/**
 * The lab's TensorFlow.js runtime: picks the fastest backend that loads and says which.
 *
 * Call `initRuntime(choice)` once, before any tensor is made (tensors made earlier live on
 * the cpu backend and are copied over lazily). The kernel calls it at `init` with the
 * `vaeLab.backend` setting, the notebook folder and extraModuleDirs; the CLI at start-up.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice, RuntimeInfo } from '../../common/protocol';
import { LoaderOptions, realLoaders } from './loaders';
import { BackendLoaders, selectBackend } from './select';

export { BackendUnavailableError, BackendUnsupportedError, PackageNotFoundError } from './errors';
export type { SkippedBackend } from './errors';
export type { BackendLoader, BackendLoaders, CandidateName, LoadedBackend } from './select';
export { shareTfjsWithRequire } from './native';

export interface RuntimeOptions extends Partial<LoaderOptions> {
  /** Replace some loaders (tests; or a host that knows better). */
  loaders?: Partial<BackendLoaders>;
}

let current: RuntimeInfo | undefined;

/**
 * tfjs's cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js..." on
 * its first tensor, in every notebook. The lab says it once, better, in RuntimeInfo.skipped
 * (why each faster backend was not used), so the banner is switched off.
 */
function silenceCpuBanner(): void {
  const cpu = tf.engine().findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

export async function initRuntime(choice: BackendChoice = 'auto', opts: RuntimeOptions = {}): Promise<RuntimeInfo> {
  const loaders = {
    ...realLoaders({ moduleDirs: opts.moduleDirs ?? [process.cwd()], wasmDir: opts.wasmDir, threads: opts.threads, native: opts.native }),
    ...opts.loaders,
  };
  silenceCpuBanner();
  current = await selectBackend(choice, loaders);
  return current;
}

/** The live runtime, or undefined before initRuntime resolved. */
export function runtimeInfo(): RuntimeInfo | undefined {
  return current;
}

/** One line for the status bar and cells, e.g. `tfjs: wasm — CPU (wasm SIMD, 2 threads)`. */
export function describeRuntime(info: RuntimeInfo | undefined = current): string {
  if (!info) return 'tfjs: not initialised';
  return `tfjs: ${info.backend} — ${info.device}`;
}
