/**
 * The second thread of the wasm path: its own tfjs-core + wasm instance (a worker has its own
 * heap), computing the right-hand columns of a product C = A B that pool.ts splits. It waits on a
 * shared control word, so the main thread hands it work with no event-loop round trip.
 * Shared data layout: [A (m*k) | B2 (k*n) | C2 (m*n)] float32 (n: the worker's columns).
 */
import { parentPort, receiveMessageOnPort, workerData, MessagePort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { DONE, EXIT, FAILED, JOB, NEW_BUFFER, State } from './pool-protocol';

async function main(): Promise<void> {
  const { wasmDir, ctrlBuffer, dataBuffer, port } = workerData as {
    wasmDir: string; ctrlBuffer: SharedArrayBuffer; dataBuffer: SharedArrayBuffer; port: MessagePort;
  };
  setWasmPaths(wasmDir);
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed in the worker');
  const ctrl = new Int32Array(ctrlBuffer);
  let data = new Float32Array(dataBuffer);
  parentPort!.postMessage('ready');
  for (;;) {
    // Sleep until the main thread posts a job. Waiting on whatever value is there (IDLE, or our
    // own DONE before the main thread has read it) keeps this thread off the CPU meanwhile.
    let st: number;
    while ((st = Atomics.load(ctrl, State.state)) !== JOB && st !== EXIT) Atomics.wait(ctrl, State.state, st);
    if (st === EXIT) return;
    if (ctrl[State.flags] & NEW_BUFFER) {
      data = new Float32Array(receiveMessageOnPort(port)!.message as SharedArrayBuffer);
      ctrl[State.flags] = 0;
    }
    const m = ctrl[State.m];
    const k = ctrl[State.k];
    const n = ctrl[State.n];
    try {
      // Not tf.tidy(() => ....dataSync()): tidy walks its return value looking for tensors, and
      // walking a Float32Array of m*n numbers one by one cost ~5x the product itself.
      const A = tf.tensor2d(data.subarray(0, m * k), [m, k]);
      const B = tf.tensor2d(data.subarray(m * k, m * k + k * n), [k, n]);
      const C = tf.matMul(A, B);
      const c = C.dataSync();
      tf.dispose([A, B, C]);
      data.set(c, m * k + k * n);
      Atomics.store(ctrl, State.state, DONE);
    } catch {
      Atomics.store(ctrl, State.state, FAILED);
    }
    Atomics.notify(ctrl, State.state);
  }
}

main().catch((e) => {
  parentPort!.postMessage(`failed: ${e instanceof Error ? e.message : String(e)}`);
});
