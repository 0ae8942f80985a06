/**
 * Two cores for the wasm path. The threaded tfjs wasm build is disabled in Node, and its heap
 * is not shared, so the second thread (pool-worker.ts) runs the lab's product kernels over a
 * shared wasm memory of its own. A large product's row panels are split: after matmul.ts has
 * packed A and B in the backend's heap, the worker gets packed B and the packed rows of its
 * half of A copied into the shared memory, computes its half of C there while this thread
 * computes the other half in the heap, and its half is copied back. The copies are
 * O(kn + mk/2 + mn/2) floats at memcpy speed against O(mkn/2) multiply-adds, so only products of
 * at least MIN_MACS multiply-adds are split (1024^2 matmuls, the conv VAE's bigger gradients,
 * WAE-sized layers; the MLP VAE's 64-row products stay on one thread).
 *
 * Results are bit-identical either way: each C tile is computed by the same kernel from the
 * same packed panels (test/unit/runtime/pool.test.ts).
 *
 * What it gains depends on the host: the 2 vCPUs here are sometimes two physical cores and
 * sometimes, minutes later, two hyperthreads of one (same machine, same binary, a 1024^2
 * product: 24 ms split vs 49 ms on one thread, then 48 vs 46). Splitting never cost more
 * than the copies (~1 ms there), so it is on by default (loaders.ts).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gemmWasm, MR, multiplyPanels, packedBBytes, panelsOf } from './wasm/gemm';
import { PanelJob, setPanelsHook } from './wasm/matmul';
import { CTRL_BYTES, DONE, EXIT, IDLE, JOB, State } from './pool-protocol';

/** Below this many multiply-adds (m*k*n) a product stays on one thread; see the bench. */
export let MIN_MACS = 1 << 25;
export function setMinMacs(v: number): void {
  MIN_MACS = v;
}

const PAGE = 65536;
/** The shared memory's ceiling (1 GiB): a larger product runs on one thread. */
const MAX_PAGES = 16384;

interface Pool {
  worker: Worker;
  memory: WebAssembly.Memory;
  ctrl: Int32Array;
}
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
 * Starts the worker (once) and routes large products through it. Returns the number of
 * threads in use: 1 when `threads` is 1, the machine has one core, or the worker fails.
 */
export async function startPool(threads = 2): Promise<number> {
  if (pool) return 2;
  threads = Math.min(threads, availableParallelism());
  const w = threads > 1 ? workerScript() : undefined;
  if (!w) return 1;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
  } catch {
    return 1; // no shared memory (no cross-origin isolation in a browser, say)
  }
  const worker = new Worker(w.script, { eval: w.evalSource, workerData: { module: gemmWasm(true), memory } });
  const ok = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 30_000);
    worker.once('message', (m) => {
      clearTimeout(timer);
      resolve(m === 'ready');
    });
    worker.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!ok) {
    await worker.terminate();
    return 1;
  }
  worker.unref();
  const p: Pool = { worker, memory, ctrl: new Int32Array(memory.buffer, 0, CTRL_BYTES / 4) };
  // A worker that dies (out of memory, killed) takes the pool with it: products go back to one thread.
  worker.once('exit', () => abandon(p));
  pool = p;
  setPanelsHook(splitPanels);
  return 2;
}

function abandon(p: Pool): void {
  if (pool !== p) return;
  pool = undefined;
  setPanelsHook(null);
}

export async function stopPool(): Promise<void> {
  if (!pool) return;
  setPanelsHook(null);
  Atomics.store(pool.ctrl, State.state, EXIT);
  Atomics.notify(pool.ctrl, State.state);
  await pool.worker.terminate();
  pool = undefined;
}

export function poolThreads(): number {
  return pool ? 2 : 1;
}

/** The worker thread, for tests that kill it. */
export function poolWorker(): Worker | undefined {
  return pool?.worker;
}

/** Grows the shared memory to hold `bytes`; false when it cannot (past MAX_PAGES). */
function ensure(p: Pool, bytes: number): boolean {
  const have = p.memory.buffer.byteLength;
  if (bytes <= have) return true;
  const pages = Math.ceil((bytes - have) / PAGE);
  if (have / PAGE + pages > MAX_PAGES) return false;
  p.memory.grow(pages);
  return true;
}

/**
 * Row panels [0, h) of C here, [h, mp) on the worker. The worker's layout in shared memory:
 * [control | packed B | its packed A panels | its C panels].
 */
function splitPanels(job: PanelJob): boolean {
  const p = pool;
  const { m, k, n, ldc } = job;
  const mp = panelsOf(m, MR);
  if (!p || mp < 2 || m * k * n < MIN_MACS) return false;
  const h = Math.ceil(mp / 2);
  const panelA = MR * k * 4;
  const panelC = MR * ldc;
  const bBytes = packedBBytes(k, n);
  const bp = CTRL_BYTES;
  const ap = bp + bBytes;
  const cp = ap + (mp - h) * panelA;
  if (!ensure(p, cp + (mp - h) * panelC)) return false;
  const shared = new Float32Array(p.memory.buffer);
  const heap = job.heap;
  shared.set(heap.subarray(job.bp / 4, (job.bp + bBytes) / 4), bp / 4);
  shared.set(heap.subarray((job.ap + h * panelA) / 4, (job.ap + mp * panelA) / 4), ap / 4);
  const c = p.ctrl;
  c[State.ap] = ap;
  c[State.bp] = bp;
  c[State.cp] = cp;
  c[State.ldc] = ldc;
  c[State.k] = k;
  c[State.n] = n;
  c[State.panels] = mp - h;
  Atomics.store(c, State.state, JOB);
  Atomics.notify(c, State.state);
  const t0 = performance.now();
  multiplyPanels(job.ex, job.ap, job.bp, job.cp, ldc, k, n, 0, h);
  // The worker's half is as big as ours: give it 20 times as long (and a second) before
  // deciding it is gone (this thread cannot see its 'exit' event while it waits).
  Atomics.wait(c, State.state, JOB, 1000 + 20 * (performance.now() - t0));
  const st = Atomics.load(c, State.state);
  if (st === JOB) {
    abandon(p);
    void p.worker.terminate(); // hung: stop it rather than leave it spinning on a core
  } else {
    Atomics.store(c, State.state, IDLE);
  }
  if (st === DONE) {
    // The worker's C panels, back into the heap: the whole-tile rows, as multiplyPanels wrote them.
    heap.set(shared.subarray(cp / 4, (cp + (mp - h) * panelC) / 4), (job.cp + h * panelC) / 4);
  } else {
    multiplyPanels(job.ex, job.ap, job.bp, job.cp + h * panelC, ldc, k, n, h, mp); // the worker failed or hung: its half here
  }
  return true;
}
