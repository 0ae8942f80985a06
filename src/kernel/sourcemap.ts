/**
 * Source maps (v3) through @jridgewell/trace-mapping (the decoder esbuild, Babel and Jest
 * use): a position in generated JavaScript back to the cell's TypeScript or a local module's
 * source. `lookup` takes the last segment at or before the column on that line, else the
 * line's first segment (code before the first mapped token of a line still belongs to it).
 */
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor, TraceMap, type SourceMapInput } from '@jridgewell/trace-mapping';

export type LineMap = TraceMap;

/** A parsed source map (the JSON text or object TypeScript or esbuild wrote). */
export function parseMap(map: SourceMapInput): LineMap {
  return new TraceMap(map);
}

/** Original [line, column] (0-based) of a generated position (0-based), if the map covers that line. */
export function lookup(map: LineMap, line: number, column: number): [number, number] | undefined {
  for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
    const p = originalPositionFor(map, { line: line + 1, column, bias });
    if (p.line !== null) return [p.line - 1, p.column];
  }
  return undefined;
}

/** The source file (as the map names it) of a generated position, if mapped. */
export function sourceAt(map: LineMap, line: number, column: number): string | undefined {
  for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
    const p = originalPositionFor(map, { line: line + 1, column, bias });
    if (p.source !== null) return p.source;
  }
  return undefined;
}
