/**
 * The little of the wasm backend's surface that the lab's kernels use, typed once.
 *
 * A wasm kernel receives TensorInfos whose bytes live in the wasm heap. Intermediates made
 * inside a kernel are not seen by the engine, so every one of them must be freed here with
 * `free` (the engine only tracks the TensorInfo the kernel returns).
 *
 * Heap views (`f32`) are invalidated when the heap grows, and any `makeOutput` may grow it:
 * allocate everything first, then take views.
 */
import * as tfc from '@tensorflow/tfjs';

export interface WasmBackend {
  makeOutput(shape: number[], dtype: tfc.DataType): tfc.TensorInfo;
  typedArrayFromHeap(t: tfc.TensorInfo): tfc.TypedArray;
  disposeData(dataId: tfc.DataId, force?: boolean): boolean;
  /** One more owner of the bytes (disposeData frees them when the last owner goes). */
  incRef(dataId: tfc.DataId): void;
}

export interface KernelArgs {
  inputs: Record<string, tfc.TensorInfo>;
  backend: WasmBackend;
  attrs?: tfc.NamedAttrMap;
}

export type WasmKernelFunc = (args: KernelArgs) => tfc.TensorInfo;

/** A float32 view of a tensor's bytes in the heap (valid until the next allocation). */
export function f32(backend: WasmBackend, t: tfc.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function alloc(backend: WasmBackend, shape: number[], dtype: tfc.DataType = 'float32'): tfc.TensorInfo {
  return backend.makeOutput(shape, dtype);
}

export function free(backend: WasmBackend, ...ts: (tfc.TensorInfo | undefined)[]): void {
  for (const t of ts) if (t) backend.disposeData(t.dataId);
}

/** The same bytes under another shape (a TensorInfo is just dataId + shape + dtype). */
export function view(t: tfc.TensorInfo, shape: number[]): tfc.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * The stock wasm kernel of a name, captured before the lab replaces it, so replacements can
 * call the fast paths they route to (e.g. BatchMatMul with batch 1 and no transposes).
 */
const stock = new Map<string, WasmKernelFunc>();

export function captureStock(name: string): WasmKernelFunc | undefined {
  if (!stock.has(name)) {
    const k = tfc.getKernel(name, 'wasm');
    if (k) stock.set(name, k.kernelFunc as unknown as WasmKernelFunc);
  }
  return stock.get(name);
}

export function stockKernel(name: string): WasmKernelFunc {
  const k = captureStock(name);
  // Internal: the lab wraps only kernels tfjs-backend-wasm registers, so this means a broken install.
  if (!k) throw new Error(`wasm kernel '${name}' is not registered (tfjs-backend-wasm missing?)`);
  return k;
}
