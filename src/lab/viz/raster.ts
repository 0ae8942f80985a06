/**
 * A tiny RGB raster for the image/png fallbacks: image tiles and straight lines are all the
 * fallbacks need, so no canvas package (native, and absent here) is pulled in.
 */
import type { ImageStack } from './pixels';
import { pngBase64 } from './png';

export type RGB = [number, number, number];

export class Raster {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: RGB = [255, 255, 255],
  ) {
    this.data = new Uint8Array(width * height * 3);
    for (let i = 0; i < this.data.length; i += 3) this.data.set(background, i);
  }

  set(x: number, y: number, c: RGB): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.data.set(c, (y * this.width + x) * 3);
  }

  /** Draws image `index` of a stack at (x0, y0), each pixel as a scale x scale block. */
  blit(s: ImageStack, index: number, x0: number, y0: number, scale = 1): void {
    const { height: h, width: w, channels: ch } = s.shape;
    const base = index * h * w * ch;
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const p = base + (Math.floor(y / scale) * w + Math.floor(x / scale)) * ch;
        const v = s.pixels[p];
        this.set(x0 + x, y0 + y, ch === 3 ? [v, s.pixels[p + 1], s.pixels[p + 2]] : [v, v, v]);
      }
    }
  }

  /** Bresenham line; good enough for a static fallback picture. */
  line(x0: number, y0: number, x1: number, y1: number, c: RGB): void {
    x0 = Math.round(x0);
    y0 = Math.round(y0);
    x1 = Math.round(x1);
    y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0),
      dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1,
      sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (let guard = 0; guard < 1e5; guard++) {
      this.set(x0, y0, c);
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  rect(x: number, y: number, w: number, h: number, c: RGB): void {
    this.line(x, y, x + w - 1, y, c);
    this.line(x, y + h - 1, x + w - 1, y + h - 1, c);
    this.line(x, y, x, y + h - 1, c);
    this.line(x + w - 1, y, x + w - 1, y + h - 1, c);
  }

  /** A grayscale PNG when every pixel is gray (a third of the data: these pictures are saved in
   * the notebook beside each output), RGB otherwise. */
  png(): string {
    const d = this.data;
    for (let i = 0; i < d.length; i += 3) {
      if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return pngBase64(d, this.width, this.height, 3);
    }
    return pngBase64(
      d.filter((_, i) => i % 3 === 0),
      this.width,
      this.height,
      1,
    );
  }
}

/** Rows of image stacks (equal counts) tiled with a 1-pixel gap: the grid/traversal fallback. */
export function mosaicPng(rows: ImageStack[], scale: number): string {
  const { height: h, width: w } = rows[0].shape;
  const cols = rows[0].count,
    cw = w * scale + 1,
    ch = h * scale + 1;
  const r = new Raster(cols * cw - 1, rows.length * ch - 1);
  rows.forEach((row, i) => {
    for (let c = 0; c < cols; c++) r.blit(row, c, c * cw, i * ch, scale);
  });
  return r.png();
}

export function hexToRgb(hex: string): RGB {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
