/**
 * Breaks a busy loop that runs outside the cell's own script call, e.g. `while (true) {}`
 * after a top-level await, which neither the IPC `interrupt` message (the event loop is
 * blocked) nor vm's breakOnSigint (only active during the synchronous script run) reaches.
 *
 * A worker thread reads interrupt bytes from the control pipe (fd 4, opened by the client).
 * For each one it waits briefly for the main thread to acknowledge the matching IPC
 * `interrupt`; a free main thread does so at once. If the main thread is busy running a cell
 * and does not answer, the worker stops the running JavaScript through the inspector
 * (Runtime.terminateExecution) and tells the main thread, which ends the cell as interrupted.
 * Cell code runs from a microtask (see runner.ts): terminating there leaves node's own
 * bookkeeping intact, so the process and all cell state survive.
 */
import { fstatSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const CONTROL_FD = 4;
const GRACE_MS = 250;

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const inspector = require('node:inspector');
const state = new Int32Array(workerData.sab);
let requested = 0;
let session;
const pipe = new net.Socket({ fd: workerData.fd, readable: true, writable: false });
pipe.on('error', () => {});
pipe.on('data', (bytes) => {
  for (let i = 0; i < bytes.length; i++) {
    requested++;
    const deadline = Date.now() + workerData.graceMs;
    for (let acks = Atomics.load(state, 0); acks < requested && Date.now() < deadline; acks = Atomics.load(state, 0)) {
      Atomics.wait(state, 0, acks, deadline - Date.now());
    }
    if (Atomics.load(state, 0) >= requested || Atomics.load(state, 1) === 0) continue;
    if (!session) { session = new inspector.Session(); session.connectToMainThread(); }
    session.post('Runtime.terminateExecution', () => parentPort.postMessage('terminated'));
  }
});
`;

export interface Watchdog {
  /** The main thread handled an IPC `interrupt`. */
  ack(): void;
  /** A cell is running (only then may the worker terminate JavaScript). */
  setBusy(busy: boolean): void;
}

export function startWatchdog(onTerminated: () => void): Watchdog {
  let usable = false;
  try {
    const st = fstatSync(CONTROL_FD);
    usable = st.isFIFO() || st.isSocket();
  } catch {
    usable = false;
  }
  const state = new Int32Array(new SharedArrayBuffer(8));
  if (usable) {
    const worker = new Worker(workerSource, { eval: true, workerData: { sab: state.buffer, fd: CONTROL_FD, graceMs: GRACE_MS } });
    worker.on('message', () => onTerminated());
    worker.on('error', () => undefined);
    worker.unref();
  }
  return {
    ack() {
      Atomics.add(state, 0, 1);
      Atomics.notify(state, 0);
    },
    setBusy(busy) {
      Atomics.store(state, 1, busy ? 1 : 0);
    },
  };
}
