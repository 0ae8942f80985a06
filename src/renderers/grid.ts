/**
 * Reconstruction grid renderer (application/vnd.vae-lab.grid+json): rows of equally sized
 * images (originals, reconstructions, optionally transformed inputs and theirs), wrapped into
 * blocks of columns so 64 images stay readable; row labels at the left, captions on hover.
 */
import type { ActivationFunction } from 'vscode-notebook-renderer';
import type { GridPayload, ImageShape } from '../common/mime';
import {
  CSS,
  blitImage,
  createTooltip,
  crispCanvas,
  decodeImages,
  Disposables,
  listen,
  placeTooltip,
  PayloadError,
  requireInt,
  requireObject,
  requireShape,
  requireVersion,
  showError,
} from './common';

/** Target width of one block in CSS pixels; decides columns per block and the zoom factor. */
const BLOCK_WIDTH = 960;
const GAP = 1; // native pixels between images, left transparent so the theme background shows

interface ParsedGrid {
  shape: ImageShape;
  count: number;
  title?: string;
  rows: { label: string; pixels: Uint8Array }[];
  captions?: string[];
}

export function parseGrid(value: unknown): ParsedGrid {
  const p = requireObject(value, 'grid payload');
  requireVersion(p);
  const shape = requireShape(p);
  const count = requireInt(p.count, 'count', 1);
  if (!Array.isArray(p.rows) || p.rows.length === 0) throw new PayloadError('"rows" must be a non-empty array');
  const rows = p.rows.map((r, i) => {
    const row = requireObject(r, `row ${i}`);
    const label = typeof row.label === 'string' ? row.label : `row ${i}`;
    return { label, pixels: decodeImages(row.pixels, shape, count, `row "${label}"`) };
  });
  let captions: string[] | undefined;
  if (p.captions !== undefined) {
    if (!Array.isArray(p.captions) || p.captions.length !== count) throw new PayloadError(`"captions" must list ${count} strings`);
    captions = p.captions.map(String);
  }
  return { shape, count, rows, captions, title: typeof p.title === 'string' ? p.title : undefined };
}

const disposables = new Disposables();

export function renderGrid(id: string, payload: GridPayload | unknown, element: HTMLElement): void {
  const g = parseGrid(payload);
  const { width: w, height: h } = g.shape;
  const perBlock = Math.max(1, Math.min(g.count, Math.floor(BLOCK_WIDTH / (2 * (w + GAP)))));
  const scale = Math.max(1, Math.min(8, Math.floor(BLOCK_WIDTH / (perBlock * (w + GAP)))));

  const root = document.createElement('div');
  root.className = 'vae-lab-grid';
  root.style.cssText = `color:${CSS.fg};font:12px ${CSS.font};padding:4px 0`;
  if (g.title) {
    const t = document.createElement('div');
    t.textContent = g.title;
    t.style.cssText = 'font-weight:600;margin-bottom:4px';
    root.appendChild(t);
  }
  const tip = createTooltip(root);

  for (let start = 0; start < g.count; start += perBlock) {
    const cols = Math.min(perBlock, g.count - start);
    const image = new ImageData(cols * (w + GAP) - GAP, g.rows.length * (h + GAP) - GAP);
    g.rows.forEach((row, r) => {
      for (let c = 0; c < cols; c++) blitImage(row.pixels, g.shape, start + c, image, c * (w + GAP), r * (h + GAP));
    });
    const canvas = crispCanvas(image, scale);
    canvas.dataset.firstColumn = String(start);

    const labels = document.createElement('div');
    labels.style.cssText = `display:flex;flex-direction:column;gap:${GAP * scale}px;margin-right:6px;text-align:right;color:${CSS.muted}`;
    for (const row of g.rows) {
      const l = document.createElement('div');
      l.textContent = row.label;
      l.style.cssText = `height:${h * scale}px;line-height:${h * scale}px`;
      labels.appendChild(l);
    }
    const block = document.createElement('div');
    block.style.cssText = 'display:flex;align-items:flex-start;margin-bottom:6px';
    block.append(labels, canvas);
    root.appendChild(block);

    // Map the pointer to (row, column) in native pixels; gaps show no tooltip.
    listen(disposables, id, canvas, 'mousemove', (ev) => {
      const rect = canvas.getBoundingClientRect();
      const nx = ((ev.clientX - rect.left) / rect.width) * image.width;
      const ny = ((ev.clientY - rect.top) / rect.height) * image.height;
      const c = Math.floor(nx / (w + GAP)),
        r = Math.floor(ny / (h + GAP));
      if (c < 0 || c >= cols || r < 0 || r >= g.rows.length || nx % (w + GAP) >= w || ny % (h + GAP) >= h) {
        tip.style.display = 'none';
        return;
      }
      const col = start + c;
      tip.textContent = `${g.rows[r].label} · #${col}${g.captions ? ` · ${g.captions[col]}` : ''}`;
      placeTooltip(tip, root, ev);
    });
    listen(disposables, id, canvas, 'mouseleave', () => {
      tip.style.display = 'none';
    });
    disposables.add(id, () => {
      canvas.width = canvas.height = 0;
    });
  }
  element.replaceChildren(root);
}

export const activate: ActivationFunction = () => ({
  renderOutputItem(item, element) {
    disposables.dispose(item.id); // a re-render of the same output replaces the old one
    try {
      renderGrid(item.id, item.json(), element);
    } catch (err) {
      showError(element, 'reconstruction grid', err);
    }
  },
  disposeOutputItem(id) {
    disposables.dispose(id);
  },
});
