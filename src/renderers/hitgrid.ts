/**
 * Uniform-grid index of line segments for hover hit-testing: testing all 10,000 arrows on
 * every mouse move would cost a full scan per event; a cell lists only the segments whose
 * bounding box touches it. Stored as CSR (offsets + flat index array) to stay two typed
 * arrays instead of thousands of small JS arrays. Pure (no DOM), so it is unit-testable.
 */

export interface HitGrid {
  cell: number; // cell size in the same units as the segments
  cols: number;
  rows: number;
  offsets: Int32Array; // cols*rows+1
  items: Int32Array;
}

/** `seg` holds [ax, ay, bx, by] per segment; coordinates outside [0, size) are clamped. */
export function buildHitGrid(seg: Float32Array, size: number, cell: number): HitGrid {
  const cols = Math.max(1, Math.ceil(size / cell)),
    rows = cols;
  const n = seg.length / 4;
  const clampC = (v: number) => Math.min(cols - 1, Math.max(0, Math.floor(v / cell)));
  const box = new Int32Array(4 * n);
  const counts = new Int32Array(cols * rows + 1);
  for (let i = 0; i < n; i++) {
    const ax = seg[4 * i],
      ay = seg[4 * i + 1],
      bx = seg[4 * i + 2],
      by = seg[4 * i + 3];
    const c0 = clampC(Math.min(ax, bx)),
      c1 = clampC(Math.max(ax, bx));
    const r0 = clampC(Math.min(ay, by)),
      r1 = clampC(Math.max(ay, by));
    box.set([c0, c1, r0, r1], 4 * i);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) counts[r * cols + c + 1]++;
  }
  for (let k = 1; k < counts.length; k++) counts[k] += counts[k - 1];
  const items = new Int32Array(counts[counts.length - 1]);
  const fill = counts.slice(0, cols * rows);
  for (let i = 0; i < n; i++) {
    for (let r = box[4 * i + 2]; r <= box[4 * i + 3]; r++) {
      for (let c = box[4 * i]; c <= box[4 * i + 1]; c++) items[fill[r * cols + c]++] = i;
    }
  }
  return { cell, cols, rows, offsets: counts, items };
}

/** Squared distance from point p to segment a-b. */
export function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax,
    dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  const ex = ax + t * dx - px,
    ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/** Index of the segment nearest to (x, y) within `radius`, or -1. Looks at neighbouring cells too. */
export function nearestSegment(g: HitGrid, seg: Float32Array, x: number, y: number, radius: number): number {
  let best = -1,
    bestD = radius * radius;
  const c0 = Math.max(0, Math.floor((x - radius) / g.cell)),
    c1 = Math.min(g.cols - 1, Math.floor((x + radius) / g.cell));
  const r0 = Math.max(0, Math.floor((y - radius) / g.cell)),
    r1 = Math.min(g.rows - 1, Math.floor((y + radius) / g.cell));
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const k = r * g.cols + c;
      for (let j = g.offsets[k]; j < g.offsets[k + 1]; j++) {
        const i = g.items[j];
        const d = segmentDistance2(x, y, seg[4 * i], seg[4 * i + 1], seg[4 * i + 2], seg[4 * i + 3]);
        if (d <= bestD) {
          bestD = d;
          best = i;
        }
      }
    }
  }
  return best;
}
