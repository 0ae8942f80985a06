/**
 * What CUDA this machine has, found before "VAE Lab: Install GPU Runtime" downloads ~500 MB of
 * a package that may not load. @tensorflow/tfjs-node-gpu 4.22 runs libtensorflow 2.9.1, built
 * against CUDA 11.2 and cuDNN 8.1: it dlopens the CUDA 11 runtime (libcudart.so.11.0 on Linux,
 * cudart64_110.dll on Windows; every 11.x ships that soname) and cuDNN 8 (libcudnn.so.8,
 * cudnn64_8.dll). CUDA 12/13 and cuDNN 9 use other sonames, so they do not satisfy it: TensorFlow
 * then falls back to its CPU kernels or fails to load. The driver must also support CUDA 11.2+:
 * nvidia-smi's header names the newest CUDA the driver runs ("CUDA Version: 12.4"); a newer
 * driver runs the older 11.x runtime.
 *
 * `gpuPlan` is pure (facts in, verdict out) so it is unit-tested on fake nvidia-smi and library
 * listings; `probeCuda` gathers the facts on this machine (no vscode, no tfjs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter } from 'node:path';

export interface CudaFacts {
  platform: string;
  /** nvidia-smi's output, or undefined when it is not on PATH or failed (no NVIDIA driver). */
  nvidiaSmi?: string;
  /** File names of the CUDA runtime and cuDNN libraries found (any version). */
  libraries: string[];
}

export interface GpuPlan {
  /** True when tfjs-node-gpu 4.22 can be expected to load and use the GPU. */
  ok: boolean;
  /** One line per fact found (driver, CUDA runtimes, cuDNN). */
  found: string[];
  /** Why it cannot load, one line each, empty when ok. */
  problems: string[];
}

/** The driver's version and the newest CUDA it runs, from nvidia-smi's header. */
export function parseNvidiaSmi(text: string): { driver?: string; cuda?: string; gpus: string[] } {
  const driver = /Driver Version:\s*([\d.]+)/.exec(text)?.[1];
  const cuda = /CUDA Version:\s*([\d.]+)/.exec(text)?.[1];
  // Table rows: "|   0  NVIDIA H100 80GB HBM3    On  | ..." (the name follows the index).
  const gpus = [...text.matchAll(/^\|\s+\d+\s+(NVIDIA [^|]*?|Tesla [^|]*?|Quadro [^|]*?|GeForce [^|]*?)\s{2,}/gm)].map((m) => m[1].trim());
  return { driver, cuda, gpus };
}

/** Major versions present, from library file names: libcudart.so.11.0 -> 11, cudart64_110.dll -> 11, cudnn64_8.dll -> 8. */
export function libraryMajors(libraries: string[], kind: 'cudart' | 'cudnn'): number[] {
  const majors = new Set<number>();
  for (const name of libraries) {
    const linux = new RegExp(`^lib${kind}\\.so\\.(\\d+)`).exec(name);
    if (linux) majors.add(Number(linux[1]));
    // Windows: cudart64_110.dll (11.0), cudart64_12.dll, cudnn64_8.dll, cudnn64_9.dll
    const win = new RegExp(`^${kind}64_(\\d+)\\.dll$`, 'i').exec(name);
    if (win) majors.add(kind === 'cudart' && win[1].length === 3 ? Number(win[1].slice(0, 2)) : Number(win[1]));
  }
  return [...majors].sort((a, b) => a - b);
}

const versionAtLeast = (v: string, major: number, minor: number) => {
  const [a, b] = v.split('.').map(Number);
  return a > major || (a === major && (b || 0) >= minor);
};

export function gpuPlan(facts: CudaFacts): GpuPlan {
  const found: string[] = [];
  const problems: string[] = [];
  if (facts.nvidiaSmi === undefined) {
    problems.push('No NVIDIA driver found (nvidia-smi is not on PATH or failed): tfjs-node-gpu runs only on NVIDIA GPUs with CUDA.');
  } else {
    const smi = parseNvidiaSmi(facts.nvidiaSmi);
    found.push(
      `NVIDIA driver ${smi.driver ?? '(version not read)'}, runs CUDA up to ${smi.cuda ?? '(not read)'}${smi.gpus.length ? `; ${smi.gpus.join(', ')}` : ''}`,
    );
    if (smi.cuda && !versionAtLeast(smi.cuda, 11, 2))
      problems.push(`The driver runs CUDA up to ${smi.cuda}; tfjs-node-gpu needs 11.2 or newer (update the driver).`);
  }
  const cudart = libraryMajors(facts.libraries, 'cudart');
  const cudnn = libraryMajors(facts.libraries, 'cudnn');
  found.push(cudart.length ? `CUDA runtime ${cudart.map((m) => `${m}.x`).join(', ')}` : 'no CUDA runtime library (libcudart) on the library path');
  found.push(cudnn.length ? `cuDNN ${cudnn.join(', ')}` : 'no cuDNN library on the library path');
  if (!cudart.includes(11)) {
    problems.push(
      cudart.length
        ? `CUDA ${cudart.join(', ')} is installed but tfjs-node-gpu 4.22 (TensorFlow 2.9) loads only the CUDA 11 runtime (11.2 or a later 11.x), which can be installed beside it.`
        : 'The CUDA 11 runtime (11.2 or a later 11.x) is not on the library path.',
    );
  }
  if (!cudnn.includes(8)) {
    problems.push(cudnn.length ? `cuDNN ${cudnn.join(', ')} is installed but tfjs-node-gpu needs cuDNN 8.` : 'cuDNN 8 is not on the library path.');
  }
  return { ok: problems.length === 0, found, problems };
}

/** Library directories to look in: the loader's path variable, then the usual CUDA install folders. */
function libraryDirs(platform: string): string[] {
  if (platform === 'win32') {
    const cudaRoots = Object.entries(process.env)
      .filter(([k]) => /^CUDA_PATH/i.test(k))
      .map(([, v]) => `${v}\\bin`);
    return [...cudaRoots, ...(process.env.PATH ?? '').split(delimiter)].filter(Boolean);
  }
  const cuda = ['/usr/local/cuda/lib64', '/usr/local/cuda/targets/x86_64-linux/lib'];
  try {
    for (const d of readdirSync('/usr/local')) if (d.startsWith('cuda-')) cuda.push(`/usr/local/${d}/lib64`);
  } catch {
    // no /usr/local
  }
  return [...(process.env.LD_LIBRARY_PATH ?? '').split(delimiter), ...cuda].filter(Boolean);
}

/** Gathers the facts on this machine: nvidia-smi (5 s at most), `ldconfig -p` and the library folders. */
export function probeCuda(platform = process.platform): CudaFacts {
  const smi = spawnSync('nvidia-smi', [], { encoding: 'utf8', timeout: 5000, shell: false });
  const nvidiaSmi = smi.status === 0 && smi.stdout ? smi.stdout : undefined;
  const names = new Set<string>();
  const keep = (n: string) => {
    if (/^(lib)?(cudart|cudnn)(64_\d+\.dll|\.so\.\d)/i.test(n)) names.add(n);
  };
  if (platform === 'linux') {
    const ld = spawnSync('ldconfig', ['-p'], { encoding: 'utf8', timeout: 5000 });
    const ld2 = ld.status === 0 ? ld : spawnSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8', timeout: 5000 });
    for (const line of (ld2.stdout ?? '').split('\n')) keep(line.trim().split(/\s/)[0] ?? '');
  }
  for (const dir of libraryDirs(platform)) {
    if (!existsSync(dir)) continue;
    try {
      for (const n of readdirSync(dir)) keep(n);
    } catch {
      // unreadable folder
    }
  }
  return { platform, nvidiaSmi, libraries: [...names].sort() };
}
