/**
 * The second thread of the wasm path: the lab's product kernels (gemm.ts) instantiated over
 * the shared memory pool.ts hands it, computing the row panels of C that pool.ts gives it. It
 * waits on a control word in that memory, so the main thread hands it work with no
 * event-loop round trip. No tfjs here: the worker starts in milliseconds and holds only the
 * shared memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { instantiateGemm, multiplyPanels } from './wasm/gemm';
import { CTRL_BYTES, DONE, EXIT, FAILED, JOB, State } from './pool-protocol';

const { module, memory } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory };
const ex = instantiateGemm(module, memory);
const ctrl = new Int32Array(memory.buffer, 0, CTRL_BYTES / 4);
parentPort!.postMessage('ready');
for (;;) {
  // Sleep until the main thread posts a job. Waiting on whatever value is there (IDLE, or our
  // own DONE before the main thread has read it) keeps this thread off the CPU meanwhile.
  let st: number;
  while ((st = Atomics.load(ctrl, State.state)) !== JOB && st !== EXIT) Atomics.wait(ctrl, State.state, st);
  if (st === EXIT) break;
  try {
    multiplyPanels(ex, ctrl[State.ap], ctrl[State.bp], ctrl[State.cp], ctrl[State.ldc], ctrl[State.k], ctrl[State.n], 0, ctrl[State.panels]);
    Atomics.store(ctrl, State.state, DONE);
  } catch {
    Atomics.store(ctrl, State.state, FAILED);
  }
  Atomics.notify(ctrl, State.state);
}
