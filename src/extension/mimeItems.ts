/**
 * Turns a kernel's MIME bundle into the (mime, bytes) pairs of a VS Code notebook output.
 * Pure: no vscode import, so the encoding rules are unit-tested without an editor.
 *
 * The rules follow what VS Code's built-in ipynb serializer expects, so a saved .ipynb holds
 * the same data Jupyter would have written:
 * - binary images (png, jpeg, gif, ...) arrive base64-encoded over JSON and are decoded to raw
 *   bytes (the serializer base64-encodes them again on save);
 * - JSON mimes (`application/json`, anything `+json`) that arrive as objects are serialized;
 * - everything else is text.
 */
export interface EncodedItem {
  mime: string;
  data: Uint8Array;
}

const encoder = new TextEncoder();

/** Images stored as base64 strings in .ipynb (SVG is text, so it is not here). */
export function isBase64Image(mime: string): boolean {
  return mime.startsWith('image/') && mime !== 'image/svg+xml';
}

export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

export function encodeMimeValue(mime: string, value: unknown): Uint8Array {
  if (typeof value === 'string') {
    return isBase64Image(mime) ? Uint8Array.from(Buffer.from(value, 'base64')) : encoder.encode(value);
  }
  if (value instanceof Uint8Array) return value;
  // Objects (vega-lite specs, our renderer payloads) and numbers/booleans under a JSON mime.
  return encoder.encode(JSON.stringify(value ?? null));
}

/**
 * Encodes every entry of a bundle, keeping the kernel's order. VS Code picks which one to show
 * by its own display order (custom mimes with a renderer first, `text/plain` last), so the
 * `text/plain` and `image/png` fallbacks the kernel adds stay in the saved file untouched.
 */
export function encodeBundle(bundle: Record<string, unknown>): EncodedItem[] {
  const items: EncodedItem[] = [];
  for (const [mime, value] of Object.entries(bundle)) {
    if (value === undefined) continue;
    items.push({ mime, data: encodeMimeValue(mime, value) });
  }
  return items;
}
