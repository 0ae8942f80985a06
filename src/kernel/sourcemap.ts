/**
 * Just enough of source maps (v3) to map a position in generated JavaScript back to the
 * cell's TypeScript: decode the base64-VLQ `mappings`, and look up the last segment at or
 * before a column. Format: https://sourcemaps.info/spec.html
 */

/** Per generated line (0-based): segments [genCol, srcLine, srcCol], sorted by genCol. */
export type LineMap = [number, number, number][][];

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...B64].map((c, i) => [c, i]));

/** Per generated line (0-based): segments [genCol, source, srcLine, srcCol] of every source. */
export function decodeAllMappings(mappings: string): [number, number, number, number][][] {
  const lines: [number, number, number, number][][] = [];
  let srcLine = 0;
  let srcCol = 0;
  let source = 0;
  for (const lineText of mappings.split(';')) {
    const segs: [number, number, number, number][] = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = DIGIT.get(ch)!;
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += fields[0];
      if (fields.length >= 4) {
        source += fields[1];
        srcLine += fields[2];
        srcCol += fields[3];
        segs.push([genCol, source, srcLine, srcCol]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

/** The segments of the first source only (a cell's map has one source). */
export function decodeMappings(mappings: string): LineMap {
  return decodeAllMappings(mappings).map((segs) => segs.filter((s) => s[1] === 0).map(([g, , l, c]) => [g, l, c] as [number, number, number]));
}

/** Original [line, column] (0-based) of a generated position, if the map covers it. */
export function lookup(map: LineMap, line: number, column: number): [number, number] | undefined {
  const segs = map[line];
  if (!segs || segs.length === 0) return undefined;
  let best = segs[0];
  for (const s of segs) {
    if (s[0] <= column) best = s;
    else break;
  }
  return [best[1], best[2]];
}
