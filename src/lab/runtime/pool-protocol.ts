/**
 * Control words shared by pool.ts and pool-worker.ts: an Int32Array over the first bytes of
 * the shared wasm memory. A job is "row panels [0, panels) of C = A B", with packed A and B and
 * C at byte offsets of that memory (gemm.ts's multiplyPanels arguments).
 */
export const State = { state: 0, ap: 1, bp: 2, cp: 3, ldc: 4, k: 5, n: 6, panels: 7 } as const;
export const IDLE = 0;
export const JOB = 1;
export const DONE = 2;
export const FAILED = 3;
export const EXIT = 4;
export const CTRL_BYTES = 64;
