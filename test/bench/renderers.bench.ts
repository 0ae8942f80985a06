/**
 * Renderer speed in the browser (headless chromium, the real bundles): time from
 * renderOutputItem to finished rasterisation, median of repeated renders of one output.
 *   render_grid_ms    64 images 28x28 grayscale, originals + reconstructions (128 tiles)
 *   render_arrows_ms  one panel of 10,000 arrow pairs (10 classes)
 * Run: npm run bench -- renderers
 */
import { bytesToBase64, MIME_ARROWS, MIME_GRID, PAYLOAD_VERSION, type ArrowsPayload, type GridPayload } from '../../src/common/mime';
import { startHarness } from '../browser/harness';
import { blobImages, syntheticArrows } from '../browser/payloads';

const REPEATS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const h = await startHarness();
  try {
    const blobs = blobImages(64);
    const grid: GridPayload = {
      version: PAYLOAD_VERSION,
      height: 28,
      width: 28,
      channels: 1,
      count: 64,
      rows: [
        { label: 'x', pixels: bytesToBase64(blobs.pixels) },
        { label: 'recon(x)', pixels: bytesToBase64(blobs.pixels.map((v) => 255 - v)) },
      ],
    };
    const full = syntheticArrows(10_000);
    const arrows: ArrowsPayload = { ...full, panels: full.panels.slice(0, 1) };
    for (const [name, renderer, mime, payload] of [
      ['render_grid_ms', 'grid', MIME_GRID, grid],
      ['render_arrows_ms', 'arrows', MIME_ARROWS, arrows],
    ] as const) {
      const times: number[] = [];
      await h.mount(renderer, mime, payload, { id: 'bench' }); // warm-up: module load and JIT
      for (let i = 0; i < REPEATS; i++) times.push((await h.mount(renderer, mime, payload, { id: 'bench' })).ms);
      console.log(`${name}: ${median(times).toFixed(1)}`);
    }
  } finally {
    await h.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
