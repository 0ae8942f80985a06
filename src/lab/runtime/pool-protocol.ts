/** Control words shared by pool.ts and pool-worker.ts (an Int32Array over a SharedArrayBuffer). */
export const State = { state: 0, m: 1, k: 2, n: 3, flags: 4 } as const;
export const IDLE = 0;
export const JOB = 1;
export const DONE = 2;
export const FAILED = 3;
export const EXIT = 4;
/** flags bit: a bigger data buffer waits on the message port. */
export const NEW_BUFFER = 1;
export const CTRL_INTS = 8;
