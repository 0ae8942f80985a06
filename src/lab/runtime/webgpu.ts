/**
 * TensorFlow.js on WebGPU in Node: Dawn's Node bindings (the optional npm package `webgpu`,
 * a prebuilt dawn.node per platform) give a `navigator.gpu`, and @tensorflow/tfjs-backend-webgpu
 * (bundled) runs on it. This is the GPU path for machines tfjs-node-gpu cannot use: any Vulkan
 * GPU on Linux or Windows, Metal on macOS, D3D12 on Windows.
 *
 * Dawn is asked for an adapter through one native API at a time, in the order below, so the
 * lab knows (and says) which API the adapter runs on; GPUAdapterInfo does not tell. The last
 * entry on Linux, OpenGL ES in "compatibility" mode, is what a machine without a GPU has: Mesa's
 * llvmpipe, a software rasteriser. It computes the same numbers, 17-40x slower than the wasm
 * backend: auto never picks it, forcing `webgpu` does and says so. (Mesa's lavapipe Vulkan gives
 * no adapter: it lacks shaderUniform*ArrayDynamicIndexing, which Dawn requires.)
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RuntimeInfo } from '../../common/protocol';
import { LabError } from '../core/errors';
import { registerWebGpuFixes } from './webgpu-fixes';

/** A Dawn `backend=` toggle, the API it drives, and the feature level to ask for on it. */
interface Api {
  toggle: string;
  name: AdapterDescription['api'];
  featureLevel: 'core' | 'compatibility';
}

const VULKAN: Api = { toggle: 'vulkan', name: 'Vulkan', featureLevel: 'core' };
const GLES: Api = { toggle: 'opengles', name: 'GL', featureLevel: 'compatibility' };
const APIS: Record<string, Api[]> = {
  linux: [VULKAN, GLES],
  darwin: [{ toggle: 'metal', name: 'Metal', featureLevel: 'core' }],
  win32: [{ toggle: 'd3d12', name: 'D3D12', featureLevel: 'core' }, VULKAN],
};

/**
 * Whether this machine shows a GPU device node that a hardware adapter could run on. Auto asks
 * this before loading Dawn: without a GPU, Dawn only finds a software renderer (which auto never
 * takes) and prints its Vulkan warnings, with C++ source paths, on the terminal of every command.
 * Linux: a DRM render node (/dev/dri/renderD*: AMD, Intel, nouveau, Mesa), NVIDIA's proprietary
 * driver (/dev/nvidia0, /dev/nvidiactl) or WSL's GPU (/dev/dxg). macOS (Metal) and Windows
 * (D3D12) always have an adapter API, so there the probe itself decides.
 */
export function gpuDevicePresent(platform: string = process.platform, list: (dir: string) => string[] = listDir): boolean {
  if (platform !== 'linux') return true;
  if (list('/dev/dri').some((f) => f.startsWith('renderD'))) return true;
  return list('/dev').some((f) => f === 'nvidia0' || f === 'nvidiactl' || f === 'dxg');
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** What the status bar and RuntimeInfo say about the adapter (software: a CPU rasteriser). */
export type AdapterDescription = NonNullable<RuntimeInfo['adapter']>;

interface DawnAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface DawnAdapter {
  info?: DawnAdapterInfo;
  isFallbackAdapter?: boolean;
}
interface DawnGpu {
  requestAdapter(o: { featureLevel: string; powerPreference: string }): Promise<DawnAdapter | null>;
}
interface Dawn {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

export interface FoundAdapter {
  gpu: DawnGpu;
  adapter: DawnAdapter;
  info: AdapterDescription;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render|\bwarp\b/i;

export function isSoftware(info: DawnAdapterInfo, fallback = false): boolean {
  return fallback || !!info.isFallbackAdapter || SOFTWARE.test(`${info.device ?? ''} ${info.description ?? ''}`);
}

/**
 * The device string of RuntimeInfo: `GPU (WebGPU: nvidia ampere, NVIDIA RTX A6000, Vulkan)`, or
 * `CPU (WebGPU software renderer: llvmpipe..., GL; slower than wasm, for checks only)`.
 */
export function adapterDevice(a: AdapterDescription): string {
  const who = [a.vendor, a.architecture].filter(Boolean).join(' ');
  const dev = a.device || a.description || 'unknown adapter';
  const name = who ? `${who}, ${dev}` : dev;
  return a.software ? `CPU (WebGPU software renderer: ${name}, ${a.api}; slower than wasm, for checks only)` : `GPU (WebGPU: ${name}, ${a.api})`;
}

/**
 * What Mesa's EGL needs to open a display-less (surfaceless) GL context in a process with no
 * window system: EGL_PLATFORM=surfaceless, and an XDG_RUNTIME_DIR (a private folder; without
 * one Mesa logs an error per context). Set only where unset, so a user's own setting wins.
 */
export function prepareEnv(env: NodeJS.ProcessEnv = process.env, platform = process.platform): void {
  if (platform !== 'linux') return;
  env.EGL_PLATFORM ??= 'surfaceless';
  if (!env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `vae-lab-runtime-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    env.XDG_RUNTIME_DIR = dir;
  }
}

/** dist/webgpu/<platform>-<arch> as scripts/build.mjs lays it out, and the npm package's dist. */
function platformDir(): string {
  return `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
}

/**
 * dawn.node for this platform: next to the bundle (dist/webgpu, copied by the build), else in
 * an installed `webgpu` package (running from source, or one the user put next to the notebook).
 */
export function findDawn(moduleDirs: string[] = []): string | undefined {
  const candidates = [join(__dirname, 'webgpu', platformDir(), 'dawn.node')];
  for (const from of [__filename, ...moduleDirs.map((d) => join(d, '__vae_lab_lookup__.js'))]) {
    try {
      const pkg = dirname(createRequire(from).resolve('webgpu/package.json'));
      candidates.push(join(pkg, 'dist', platformDir(), 'dawn.node'));
    } catch {
      // not installed there
    }
  }
  return candidates.find((f) => existsSync(f));
}

let dawn: Dawn | undefined;
/** Every Dawn instance made stays referenced: the adapter and device die with their instance. */
const instances: DawnGpu[] = [];

function loadDawn(moduleDirs: string[]): Dawn {
  if (dawn) return dawn;
  const file = findDawn(moduleDirs);
  if (!file) throw new Error(`the optional package 'webgpu' (Dawn) has no prebuilt binary for ${platformDir()} here (not in dist/webgpu, not installed)`);
  prepareEnv();
  dawn = createRequire(__filename)(file) as Dawn;
  return dawn;
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Asks each API of this platform for an adapter; returns the first hardware one, else the
 * first software one, else throws with what each API said.
 */
export async function findAdapter(moduleDirs: string[], timeoutMs = 15000): Promise<FoundAdapter> {
  const d = loadDawn(moduleDirs);
  const apis = APIS[process.platform] ?? [VULKAN];
  const tried: string[] = [];
  let software: FoundAdapter | undefined;
  for (const api of apis) {
    try {
      const gpu = d.create([`backend=${api.toggle}`]);
      instances.push(gpu);
      const adapter = await within(
        gpu.requestAdapter({ featureLevel: api.featureLevel, powerPreference: 'high-performance' }),
        timeoutMs,
        `requestAdapter (${api.name})`,
      );
      if (!adapter) {
        tried.push(`${api.name}: no adapter`);
        continue;
      }
      const i = adapter.info ?? {};
      const info: AdapterDescription = {
        vendor: i.vendor ?? '',
        architecture: i.architecture ?? '',
        device: i.device ?? '',
        description: i.description ?? '',
        api: api.name,
        software: isSoftware(i, adapter.isFallbackAdapter),
      };
      if (!info.software) return { gpu, adapter, info };
      software ??= { gpu, adapter, info };
      tried.push(`${api.name}: software renderer ${info.device || info.description}`);
    } catch (e) {
      tried.push(`${api.name}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  if (software) return software;
  throw new Error(`no WebGPU adapter (${tried.join('; ')})`);
}

/**
 * Makes `found` the `navigator.gpu` that tfjs-backend-webgpu sees, then loads the backend: it
 * registers 'webgpu' at import time only if navigator.gpu exists, and its factory calls
 * navigator.gpu.requestAdapter(), which here answers with the adapter already chosen (with the
 * feature level that adapter needs). Dawn's GPU* constants (GPUBufferUsage...) become globals.
 * Node >= 21 has a global `navigator` of its own: `gpu` is added to it.
 */
export async function installWebGpu(found: FoundAdapter): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(dawn?.globals ?? {})) if (!(k in g)) g[k] = v;
  const gpu = { requestAdapter: async () => found.adapter, getPreferredCanvasFormat: () => 'rgba8unorm', wgslLanguageFeatures: new Set<string>() };
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav && typeof nav === 'object') Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(g, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const mod = await import('@tensorflow/tfjs-backend-webgpu');
  explainSyncReads(mod.WebGPUBackend.prototype as unknown as SyncReader);
  keepReadsOfDisposed(mod.WebGPUBackend.prototype as unknown as CpuCache);
  registerWebGpuFixes();
}

interface SyncReader {
  readSync(dataId: object): unknown;
  tensorMap: { get(id: object): { values?: unknown; dtype?: string } | undefined };
}

/**
 * A tensor read back synchronously (dataSync, arraySync, bufferSync) cannot work on WebGPU in
 * Node: the GPU answers a read through mapAsync, and tfjs-backend-webgpu's synchronous path
 * draws into an OffscreenCanvas, which Node lacks; the user would see "OffscreenCanvas is not
 * defined". Values already on the CPU (uploaded, not yet computed on) still read. Anything else
 * gets an error that names the asynchronous call to use instead.
 */
export class WebGpuSyncReadError extends LabError {
  constructor() {
    super(
      'The webgpu backend cannot read a tensor synchronously in Node (dataSync, arraySync, bufferSync): ' +
        'use `await t.data()` or `await t.array()`, or set `vaeLab.backend` (or --backend) to wasm for code that reads synchronously.',
    );
  }
}

const PATCHED = Symbol.for('vae-lab.webgpu.readSync');

export function explainSyncReads(proto: SyncReader): void {
  const p = proto as SyncReader & { [PATCHED]?: boolean };
  if (p[PATCHED] || 'OffscreenCanvas' in globalThis) return;
  const original = proto.readSync;
  p.readSync = function (this: SyncReader, dataId: object) {
    const d = this.tensorMap.get(dataId);
    // complex64 reads its real and imaginary parts through readSync again, so it is judged there
    if (d && d.values == null && d.dtype !== 'string' && d.dtype !== 'complex64') throw new WebGpuSyncReadError();
    return original.call(this, dataId);
  };
  p[PATCHED] = true;
}

interface CpuCache {
  convertAndCacheOnCPU(dataId: object, data: unknown): unknown;
  tensorMap: { has(id: object): boolean };
}

const PATCHED_CACHE = Symbol.for('vae-lab.webgpu.cacheOnCpu');

/**
 * tfjs-backend-webgpu 4.22 bug: `await t.data()` on a tensor disposed while the read is in
 * flight (`display(t); t.dispose()`) fails with "Cannot read properties of undefined
 * (reading 'backend')", because the read caches the values it got on a tensor record that is
 * gone. The values themselves
 * were copied off the GPU before the dispose, so the read now returns them uncached.
 */
export function keepReadsOfDisposed(proto: CpuCache): void {
  const p = proto as CpuCache & { [PATCHED_CACHE]?: boolean };
  if (p[PATCHED_CACHE]) return;
  const original = proto.convertAndCacheOnCPU;
  p.convertAndCacheOnCPU = function (this: CpuCache, dataId: object, data: unknown) {
    // has(), not get(): DataStorage.get of a missing id asks the engine to move the data here
    return this.tensorMap.has(dataId) ? original.call(this, dataId, data) : data;
  };
  p[PATCHED_CACHE] = true;
}
