/**
 * Which cell owns the code that is running now. AsyncLocalStorage follows promises, timers
 * and callbacks, so output and displays from async work a cell started are attributed to that
 * cell even after it ended (and to no cell, i.e. the log, when none started it).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CellContext {
  execId: string;
  cellNumber: number;
  controller: AbortController;
}

export const cellStore = new AsyncLocalStorage<CellContext>();

export function currentCell(): CellContext | undefined {
  return cellStore.getStore();
}
