/**
 * Two cores for the wasm path. The threaded wasm build is disabled in Node, so a second
 * wasm instance runs in a worker thread (pool-worker.ts) and large products C = A B are
 * split by columns of B (splitGemm). The worker needs A and half of B copied into shared
 * memory and its half of C copied back: O(mk + kn + mn) against O(mkn) compute, plus a
 * wake-up, so only products of at least MIN_MACS multiply-adds are split.
 *
 * Off by default (loaders.ts: threads = $VAE_LAB_WASM_THREADS, else 1); initRuntime(.., { threads: 2 })
 * or VAE_LAB_WASM_THREADS=2 turns it on, and then products of at least MIN_MACS = 2^26
 * multiply-adds are split (WAE-sized convs, 1024^2 matmuls; the MLP VAE's stay on one thread).
 * Results are identical either way (test/unit/runtime/pool.test.ts).
 *
 * Why the split gave so little here (measured with per-thread CPU times from
 * /proc/self/task/<tid>/stat, 1024^2 matmul, load ~2): the worker runs the same SIMD binary
 * (WASM_HAS_SIMD_SUPPORT is true in the worker and it loads tfjs-backend-wasm-simd.wasm) and
 * its half costs what the main thread's half costs, ~100 ms CPU each against ~154 ms for the
 * whole product on one thread. Per half, on top of the arithmetic: XNNPACK packs a B it has not
 * seen on every call (+~9 ms for 1024x512 measured in one thread, fresh vs cached B; the
 * one-thread bench reuses one B tensor, whose packed weights the stock kernel caches), and A
 * (4 MB), half of B and half of C are copied through shared memory and the worker's heap.
 * And on this shared 2-vCPU machine the second core is usually busy with other work, so the
 * two halves time-share one core: more CPU, no less wall time. Worth turning on only where a
 * core is really free.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MessageChannel, MessagePort, Worker } from 'node:worker_threads';
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, free, WasmBackend } from './wasm/heap';
import { setGemmHook, stockGemm2d } from './wasm/matmul';
import { CTRL_INTS, DONE, EXIT, IDLE, JOB, NEW_BUFFER, State } from './pool-protocol';

/** Below this many multiply-adds (m*k*n) a product stays on one thread; see the bench. */
export let MIN_MACS = 1 << 26;
export function setMinMacs(v: number): void {
  MIN_MACS = v;
}

interface Pool { worker: Worker; ctrl: Int32Array; data: Float32Array; port: MessagePort }
let pool: Pool | undefined;

/**
 * The worker script: next to the bundle (dist/wasm-worker.js), or from source the .ts file,
 * which a worker can only load through tsx's require hook (workers do not inherit `--import tsx`).
 */
function workerScript(): { script: string; evalSource: boolean } | undefined {
  const bundled = join(__dirname, 'wasm-worker.js');
  if (existsSync(bundled)) return { script: bundled, evalSource: false };
  const source = join(__dirname, 'pool-worker.ts');
  try {
    const tsx = createRequire(__filename).resolve('tsx/cjs');
    if (existsSync(source)) return { script: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, evalSource: true };
  } catch {
    // no tsx: no worker from source
  }
  return undefined;
}

/**
 * Starts the worker (once) and routes large 2-D products through it. Returns the number of
 * threads in use: 1 when `threads` is 1, the machine has one core, or the worker fails.
 */
export async function startPool(wasmDir: string, threads = 2): Promise<number> {
  if (pool) return 2;
  threads = Math.min(threads, availableParallelism());
  const w = threads > 1 ? workerScript() : undefined;
  if (!w) return 1;
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_INTS * 4));
  const data = new Float32Array(new SharedArrayBuffer(4 << 20));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(w.script, {
    eval: w.evalSource,
    workerData: { wasmDir: wasmDir.endsWith('/') ? wasmDir : wasmDir + '/', ctrlBuffer: ctrl.buffer, dataBuffer: data.buffer, port: port2 },
    transferList: [port2],
  });
  const ok = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 30_000);
    worker.once('message', (m) => { clearTimeout(timer); resolve(m === 'ready'); });
    worker.once('error', () => { clearTimeout(timer); resolve(false); });
  });
  if (!ok) {
    await worker.terminate();
    return 1;
  }
  worker.unref();
  port1.unref();
  pool = { worker, ctrl, data, port: port1 };
  setGemmHook(splitGemm);
  return 2;
}

export async function stopPool(): Promise<void> {
  if (!pool) return;
  setGemmHook(null);
  Atomics.store(pool.ctrl, State.state, EXIT);
  Atomics.notify(pool.ctrl, State.state);
  await pool.worker.terminate();
  pool = undefined;
}

export function poolThreads(): number {
  return pool ? 2 : 1;
}

/** Grows the shared data buffer; the worker picks the new one up from the port. */
function ensure(p: Pool, floats: number): void {
  if (p.data.length >= floats) return;
  const buf = new SharedArrayBuffer(Math.ceil(floats * 1.25) * 4);
  p.data = new Float32Array(buf);
  p.port.postMessage(buf);
  p.ctrl[State.flags] |= NEW_BUFFER;
}

/** dst[r, 0:w] = src[r, c0:c0+w] for r < rows (row stride `stride` in src). */
function copyCols(dst: Float32Array, dOff: number, src: Float32Array, rows: number, stride: number, c0: number, w: number): void {
  for (let r = 0; r < rows; r++) dst.set(src.subarray(r * stride + c0, r * stride + c0 + w), dOff + r * w);
}

/**
 * C = A B split by columns: the main thread computes C[:, 0:n1] = A B[:, 0:n1], the worker
 * C[:, n1:n] = A B[:, n1:n]. Splitting columns (not rows) means each side packs only its half
 * of B, so the XNNPACK packing cost is shared too instead of paid twice.
 */
function splitGemm(backend: WasmBackend, a: tfc.TensorInfo, b: tfc.TensorInfo): tfc.TensorInfo | null {
  const p = pool;
  const [m, k] = a.shape;
  const n = b.shape[1];
  if (!p || n < 2 || m * k * n < MIN_MACS) return null;
  const n2 = n >> 1;
  const n1 = n - n2;
  // worker layout: [A (m*k) | B2 (k*n2) | C2 (m*n2)]
  ensure(p, m * k + k * n2 + m * n2);
  p.data.set(f32(backend, a).subarray(0, m * k), 0);
  copyCols(p.data, m * k, f32(backend, b), k, n, n1, n2);
  p.ctrl[State.m] = m;
  p.ctrl[State.k] = k;
  p.ctrl[State.n] = n2;
  Atomics.store(p.ctrl, State.state, JOB);
  Atomics.notify(p.ctrl, State.state);
  // Meanwhile, the left columns here.
  const b1 = alloc(backend, [k, n1]);
  copyCols(f32(backend, b1), 0, f32(backend, b), k, n, 0, n1);
  const c1 = stockGemm2d(backend, a, b1);
  const out = alloc(backend, [m, n]);
  Atomics.wait(p.ctrl, State.state, JOB);
  const done = Atomics.load(p.ctrl, State.state) === DONE;
  Atomics.store(p.ctrl, State.state, IDLE);
  try {
    const O = f32(backend, out);
    const C1 = f32(backend, c1);
    for (let r = 0; r < m; r++) O.set(C1.subarray(r * n1, (r + 1) * n1), r * n);
    if (done) {
      const c2 = m * k + k * n2;
      for (let r = 0; r < m; r++) O.set(p.data.subarray(c2 + r * n2, c2 + (r + 1) * n2), r * n + n1);
    } else {
      // The worker failed (out of memory?): compute its half here rather than fail the step.
      const b2 = alloc(backend, [k, n2]);
      copyCols(f32(backend, b2), 0, f32(backend, b), k, n, n1, n2);
      const c2 = stockGemm2d(backend, a, b2);
      const O2 = f32(backend, out);
      const C2 = f32(backend, c2);
      for (let r = 0; r < m; r++) O2.set(C2.subarray(r * n2, (r + 1) * n2), r * n + n1);
      free(backend, b2, c2);
    }
  } finally {
    free(backend, b1, c1);
  }
  return out;
}
