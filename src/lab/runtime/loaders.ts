/**
 * The real loaders behind select.ts: tfjs-node-gpu, webgpu (Dawn, webgpu.ts), tfjs-node,
 * wasm (+ the lab's kernels), cpu.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { requireShared } from './native';
import type { BackendLoaders, LoadedBackend } from './select';
import { registerLabWasmKernels } from './wasm/register';
import { startPool } from './pool';
import { loadNativeGemm, nativeNote } from './native-gemm';
import { setNativeGemm } from './wasm/matmul';
import { availableParallelism } from 'node:os';
import { hasRelaxedSimd } from './wasm/gemm';
import { adapterDevice, findAdapter, FoundAdapter, gpuDevicePresent, installWebGpu } from './webgpu';

export interface LoaderOptions {
  /** Folders where tfjs-node(-gpu) may be installed (notebook folder, extension storage...). */
  moduleDirs: string[];
  /** Folder holding tfjs-backend-wasm*.wasm; found automatically when absent. */
  wasmDir?: string;
  /**
   * Threads for the wasm path (1 = main thread only). Default: $VAE_LAB_WASM_THREADS, else 2
   * where the machine has two cores: the second thread (pool.ts) takes half of every product of
   * at least pool.MIN_MACS multiply-adds (1.0-1.9x on a 1024^2 matmul here, depending on whether
   * the host gives the two vCPUs separate physical cores); smaller products, and so the MLP VAE's
   * step, stay on one thread, so it costs nothing where it does not help.
   */
  threads?: number;
  /**
   * Whether products may run on the native GEMM (native-gemm.ts) where it is built for this CPU.
   * Default true (VAE_LAB_NATIVE=0 turns it off); false keeps every product on wasm's kernels.
   */
  native?: boolean;
}

const WASM_FILE = 'tfjs-backend-wasm-simd.wasm';

/**
 * Native products of at least this many multiply-adds use two threads. Since the split races
 * (gemm.cc: a second thread that is late has its blocks taken over, never waited for), a busy
 * second core costs a split little, so the threshold follows the quiet-host measurement: each
 * of the MLP step's products alone (test/bench/native-split.bench.ts, 15 alternating rounds, the
 * training jobs stopped) read two threads / one of 0.58-0.70 at 2^24.6 multiply-adds, 0.62-1.04
 * at 2^21.6 and 0.76-0.91 at 2^20.6; and side by side in one run (runtime.bench.ts,
 * BENCH_NATIVE_SPLIT) the MLP step read 17.0 ms from 2^21 against 18.0 from 2^25, the conv step
 * 45.3 against 51.0. Below 2^21 the gain is within the noise, so smaller products stay on one.
 */
export const NATIVE_MIN_MACS = 1 << 21;

/**
 * Where the .wasm binaries are: dist/wasm next to the bundle (scripts/build.mjs copies them),
 * else the package's own dist folder (running from source, e.g. tests under tsx).
 */
export function findWasmDir(explicit?: string): string | undefined {
  const candidates = [explicit, join(__dirname, 'wasm')];
  try {
    const req = createRequire(__filename);
    candidates.push(join(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // bundled without node_modules: only dist/wasm can hold them
  }
  return candidates.find((d): d is string => !!d && existsSync(join(d, WASM_FILE)));
}

// The loaders' plain Errors are skip reasons: selectBackend catches each and reports it in
// BackendUnavailableError, whose message says what to install.
async function use(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
}

/** The native backend registered by tfjs-node(-gpu), asking its binding whether it runs on CUDA. */
function usesGpu(): boolean {
  const be = tf.engine().findBackend('tensorflow') as unknown as { binding?: { isUsingGpuDevice?: () => boolean } };
  return !!be?.binding?.isUsingGpuDevice?.();
}

export function realLoaders(opts: LoaderOptions): BackendLoaders {
  // One probe serves both webgpu candidates: auto asks for hardware, a forced webgpu then takes software.
  let probe: Promise<FoundAdapter> | undefined;
  const webgpu = async (allowSoftware: boolean): Promise<LoadedBackend> => {
    // auto: no GPU device, no probe (nothing to find but a software renderer, and Dawn's warnings)
    if (!allowSoftware && !probe && !gpuDevicePresent())
      throw new Error('no GPU device on this machine (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg); WebGPU not probed');
    const found = await (probe ??= findAdapter(opts.moduleDirs));
    if (found.info.software && !allowSoftware) {
      throw new Error(
        `no GPU adapter, only a software renderer (${found.info.device || found.info.description}, ${found.info.api}), which is slower than wasm; only a forced webgpu uses it`,
      );
    }
    if (!tf.findBackendFactory('webgpu')) await installWebGpu(found);
    await use('webgpu');
    return { backend: 'webgpu', device: adapterDevice(found.info), adapter: found.info };
  };
  const native = async (pkg: string): Promise<void> => {
    if (!tf.findBackendFactory('tensorflow')) requireShared(pkg, opts.moduleDirs);
    await use('tensorflow');
  };
  return {
    'tensorflow-gpu': async (): Promise<LoadedBackend> => {
      await native('@tensorflow/tfjs-node-gpu');
      if (!usesGpu()) throw new Error('@tensorflow/tfjs-node-gpu loaded but sees no CUDA device');
      return { backend: 'tensorflow', device: 'GPU (CUDA, TensorFlow native)' };
    },
    webgpu: () => webgpu(false),
    'webgpu-software': () => webgpu(true),
    // When tfjs-node-gpu already loaded without a GPU, its backend is native TensorFlow on CPU.
    tensorflow: async (): Promise<LoadedBackend> => {
      await native('@tensorflow/tfjs-node');
      return { backend: 'tensorflow', device: usesGpu() ? 'GPU (CUDA, TensorFlow native)' : 'CPU (TensorFlow native)' };
    },
    wasm: async (): Promise<LoadedBackend> => {
      const dir = findWasmDir(opts.wasmDir);
      if (!dir) throw new Error(`${WASM_FILE} not found (looked in dist/wasm and node_modules)`);
      setWasmPaths(dir.endsWith('/') ? dir : dir + '/');
      await use('wasm');
      registerLabWasmKernels();
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const want = opts.threads ?? (Number(process.env.VAE_LAB_WASM_THREADS) || 2);
      const isa = simd ? (hasRelaxedSimd() ? ' SIMD + FMA' : ' SIMD') : '';
      // The native product, where built for this CPU, takes every product (and its own second
      // thread); the wasm pool is then not needed.
      const loaded = opts.native === false ? { gemm: null, why: '' } : loadNativeGemm();
      const nat = loaded.gemm;
      if (nat) {
        const threads = Math.max(1, Math.min(want, availableParallelism(), 2));
        nat.configure(threads, NATIVE_MIN_MACS);
        setNativeGemm(nat);
        return { backend: 'wasm', device: `CPU (wasm${isa}, native ${nat.isa()} GEMM, ${threads} thread${threads > 1 ? 's' : ''})`, threads };
      }
      setNativeGemm(null);
      const threads = await startPool(want);
      // No native product here (none prebuilt for this platform, none built, one that does not
      // load or has no kernel for this CPU): the status bar says so.
      const note = nativeNote(loaded.why);
      return { backend: 'wasm', device: `CPU (wasm${isa}, ${threads} thread${threads > 1 ? 's' : ''})`, threads, ...(note ? { note } : {}) };
    },
    cpu: async (): Promise<LoadedBackend> => {
      await use('cpu');
      return { backend: 'cpu', device: 'CPU (JavaScript, 1 thread)', threads: 1 };
    },
  };
}
