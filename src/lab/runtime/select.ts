/**
 * Backend selection as pure logic over injectable loaders, so it is tested without a GPU.
 *
 * auto:       tensorflow-gpu (loads AND sees a CUDA device) -> webgpu (a hardware adapter)
 *             -> tensorflow (native CPU) -> wasm (with the lab's kernels) -> cpu
 * tensorflow: tensorflow-gpu -> tensorflow        wasm: wasm        cpu: cpu
 * webgpu:     webgpu -> webgpu-software (a CPU rasteriser such as llvmpipe: correct, but slower
 *             than wasm, so only a forced choice takes it; its device string says so)
 * The first loader that resolves wins; each failure becomes a `skipped` reason. A forced
 * choice with no working loader throws BackendUnavailableError (never a silent fallback).
 */
import type { BackendChoice, RuntimeInfo } from '../../common/protocol';
import { UnknownNameError } from '../core/errors';
import { BackendUnavailableError, SkippedBackend } from './errors';

export type CandidateName = 'tensorflow-gpu' | 'webgpu' | 'webgpu-software' | 'tensorflow' | 'wasm' | 'cpu';

/** What a loader reports once its backend is live (`tf.getBackend()` is `backend`). */
export interface LoadedBackend {
  backend: string;
  device: string;
  threads?: number;
  adapter?: RuntimeInfo['adapter'];
  note?: string;
}

export type BackendLoader = () => Promise<LoadedBackend>;
export type BackendLoaders = Record<CandidateName, BackendLoader>;

export const ORDER: Record<BackendChoice, CandidateName[]> = {
  auto: ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'],
  tensorflow: ['tensorflow-gpu', 'tensorflow'],
  webgpu: ['webgpu', 'webgpu-software'],
  wasm: ['wasm'],
  cpu: ['cpu'],
};

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

export async function selectBackend(choice: BackendChoice, loaders: BackendLoaders): Promise<RuntimeInfo> {
  const order = ORDER[choice];
  if (!order) throw new UnknownNameError('backend', choice, Object.keys(ORDER), 'Set vaeLab.backend (or --backend) to one of these.');
  const skipped: SkippedBackend[] = [];
  for (const name of order) {
    try {
      const live = await loaders[name]();
      return skipped.length ? { ...live, skipped } : { ...live };
    } catch (e) {
      skipped.push({ backend: name, reason: reasonOf(e) });
    }
  }
  throw new BackendUnavailableError(choice, skipped);
}
