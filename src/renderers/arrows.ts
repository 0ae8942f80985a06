/**
 * Consistency-arrow renderer (application/vnd.vae-lab.arrows+json), the CR-VAE paper's
 * Figure 1: per model a 2-D view of z(x) -> z(x~), one arrow per pair coloured by class,
 * all panels on the same axis scale. Smooth at 10,000 pairs: one path per class colour (a few
 * stroke calls instead of 10,000), and hover hit-testing through a uniform grid of cells.
 */
import type { ActivationFunction } from 'vscode-notebook-renderer';
import { base64ToBytes, base64ToFloat32, type ArrowsPayload, type ImageShape } from '../common/mime';
import {
  CSS,
  blitImage,
  watchTheme,
  classColour,
  createTooltip,
  crispCanvas,
  decodeImages,
  Disposables,
  listen,
  PayloadError,
  placeTooltip,
  readTheme,
  requireInt,
  requireObject,
  requireShape,
  requireVersion,
  showError,
  type Theme,
} from './common';
import { buildHitGrid, nearestSegment } from './hitgrid';

const PANEL = 300; // CSS pixels, square
const PAD = 8;

interface Panel {
  title: string;
  from: Float32Array;
  to: Float32Array;
  meanArrow: number;
  meanCentreDistance: number;
  ratio: number;
  explained?: number;
}
interface Parsed {
  count: number;
  labels: Uint8Array;
  classNames: string[];
  extent: [number, number, number, number];
  axis: [string, string];
  title?: string;
  panels: Panel[];
  images?: { shape: ImageShape; count: number; x: Uint8Array; xTilde: Uint8Array };
}

export function parseArrows(value: unknown): Parsed {
  const p = requireObject(value, 'arrows payload');
  requireVersion(p);
  const count = requireInt(p.count, 'count', 1);
  const labels = base64ToBytes(p.labels as string);
  if (labels.length !== count) throw new PayloadError(`"labels" has ${labels.length} entries, expected ${count}`);
  const classNames = Array.isArray(p.classNames) ? p.classNames.map(String) : [];
  const extent = p.extent as number[];
  if (!Array.isArray(extent) || extent.length !== 4 || !extent.every(Number.isFinite) || extent[1] <= extent[0] || extent[3] <= extent[2]) {
    throw new PayloadError('"extent" must be [xmin, xmax, ymin, ymax] with min < max');
  }
  const proj = requireObject(p.projection, 'projection');
  const axis: [string, string] = proj.kind === 'dims' && Array.isArray(proj.dims) ? [`z[${proj.dims[0]}]`, `z[${proj.dims[1]}]`] : ['PC1', 'PC2'];
  if (!Array.isArray(p.panels) || p.panels.length === 0) throw new PayloadError('"panels" must be a non-empty array');
  const panels = p.panels.map((v, i): Panel => {
    const q = requireObject(v, `panel ${i}`);
    const from = base64ToFloat32(q.from as string),
      to = base64ToFloat32(q.to as string);
    if (from.length !== 2 * count || to.length !== 2 * count) throw new PayloadError(`panel ${i}: "from"/"to" must hold ${count} points`);
    const num = (k: string) => (typeof q[k] === 'number' ? (q[k] as number) : NaN);
    return {
      title: String(q.title ?? `panel ${i + 1}`),
      from,
      to,
      meanArrow: num('meanArrow'),
      meanCentreDistance: num('meanCentreDistance'),
      ratio: num('ratio'),
      explained: typeof q.explained === 'number' ? q.explained : undefined,
    };
  });
  let images: Parsed['images'];
  if (p.images !== undefined) {
    const im = requireObject(p.images, 'images');
    const shape = requireShape(im);
    const n = requireInt(im.count, 'images.count', 0);
    images = { shape, count: n, x: decodeImages(im.x, shape, n, 'images.x'), xTilde: decodeImages(im.xTilde, shape, n, 'images.xTilde') };
  }
  return {
    count,
    labels,
    classNames,
    extent: extent as Parsed['extent'],
    axis,
    panels,
    images,
    title: typeof p.title === 'string' ? p.title : undefined,
  };
}

/** Data -> CSS pixel mapping shared by every panel (same scale; y up). */
function mapper(extent: Parsed['extent']) {
  const [x0, x1, y0, y1] = extent;
  const s = Math.min((PANEL - 2 * PAD) / (x1 - x0), (PANEL - 2 * PAD) / (y1 - y0));
  const cx = (x0 + x1) / 2,
    cy = (y0 + y1) / 2;
  return { x: (v: number) => PANEL / 2 + (v - cx) * s, y: (v: number) => PANEL / 2 - (v - cy) * s };
}

function hiDpiCanvas(): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const dpr = window.devicePixelRatio || 1;
  const c = document.createElement('canvas');
  c.width = c.height = Math.round(PANEL * dpr);
  c.style.cssText = `width:${PANEL}px;height:${PANEL}px;position:absolute;left:0;top:0`;
  const ctx = c.getContext('2d')!;
  ctx.scale(dpr, dpr); // draw in CSS pixels, rasterise in device pixels
  return [c, ctx];
}

/** Draws all arrows of one panel: one stroke per class (batched path). */
function drawArrows(ctx: CanvasRenderingContext2D, d: Parsed, px: Float32Array, theme: Theme): void {
  const n = d.count;
  ctx.strokeStyle = theme.muted;
  ctx.globalAlpha = 0.5;
  ctx.strokeRect(0.5, 0.5, PANEL - 1, PANEL - 1);
  // Denser plots get more transparency so overlaps read as density instead of a solid blob.
  ctx.globalAlpha = Math.min(1, Math.max(0.25, Math.sqrt(500 / n)));
  ctx.lineWidth = n > 2000 ? 1 : 1.5;
  const classes = new Set(d.labels);
  for (const k of classes) {
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      if (d.labels[i] !== k) continue;
      const ax = px[4 * i],
        ay = px[4 * i + 1],
        bx = px[4 * i + 2],
        by = px[4 * i + 3];
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
      const len = Math.hypot(bx - ax, by - ay);
      if (len > 3) {
        // arrowhead: two short strokes back from the head at +-25 degrees
        const ux = (ax - bx) / len,
          uy = (ay - by) / len,
          hl = Math.min(5, len / 2);
        const c = Math.cos(0.44),
          s = Math.sin(0.44);
        // Separate segments, not a polyline: joins made stroking 3x slower at 10,000 arrows.
        ctx.moveTo(bx, by);
        ctx.lineTo(bx + hl * (ux * c - uy * s), by + hl * (uy * c + ux * s));
        ctx.moveTo(bx, by);
        ctx.lineTo(bx + hl * (ux * c + uy * s), by + hl * (uy * c - ux * s));
      }
    }
    ctx.strokeStyle = classColour(k);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

/**
 * Whether every finite point of a panel (tails and heads) sits at one place: a latent space
 * collapsed to a point (as after a very short run) makes every arrow zero-length and the PCA
 * axes arbitrary. Relative tolerance, float32 codes: a spread under 1e-6 of their size.
 */
function coincident(panel: Panel): boolean {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const a of [panel.from, panel.to]) {
    for (let i = 0; i < a.length; i += 2) {
      if (!Number.isFinite(a[i]) || !Number.isFinite(a[i + 1])) continue;
      x0 = Math.min(x0, a[i]);
      x1 = Math.max(x1, a[i]);
      y0 = Math.min(y0, a[i + 1]);
      y1 = Math.max(y1, a[i + 1]);
    }
  }
  if (!Number.isFinite(x0)) return true;
  const size = Math.max(1, Math.abs(x0), Math.abs(x1), Math.abs(y0), Math.abs(y1));
  return Math.max(x1 - x0, y1 - y0) <= 1e-6 * size;
}

/**
 * A collapsed panel: one dot per class at the common point (on a small ring when several
 * classes share it, so every class colour shows), or a cross in the middle when no code is
 * finite. Never an empty frame.
 */
function drawCoincident(ctx: CanvasRenderingContext2D, d: Parsed, px: Float32Array, theme: Theme): void {
  ctx.strokeStyle = theme.muted;
  ctx.globalAlpha = 0.5;
  ctx.strokeRect(0.5, 0.5, PANEL - 1, PANEL - 1);
  ctx.globalAlpha = 1;
  let cx = NaN,
    cy = NaN;
  for (let i = 0; i < d.count && !Number.isFinite(cx + cy); i++) [cx, cy] = [px[4 * i], px[4 * i + 1]];
  if (!Number.isFinite(cx + cy)) {
    ctx.strokeStyle = theme.muted;
    ctx.beginPath();
    ctx.moveTo(PANEL / 2 - 8, PANEL / 2 - 8);
    ctx.lineTo(PANEL / 2 + 8, PANEL / 2 + 8);
    ctx.moveTo(PANEL / 2 + 8, PANEL / 2 - 8);
    ctx.lineTo(PANEL / 2 - 8, PANEL / 2 + 8);
    ctx.stroke();
    return;
  }
  const classes = [...new Set(d.labels)].sort((a, b) => a - b);
  const ring = classes.length > 1 ? 9 : 0;
  classes.forEach((k, j) => {
    const t = (2 * Math.PI * j) / classes.length;
    ctx.beginPath();
    ctx.arc(cx + ring * Math.cos(t), cy - ring * Math.sin(t), 4.5, 0, 2 * Math.PI);
    ctx.fillStyle = classColour(k);
    ctx.fill();
  });
}

const el = (tag: string) => document.createElement(tag);

function fmt(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : '–';
}

/** The statistics line under a panel; when there is no ratio it says why instead of a dash. */
function statsLines(panel: Panel): [string, string] {
  const explained = panel.explained !== undefined ? ` · axes explain ${(100 * panel.explained).toFixed(0)}% of var.` : '';
  if (Number.isFinite(panel.ratio)) {
    return [
      `mean arrow / class-centre distance = ${fmt(panel.ratio)}`,
      `(${fmt(panel.meanArrow)} / ${fmt(panel.meanCentreDistance)} in latent space)${explained}`,
    ];
  }
  const why =
    panel.meanCentreDistance === 0
      ? 'the class centres coincide'
      : Number.isFinite(panel.meanCentreDistance)
        ? 'not computed'
        : 'no class-centre distance given';
  const arrow = Number.isFinite(panel.meanArrow) ? `mean arrow ${fmt(panel.meanArrow)} in latent space` : 'no mean arrow given';
  return [`no arrow / class-centre ratio: ${why}`, `(${arrow})${explained}`];
}

function pairImages(d: Parsed, i: number): HTMLElement | null {
  if (!d.images || i >= d.images.count) return null;
  const { shape } = d.images;
  const img = new ImageData(shape.width * 2 + 1, shape.height);
  blitImage(d.images.x, shape, i, img, 0, 0);
  blitImage(d.images.xTilde, shape, i, img, shape.width + 1, 0);
  return crispCanvas(img, Math.max(1, Math.floor(64 / shape.width)));
}

const disposables = new Disposables();

export function renderArrows(id: string, payload: ArrowsPayload | unknown, element: HTMLElement): void {
  const d = parseArrows(payload);
  const theme = readTheme();
  const map = mapper(d.extent);
  const root = document.createElement('div');
  root.className = 'vae-lab-arrows';
  root.style.cssText = `color:${CSS.fg};font:12px ${CSS.font};padding:4px 0`;
  const head = document.createElement('div');
  head.style.cssText = 'display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin-bottom:6px';
  if (d.title) head.append(Object.assign(document.createElement('b'), { textContent: d.title }));
  for (const k of [...new Set(d.labels)].sort((a, b) => a - b)) {
    const item = document.createElement('span');
    item.className = 'legend-item';
    item.innerHTML = `<span style="display:inline-block;width:10px;height:10px;margin-right:4px;background:${classColour(k)}"></span>`;
    item.append(d.classNames[k] ?? String(k));
    head.appendChild(item);
  }
  const note = document.createElement('span');
  note.style.color = CSS.muted;
  note.textContent = `z(x) → z(x̃), ${d.count} pairs, axes ${d.axis.join(' / ')}, same scale in every panel`;
  head.appendChild(note);
  const row = document.createElement('div');
  row.style.cssText = 'display:flex;flex-wrap:wrap;gap:12px';
  root.append(head, row);
  const tip = createTooltip(root);

  for (const panel of d.panels) {
    const px = new Float32Array(4 * d.count); // CSS-pixel segments [ax, ay, bx, by]
    for (let i = 0; i < d.count; i++) {
      px[4 * i] = map.x(panel.from[2 * i]);
      px[4 * i + 1] = map.y(panel.from[2 * i + 1]);
      px[4 * i + 2] = map.x(panel.to[2 * i]);
      px[4 * i + 3] = map.y(panel.to[2 * i + 1]);
    }
    const fig = document.createElement('figure');
    fig.className = 'vae-lab-panel';
    fig.style.cssText = `margin:0;width:${PANEL}px`; // fixed width: captions wrap instead of pushing panels apart
    const title = document.createElement('figcaption');
    title.textContent = panel.title;
    title.style.cssText = 'font-weight:600;text-align:center';
    const stage = document.createElement('div');
    stage.style.cssText = `position:relative;width:${PANEL}px;height:${PANEL}px`;
    const [canvas, ctx] = hiDpiCanvas();
    const [overlay, octx] = hiDpiCanvas();
    const collapsed = coincident(panel);
    if (collapsed) drawCoincident(ctx, d, px, theme);
    else drawArrows(ctx, d, px, theme);
    stage.append(canvas, overlay);
    const stats = document.createElement('div');
    stats.className = 'vae-lab-stats';
    stats.style.cssText = `text-align:center;color:${CSS.muted}`;
    const [line1, line2] = statsLines(panel);
    stats.textContent = line1;
    stats.appendChild(el('br'));
    stats.append(line2);
    fig.append(title, stage);
    if (collapsed) {
      const why = document.createElement('div');
      why.className = 'vae-lab-degenerate';
      why.style.cssText = 'text-align:center;font-weight:600';
      why.textContent = panel.from.some(Number.isFinite)
        ? `All ${d.count} codes coincide: z(x) and z(x̃) of every pair are one point (a dot per class), so there are no arrows to draw. The latent space has collapsed; train longer.`
        : 'No finite codes to draw (every z is NaN or infinite).';
      fig.append(why);
    }
    fig.append(stats);
    row.appendChild(fig);

    const grid = buildHitGrid(px, PANEL, 12);
    let hovered = -1;
    listen(disposables, id, overlay, 'mousemove', (ev) => {
      const r = overlay.getBoundingClientRect();
      const i = nearestSegment(grid, px, ev.clientX - r.left, ev.clientY - r.top, 5);
      if (i !== hovered) {
        hovered = i;
        octx.clearRect(0, 0, PANEL, PANEL);
        if (i >= 0) {
          octx.strokeStyle = theme.foreground;
          octx.lineWidth = 3;
          octx.beginPath();
          octx.moveTo(px[4 * i], px[4 * i + 1]);
          octx.lineTo(px[4 * i + 2], px[4 * i + 3]);
          octx.stroke();
        }
      }
      if (i < 0) {
        tip.style.display = 'none';
        return;
      }
      const len = Math.hypot(panel.to[2 * i] - panel.from[2 * i], panel.to[2 * i + 1] - panel.from[2 * i + 1]);
      tip.replaceChildren(`#${i} · ${d.classNames[d.labels[i]] ?? d.labels[i]} · 2-D length ${fmt(len)}`);
      const pair = pairImages(d, i);
      if (pair) {
        const cap = document.createElement('div');
        cap.style.color = CSS.muted;
        cap.textContent = 'x  |  x̃';
        tip.append(document.createElement('br'), pair, cap);
      }
      placeTooltip(tip, root, ev);
    });
    listen(disposables, id, overlay, 'mouseleave', () => {
      hovered = -1;
      octx.clearRect(0, 0, PANEL, PANEL);
      tip.style.display = 'none';
    });
    disposables.add(id, () => {
      canvas.width = canvas.height = overlay.width = overlay.height = 0;
    });
  }
  element.replaceChildren(root);
}

export const activate: ActivationFunction = () => ({
  renderOutputItem(item, element) {
    disposables.dispose(item.id);
    const draw = () => {
      try {
        renderArrows(item.id, item.json(), element);
        watchTheme(disposables, item.id, () => {
          disposables.dispose(item.id);
          draw();
        }); // canvas colours are baked
      } catch (err) {
        showError(element, 'consistency-arrow plot', err);
      }
    };
    draw();
  },
  disposeOutputItem(id) {
    disposables.dispose(id);
  },
});
