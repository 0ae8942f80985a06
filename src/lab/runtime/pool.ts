/**
 * Threads for the wasm path. For now the main thread only (see the report in
 * test/bench/runtime.bench.ts for why).
 */
export async function startPool(_threads?: number): Promise<number> {
  return 1;
}
