/**
 * Two cores for the wasm path. The threaded wasm build is disabled in Node, so a second
 * wasm instance runs in a worker thread (pool-worker.ts) and large products C = A B are
 * split by rows: the main thread computes C[0:m1] while the worker computes C[m1:m].
 * The worker needs A's bottom rows and all of B copied into shared memory and C2 copied
 * back, and packs B's weights again on its side; that overhead is O(mk + kn + mn) against
 * O(mkn) compute, so only products of at least MIN_MACS multiply-adds are split.
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
export let MIN_MACS = 1 << 23;
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
export async function startPool(wasmDir: string, threads = Math.min(2, availableParallelism())): Promise<number> {
  if (pool) return 2;
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

function splitGemm(backend: WasmBackend, a: tfc.TensorInfo, b: tfc.TensorInfo): tfc.TensorInfo | null {
  const p = pool;
  const [m, k] = a.shape;
  const n = b.shape[1];
  if (!p || m < 2 || m * k * n < MIN_MACS) return null;
  const m2 = m >> 1;
  const m1 = m - m2;
  ensure(p, m2 * k + k * n + m2 * n);
  p.data.set(f32(backend, a).subarray(m1 * k, m * k), 0);
  p.data.set(f32(backend, b).subarray(0, k * n), m2 * k);
  p.ctrl[State.m] = m2;
  p.ctrl[State.k] = k;
  p.ctrl[State.n] = n;
  Atomics.store(p.ctrl, State.state, JOB);
  Atomics.notify(p.ctrl, State.state);
  // Meanwhile, the top rows here.
  const a1 = alloc(backend, [m1, k]);
  f32(backend, a1).set(f32(backend, a).subarray(0, m1 * k));
  const c1 = stockGemm2d(backend, a1, b);
  const out = alloc(backend, [m, n]);
  Atomics.wait(p.ctrl, State.state, JOB);
  const done = Atomics.load(p.ctrl, State.state) === DONE;
  Atomics.store(p.ctrl, State.state, IDLE);
  try {
    if (!done) {
      // The worker failed (out of memory?): compute its half here rather than fail the step.
      const a2 = alloc(backend, [m2, k]);
      f32(backend, a2).set(f32(backend, a).subarray(m1 * k, m * k));
      const c2 = stockGemm2d(backend, a2, b);
      f32(backend, out).set(f32(backend, c2), m1 * n);
      free(backend, a2, c2);
    } else {
      f32(backend, out).set(p.data.subarray(m2 * k + k * n, m2 * k + k * n + m2 * n), m1 * n);
    }
    f32(backend, out).set(f32(backend, c1), 0);
  } finally {
    free(backend, a1, c1);
  }
  return out;
}
