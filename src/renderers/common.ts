/**
 * Shared pieces of the browser renderers: the readable error box, VS Code theme colours,
 * decoding of the compact image stacks, pixel-crisp canvases, and payload checks.
 * Browser-only (runs in the notebook webview); never imports tfjs or vscode.
 */
import { base64ToBytes, PAYLOAD_VERSION, sheetCols, sheetSize, sheetToStack, type ImageShape } from '../common/mime';

/** Thrown for payloads that do not match their type; its message is shown to the user. */
export class PayloadError extends Error {}

/** Replaces the element's content with an error the user can read (never a blank box). */
export function showError(element: HTMLElement, what: string, err: unknown): void {
  const box = document.createElement('div');
  box.className = 'vae-lab-error';
  box.setAttribute('role', 'alert');
  box.style.cssText =
    'border:1px solid var(--vscode-errorForeground,#c00);color:var(--vscode-errorForeground,#c00);' +
    'padding:6px 8px;font:12px var(--vscode-editor-font-family,monospace);white-space:pre-wrap';
  const msg = err instanceof Error ? err.message : String(err);
  box.textContent = `VAE Lab could not draw this ${what}: ${msg}`;
  element.replaceChildren(box);
}

export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast';
  /** Dark background (dark and high-contrast dark; not high-contrast light). */
  dark: boolean;
  foreground: string;
  muted: string;
  font: string;
}

/**
 * Theme colours for DOM styles, as CSS variables: they follow a theme switch without a
 * re-render. Canvas drawing needs concrete colours: readTheme() (and watchTheme to redraw).
 */
export const CSS = {
  fg: 'var(--vscode-editor-foreground)',
  muted: 'var(--vscode-descriptionForeground)',
  font: 'var(--vscode-font-family, system-ui, sans-serif)',
};

/** Reads VS Code's theme from the webview's body classes and CSS variables (with fallbacks). */
export function readTheme(): Theme {
  const cls = document.body.classList;
  const kind =
    cls.contains('vscode-high-contrast') || cls.contains('vscode-high-contrast-light') ? 'high-contrast' : cls.contains('vscode-dark') ? 'dark' : 'light';
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const dark = kind !== 'light' && !cls.contains('vscode-high-contrast-light');
  return {
    kind,
    dark,
    foreground: v('--vscode-editor-foreground', dark ? '#d4d4d4' : '#1f1f1f'),
    muted: v('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#616161'),
    font: v('--vscode-font-family', 'system-ui, sans-serif'),
  };
}

export { classColour } from '../common/mime';

// ---------------------------------------------------------------- payload checks

export function requireObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PayloadError(`${what} is not an object`);
  return v as Record<string, unknown>;
}

export function requireVersion(p: Record<string, unknown>): void {
  if (typeof p.version !== 'number') throw new PayloadError('missing "version"');
  if (p.version > PAYLOAD_VERSION) {
    throw new PayloadError(`payload version ${p.version} is newer than this renderer (${PAYLOAD_VERSION}); update VAE Lab`);
  }
}

export function requireInt(v: unknown, what: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new PayloadError(`"${what}" must be an integer >= ${min}`);
  return v;
}

export function requireShape(p: Record<string, unknown>): ImageShape {
  const height = requireInt(p.height, 'height', 1);
  const width = requireInt(p.width, 'width', 1);
  if (p.channels !== 1 && p.channels !== 3) throw new PayloadError('"channels" must be 1 or 3');
  return { height, width, channels: p.channels };
}

/** Decodes an image stack and checks it holds exactly `count` images of `shape`. */
export function decodeImages(text: unknown, shape: ImageShape, count: number, what: string): Uint8Array {
  if (typeof text !== 'string') throw new PayloadError(`${what}: expected base64 pixels`);
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(text);
  } catch (e) {
    throw new PayloadError(`${what}: ${(e as Error).message}`);
  }
  const want = count * shape.height * shape.width * shape.channels;
  if (bytes.length !== want) throw new PayloadError(`${what}: ${bytes.length} bytes, expected ${want} (${count} images)`);
  return bytes;
}

/**
 * Decodes an image stack stored in either form of src/common/mime.ts (`encoding` absent or
 * 'raw': base64 pixels; 'png': a PNG sheet laid out by sheetCols) and checks it holds
 * exactly `count` images of `shape`. Async because browsers decode PNGs asynchronously.
 */
export async function decodeImageStack(text: unknown, encoding: unknown, shape: ImageShape, count: number, what: string): Promise<Uint8Array> {
  if (encoding === undefined || encoding === 'raw') return decodeImages(text, shape, count, what);
  if (encoding !== 'png') throw new PayloadError(`${what}: unknown image encoding ${JSON.stringify(encoding)}`);
  if (typeof text !== 'string') throw new PayloadError(`${what}: expected a base64 PNG`);
  if (count === 0) {
    if (text !== '') throw new PayloadError(`${what}: expected no images`);
    return new Uint8Array(0);
  }
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(text);
  } catch (e) {
    throw new PayloadError(`${what}: ${(e as Error).message}`);
  }
  const cols = sheetCols(shape, count),
    want = sheetSize(shape, count, cols);
  const rgba = await decodePngRgba(bytes, what);
  if (rgba.width !== want.width || rgba.height !== want.height) {
    throw new PayloadError(`${what}: PNG sheet is ${rgba.width}x${rgba.height}, expected ${want.width}x${want.height} (${count} images)`);
  }
  return sheetToStack(rgba.data, 4, shape, count, cols);
}

/**
 * The browser's own PNG decoder, exact for our files: they carry no gamma or colour profile,
 * colour-space conversion and alpha premultiplication are turned off, and the images are
 * opaque, so getImageData returns the stored bytes (gray g as RGB g, g, g).
 */
async function decodePngRgba(bytes: Uint8Array, what: string): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new PayloadError(`${what}: not a readable PNG image (${(e as Error).message})`);
  }
  try {
    const { width, height } = bitmap;
    const canvas =
      typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
    const ctx = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
    if (!ctx) throw new PayloadError(`${what}: no 2d canvas to decode the PNG`);
    ctx.drawImage(bitmap, 0, 0);
    return { width, height, data: ctx.getImageData(0, 0, width, height).data };
  } finally {
    bitmap.close();
  }
}

// ---------------------------------------------------------------- pixels

/**
 * Copies image `index` of a stack into `dst` RGBA at (x0, y0). Grayscale becomes gray RGB.
 * Kept as a plain loop: it runs for every image of a grid, and ImageData is what canvases take.
 */
export function blitImage(src: Uint8Array, shape: ImageShape, index: number, dst: ImageData, x0: number, y0: number): void {
  const { height: h, width: w, channels: c } = shape;
  const base = index * h * w * c;
  const out = dst.data;
  for (let y = 0; y < h; y++) {
    let s = base + y * w * c;
    let d = ((y0 + y) * dst.width + x0) * 4;
    for (let x = 0; x < w; x++, d += 4, s += c) {
      const r = src[s];
      out[d] = r;
      out[d + 1] = c === 3 ? src[s + 1] : r;
      out[d + 2] = c === 3 ? src[s + 2] : r;
      out[d + 3] = 255;
    }
  }
}

/**
 * Shows a native-resolution ImageData scaled by an integer factor, crisp at any zoom: the
 * backing store has one texel per device pixel, the scaling uses no smoothing, and CSS
 * `image-rendering: pixelated` keeps it sharp when VS Code zooms the webview afterwards.
 */
export function crispCanvas(image: ImageData, scale: number): HTMLCanvasElement {
  const dpr = window.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  const factor = Math.max(1, Math.round(scale * dpr));
  canvas.width = image.width * factor;
  canvas.height = image.height * factor;
  canvas.style.width = `${(image.width * factor) / dpr}px`;
  canvas.style.height = `${(image.height * factor) / dpr}px`;
  canvas.style.imageRendering = 'pixelated';
  const native = document.createElement('canvas');
  native.width = image.width;
  native.height = image.height;
  native.getContext('2d')!.putImageData(image, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(native, 0, 0, canvas.width, canvas.height);
  native.width = native.height = 0; // release the scratch canvas's memory now
  return canvas;
}

/** A floating tooltip inside `root`, positioned near the pointer. */
export function createTooltip(root: HTMLElement): HTMLDivElement {
  const tip = document.createElement('div');
  tip.className = 'vae-lab-tooltip';
  tip.style.cssText =
    `position:absolute;pointer-events:none;display:none;z-index:10;padding:4px 6px;font:12px ${CSS.font};` +
    'background:var(--vscode-editorHoverWidget-background,var(--vscode-editor-background));' +
    'color:var(--vscode-editorHoverWidget-foreground,var(--vscode-editor-foreground));' +
    'border:1px solid var(--vscode-editorHoverWidget-border,var(--vscode-descriptionForeground));white-space:nowrap';
  root.style.position = 'relative';
  root.appendChild(tip);
  return tip;
}

export function placeTooltip(tip: HTMLElement, root: HTMLElement, ev: MouseEvent): void {
  const r = root.getBoundingClientRect();
  tip.style.left = `${ev.clientX - r.left + 12}px`;
  tip.style.top = `${ev.clientY - r.top + 12}px`;
  tip.style.display = 'block';
}

/** Tracks per-output cleanups so disposeOutputItem(id) (or dispose of all) releases them. */
export class Disposables {
  private readonly byId = new Map<string, (() => void)[]>();
  add(id: string, fn: () => void): void {
    const list = this.byId.get(id) ?? [];
    list.push(fn);
    this.byId.set(id, list);
  }
  dispose(id?: string): void {
    const ids = id === undefined ? [...this.byId.keys()] : [id];
    for (const k of ids) {
      for (const fn of this.byId.get(k) ?? []) {
        try {
          fn();
        } catch {
          /* a failing cleanup must not stop the others */
        }
      }
      this.byId.delete(k);
    }
  }
}

/** Adds an event listener and registers its removal. */
export function listen<K extends keyof HTMLElementEventMap>(
  d: Disposables,
  id: string,
  el: HTMLElement,
  type: K,
  fn: (ev: HTMLElementEventMap[K]) => void,
): void {
  el.addEventListener(type, fn);
  d.add(id, () => el.removeEventListener(type, fn));
}

/**
 * Calls `redraw` when VS Code switches theme (it changes the body's classes), for outputs that
 * bake colours into canvases or chart configs. Removed with the output.
 */
export function watchTheme(d: Disposables, id: string, redraw: () => void): void {
  let last = document.body.className;
  const obs = new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    redraw();
  });
  obs.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  d.add(id, () => obs.disconnect());
}
