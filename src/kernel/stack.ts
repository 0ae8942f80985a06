/**
 * Errors thrown by cells, as the user should read them: the message, and a stack whose frames
 * in cell code say `Cell N, line L:C` of the user's source (through the converter's source
 * map); frames inside the kernel itself and node's internals are dropped.
 */
import { inspect } from 'node:util';
import type { ErrorMessage } from '../common/protocol';

export interface CellScript {
  /** The cell's number; frames of a local module name its file instead (`label`). */
  cellNumber?: number;
  label?: string;
  /** 0-based position in the generated script body -> 0-based position in the cell. */
  map?: (line: number, column: number) => [number, number] | undefined;
  /** Lines the runner put before the generated code (its function wrapper). */
  headerLines: number;
}

const scripts = new Map<string, CellScript>();

export function registerScript(filename: string, script: CellScript): void {
  scripts.set(filename, script);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mapLocation(filename: string, line: number, column: number): string | undefined {
  const s = scripts.get(filename);
  if (!s) return undefined;
  const pos = s.map?.(line - 1 - s.headerLines, column - 1);
  if (!pos) return undefined;
  return s.label !== undefined ? `${s.label}:${pos[0] + 1}:${pos[1] + 1}` : `Cell ${s.cellNumber}, line ${pos[0] + 1}:${pos[1] + 1}`;
}

/** Rewrites one V8 stack text; `internal` says which frames to drop (the kernel's own file). */
export function mapStack(stack: string, internal: string): string {
  const lines = stack.split('\n');
  const out: string[] = [];
  const loc = /((?:[A-Za-z]:)?[^\s():]+):(\d+):(\d+)/;
  for (const line of lines) {
    if (!/^\s+at /.test(line)) {
      out.push(line);
      continue;
    }
    const m = loc.exec(line);
    if (m && scripts.has(m[1])) {
      // A frame with no source position is our wrapper calling the cell: not the user's code.
      const at = mapLocation(m[1], Number(m[2]), Number(m[3]));
      if (at) out.push(line.replace(new RegExp(`${escapeRegExp(m[1])}:${m[2]}:${m[3]}`), at));
      else if (scripts.get(m[1])!.label !== undefined) out.push(line);
    } else if (!line.includes(internal) && !/\(node:|at node:|\(<anonymous>\)$|vae-lab-resume\.js/.test(line)) {
      out.push(line);
    }
  }
  return out.join('\n');
}

/** The `error` message for a thrown value. */
export function errorMessage(execId: string, err: unknown, internal: string): ErrorMessage {
  if (err instanceof Error) {
    const stack = mapStack(err.stack ?? `${err.name}: ${err.message}`, internal);
    return { type: 'error', execId, ename: err.name, evalue: err.message, stack };
  }
  const text = inspect(err);
  return { type: 'error', execId, ename: 'Uncaught', evalue: text, stack: `Uncaught ${text}` };
}
