/**
 * Latent traversal renderer (application/vnd.vae-lab.traversal+json): rows = latent dims
 * (most active first), columns = offsets added to one base code. Controls pick the base
 * example, the dims and the range. While the kernel lives it decodes each choice on channel
 * `traversal:<id>`; otherwise (saved notebook, kernel gone) the saved frames are drawn and
 * only the choices they cover are enabled. A badge says which mode is active.
 * Images come as PNG sheets (payload version 2) or raw pixels (version 1, and any payload
 * without `encoding`); PNGs decode asynchronously, so parsing is async and drawing stays sync.
 */
import type { ActivationFunction } from 'vscode-notebook-renderer';
import type { ImageShape, TraversalFrames, TraversalPayload, TraversalRequest } from '../common/mime';
import {
  CSS,
  blitImage,
  createTooltip,
  crispCanvas,
  decodeImageStack,
  Disposables,
  listen,
  PayloadError,
  placeTooltip,
  requireInt,
  requireObject,
  requireShape,
  requireVersion,
  showError,
} from './common';
import { KernelChannel } from './messaging';

const REQUEST_TIMEOUT_MS = 15000;
const GAP = 1;

interface Frames {
  example: number;
  dims: number[];
  values: number[];
  pixels: Uint8Array;
}
export interface Parsed {
  shape: ImageShape;
  id: string;
  title?: string;
  kl: number[];
  order: number[];
  /** A name per dimension beside its row (absent, or not latentDim strings: just z<d>). */
  dimLabels?: string[];
  examples: Uint8Array;
  exampleCount: number;
  range: number;
  steps: number;
  frames: Frames[];
}

/** `encoding`: the payload's, used when the block names none. */
async function parseFrames(v: unknown, shape: ImageShape, what: string, encoding?: unknown): Promise<Frames> {
  const f = requireObject(v, what);
  const dims = f.dims,
    values = f.values;
  if (!Array.isArray(dims) || !dims.every(Number.isInteger)) throw new PayloadError(`${what}: "dims" must be integers`);
  if (!Array.isArray(values) || values.length === 0 || !values.every(Number.isFinite)) throw new PayloadError(`${what}: "values" must be numbers`);
  const example = requireInt(f.example, `${what}.example`);
  const pixels = await decodeImageStack(f.pixels, f.encoding ?? encoding, shape, dims.length * values.length, what);
  return { example, dims, values, pixels };
}

export async function parseTraversal(value: unknown): Promise<Parsed> {
  const p = requireObject(value, 'traversal payload');
  requireVersion(p);
  const shape = requireShape(p);
  if (typeof p.id !== 'string') throw new PayloadError('missing "id"');
  const latentDim = requireInt(p.latentDim, 'latentDim', 1);
  const kl = p.kl as number[],
    order = p.order as number[];
  if (!Array.isArray(kl) || kl.length !== latentDim) throw new PayloadError(`"kl" must list ${latentDim} numbers`);
  if (!Array.isArray(order) || !order.every((d) => Number.isInteger(d) && d >= 0 && d < latentDim)) throw new PayloadError('"order" must list latent dims');
  const exampleCount = requireInt(p.exampleCount, 'exampleCount', 1);
  const range = typeof p.range === 'number' && p.range > 0 ? p.range : 3;
  const steps = requireInt(p.steps, 'steps', 2);
  if (!Array.isArray(p.frames)) throw new PayloadError('"frames" must be an array');
  const [examples, ...frames] = await Promise.all([
    decodeImageStack(p.examples, p.encoding, shape, exampleCount, 'examples'),
    ...p.frames.map((f, i) => parseFrames(f, shape, `frames[${i}]`, p.encoding)),
  ]);
  return {
    shape,
    id: p.id,
    title: typeof p.title === 'string' ? p.title : undefined,
    kl,
    order,
    dimLabels: Array.isArray(p.dimLabels) && p.dimLabels.length === latentDim && p.dimLabels.every((l) => typeof l === 'string') ? p.dimLabels : undefined,
    exampleCount,
    range,
    steps,
    examples: examples as Uint8Array,
    frames: frames as Frames[],
  };
}

const disposables = new Disposables();

function el<K extends keyof HTMLElementTagNameMap>(tag: K, css = '', text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (css) e.style.cssText = css;
  if (text) e.textContent = text;
  return e;
}

/** Draws a parsed payload (see parseTraversal); synchronous, so nothing stale is drawn. */
export function renderTraversal(id: string, d: Parsed, element: HTMLElement, channel?: KernelChannel): void {
  const { width: w, height: h } = d.shape;
  const saved = (ex: number) => d.frames.find((f) => f.example === ex);
  const rowName = (dim: number) => (d.dimLabels ? `z${dim} ${d.dimLabels[dim]}` : `z${dim}`);
  const first = d.frames[0];
  const view: TraversalRequest = {
    example: first?.example ?? 0,
    dims: first ? [...first.dims] : d.order.slice(0, 8),
    range: d.range,
    steps: d.steps,
  };
  let live = false;
  let token = 0;

  const root = el('div', `color:${CSS.fg};font:12px ${CSS.font};padding:4px 0`);
  root.className = 'vae-lab-traversal';
  const header = el('div', 'display:flex;gap:8px;align-items:center;margin-bottom:4px');
  if (d.title) header.appendChild(el('b', '', d.title));
  const badge = el('span', `padding:1px 6px;border:1px solid ${CSS.muted};border-radius:8px`);
  badge.className = 'mode';
  const status = el('span', `color:${CSS.muted}`);
  status.className = 'status';
  header.append(badge, status);

  // Base-example thumbnails: clicking one makes it the base code.
  const thumbs = el('div', 'display:flex;gap:4px;flex-wrap:wrap;margin-bottom:4px;align-items:center');
  thumbs.appendChild(el('span', `color:${CSS.muted}`, 'base example:'));
  const thumbCanvases: HTMLCanvasElement[] = [];
  for (let i = 0; i < d.exampleCount; i++) {
    const img = new ImageData(w, h);
    blitImage(d.examples, d.shape, i, img, 0, 0);
    const c = crispCanvas(img, Math.max(1, Math.floor(32 / h)));
    c.className = 'thumb';
    c.dataset.example = String(i);
    c.style.cursor = 'pointer';
    c.style.border = `1px solid ${CSS.muted}`; // black digits on a dark theme need an edge
    listen(disposables, id, c, 'click', () => {
      if (live || saved(i)) {
        view.example = i;
        update();
      }
    });
    thumbCanvases.push(c);
    thumbs.appendChild(c);
  }

  // Dims in activity order with their KL, so the user sees why a row is flat.
  const dimsBox = el('div', 'display:flex;gap:6px;flex-wrap:wrap;margin-bottom:4px');
  dimsBox.appendChild(el('span', `color:${CSS.muted}`, 'dims (KL):'));
  const checks = new Map<number, HTMLInputElement>();
  for (const dim of d.order) {
    const label = el('label', 'white-space:nowrap');
    const cb = el('input');
    cb.type = 'checkbox';
    cb.value = String(dim);
    checks.set(dim, cb);
    listen(disposables, id, cb, 'change', () => {
      view.dims = d.order.filter((k) => checks.get(k)!.checked);
      update();
    });
    label.append(cb, ` z${dim} (${d.kl[dim].toFixed(2)})`);
    dimsBox.appendChild(label);
  }

  const rangeBox = el('div', 'display:flex;gap:6px;align-items:center;margin-bottom:6px');
  const range = el('input');
  Object.assign(range, { type: 'range', min: '0.5', max: '6', step: '0.5', value: String(view.range), className: 'range' });
  const rangeText = el('span');
  const steps = el('select');
  steps.className = 'steps';
  for (const s of new Set([5, 7, 9, 11, 13, d.steps])) steps.appendChild(Object.assign(el('option'), { value: String(s), textContent: `${s} steps` }));
  steps.value = String(view.steps);
  listen(disposables, id, range, 'input', () => {
    view.range = Number(range.value);
    update();
  });
  listen(disposables, id, steps, 'change', () => {
    view.steps = Number(steps.value);
    update();
  });
  rangeBox.append(el('span', `color:${CSS.muted}`, 'range ±'), range, rangeText, steps);

  const gridBox = el('div');
  gridBox.className = 'frames';
  root.append(header, thumbs, dimsBox, rangeBox, gridBox);
  const tip = createTooltip(root);

  /** Enables exactly the choices that can be shown in the current mode. */
  function syncControls(): void {
    badge.textContent = live ? 'live · decoded by the kernel' : 'saved frames';
    badge.dataset.mode = live ? 'live' : 'saved';
    const sv = saved(view.example);
    for (const [dim, cb] of checks) {
      cb.checked = view.dims.includes(dim);
      cb.disabled = !live && !sv?.dims.includes(dim);
    }
    range.value = String(view.range);
    range.disabled = steps.disabled = !live;
    rangeText.textContent = view.range.toFixed(1);
    steps.value = String(view.steps);
    thumbCanvases.forEach((c, i) => {
      c.style.outline = i === view.example ? `2px solid ${CSS.fg}` : 'none';
      c.style.opacity = live || saved(i) ? '1' : '0.35';
    });
  }

  function draw(f: Frames): void {
    const cols = f.values.length,
      rows = f.dims.length;
    if (rows === 0) {
      gridBox.replaceChildren(el('div', `color:${CSS.muted}`, 'pick at least one dim'));
      return;
    }
    const image = new ImageData(cols * (w + GAP) - GAP, rows * (h + GAP) - GAP);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) blitImage(f.pixels, d.shape, r * cols + c, image, c * (w + GAP), r * (h + GAP));
    // Fill ~640 px, but never blow one image past ~96 px: a few columns would otherwise be huge.
    const scale = Math.max(1, Math.min(Math.floor(96 / w), Math.floor(640 / (cols * (w + GAP)))));
    const canvas = crispCanvas(image, scale);
    const labels = el('div', `display:flex;flex-direction:column;gap:${GAP * scale}px;margin-right:6px;color:${CSS.muted}`);
    for (const dim of f.dims) labels.appendChild(el('div', `height:${h * scale}px;line-height:${h * scale}px`, rowName(dim)));
    const block = el('div', 'display:flex;align-items:flex-start');
    block.append(labels, canvas);
    const axis = el('div', `color:${CSS.muted};margin-top:2px`, `columns: base code + [${f.values.map((v) => v.toFixed(2)).join(', ')}]`);
    gridBox.replaceChildren(block, axis);
    canvas.addEventListener('mousemove', (ev) => {
      const rect = canvas.getBoundingClientRect();
      const c = Math.min(cols - 1, Math.floor(((ev.clientX - rect.left) / rect.width) * cols));
      const r = Math.min(rows - 1, Math.floor(((ev.clientY - rect.top) / rect.height) * rows));
      tip.textContent = `z${f.dims[r]} = base ${f.values[c] >= 0 ? '+' : ''}${f.values[c].toFixed(2)}${d.dimLabels ? ` (${d.dimLabels[f.dims[r]]})` : ''}`;
      placeTooltip(tip, root, ev);
    });
    canvas.addEventListener('mouseleave', () => {
      tip.style.display = 'none';
    });
    // The canvas is replaced on each redraw; its listeners go with it.
  }

  function drawSaved(note: string): void {
    const sv = saved(view.example) ?? first;
    if (!sv) {
      gridBox.replaceChildren(el('div', `color:${CSS.muted}`, 'no saved frames in this output'));
      return;
    }
    view.example = sv.example;
    const keep = sv.dims.map((dim, r) => ({ dim, r })).filter(({ dim }) => view.dims.includes(dim));
    const n = sv.values.length,
      size = w * h * d.shape.channels * n;
    const pixels = new Uint8Array(keep.length * size);
    keep.forEach(({ r }, i) => pixels.set(sv.pixels.subarray(r * size, (r + 1) * size), i * size));
    view.range = d.range;
    view.steps = d.steps;
    draw({ example: sv.example, dims: keep.map((k) => k.dim), values: sv.values, pixels });
    status.textContent = note;
  }

  function update(): void {
    const mine = ++token;
    if (!channel?.available) {
      live = false;
      syncControls();
      drawSaved('');
      syncControls();
      return;
    }
    syncControls();
    status.textContent = 'decoding…';
    channel
      .request(`traversal:${d.id}`, { ...view, dims: [...view.dims] }, REQUEST_TIMEOUT_MS)
      .then((reply) => parseFrames(reply, d.shape, 'kernel reply'))
      .then(
        (f) => {
          if (mine !== token) return; // a newer choice was made meanwhile
          live = true;
          draw(f);
          status.textContent = '';
          syncControls();
        },
        (err: Error) => {
          if (mine !== token) return;
          live = false;
          drawSaved(`kernel not answering (${err.message}): showing saved frames`);
          syncControls();
        },
      );
  }

  element.replaceChildren(root);
  drawSaved(''); // saved frames first, so the output is never empty while the kernel decodes
  syncControls();
  if (channel?.available) update();
  disposables.add(id, () => {
    token++;
    gridBox.replaceChildren();
  });
}

let channel: KernelChannel | undefined;
/** Latest render per output id: a render whose payload finished decoding after a newer render
 * (or a dispose) of the same output started draws nothing. */
const renders = new Map<string, number>();
let renderCount = 0;

export const activate: ActivationFunction = (ctx) => {
  channel = new KernelChannel(ctx);
  return {
    async renderOutputItem(item, element, signal) {
      disposables.dispose(item.id);
      const mine = ++renderCount;
      renders.set(item.id, mine);
      const current = () => renders.get(item.id) === mine && !signal?.aborted;
      try {
        const parsed = await parseTraversal(item.json() as TraversalPayload | unknown);
        if (current()) renderTraversal(item.id, parsed, element, channel);
      } catch (err) {
        if (current()) showError(element, 'latent traversal', err);
      }
    },
    disposeOutputItem(id) {
      if (id === undefined) renders.clear();
      else renders.delete(id);
      disposables.dispose(id);
    },
  };
};
