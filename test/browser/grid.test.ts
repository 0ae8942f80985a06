import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MIME_GRID } from '../../src/common/mime';
import { startHarness, type Harness } from './harness';
import { labPayloads, rgbGrid, tinyGrid } from './payloads';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

/** Reads the device pixel under native pixel (nx, ny) of the first canvas in an output. */
async function pixelAt(id: string, nativeWidth: number, nx: number, ny: number): Promise<number[]> {
  return h.page.evaluate(
    ([id, nw, x, y]) => {
      const c = document.querySelector<HTMLCanvasElement>(`#${id} canvas`)!;
      const f = c.width / nw;
      return [...c.getContext('2d')!.getImageData(Math.floor((x + 0.5) * f), Math.floor((y + 0.5) * f), 1, 1).data];
    },
    [id, nativeWidth, nx, ny] as const,
  );
}

test('grid draws exact pixels, crisp, with row labels and hover captions', async () => {
  await h.reset('light');
  const { id } = await h.mount('grid', MIME_GRID, tinyGrid());
  const nativeWidth = 3 * 5 - 1;
  assert.deepEqual(await pixelAt(id, nativeWidth, 2, 1), [255, 255, 255, 255], 'the white pixel is white');
  assert.deepEqual(await pixelAt(id, nativeWidth, 0, 0), [0, 0, 0, 255], 'its neighbour stays black');
  assert.deepEqual(await pixelAt(id, nativeWidth, 5, 0), [128, 128, 128, 255], 'second image is gray');
  assert.deepEqual(await pixelAt(id, nativeWidth, 1, 5), [200, 200, 200, 255], 'second row is the reconstruction');
  assert.equal((await pixelAt(id, nativeWidth, 4, 0))[3], 0, 'gaps are transparent');
  const style = await h.page.$eval(`#${id} canvas`, (c) => (c as HTMLCanvasElement).style.imageRendering);
  assert.equal(style, 'pixelated');
  const text = await h.page.textContent(`#${id}`);
  assert.match(text!, /recon\(x\)/);
  // Hover the white pixel: the tooltip names row, column and caption.
  const box = (await h.page.$(`#${id} canvas`))!;
  const b = (await box.boundingBox())!;
  await h.page.mouse.move(b.x + (2.5 / nativeWidth) * b.width, b.y + (1.5 / 9) * b.height);
  assert.equal(await h.page.textContent(`#${id} .vae-lab-tooltip`), 'x · #0 · class 7');
});

test('on a 2x display the canvas has one texel per device pixel and stays sharp', async () => {
  const hi = await startHarness({ deviceScaleFactor: 2 });
  try {
    const { id } = await hi.mount('grid', MIME_GRID, tinyGrid());
    const [w, cssW] = await hi.page.$eval(`#${id} canvas`, (c) => [(c as HTMLCanvasElement).width, c.getBoundingClientRect().width]);
    assert.equal(w, 2 * cssW);
    // No smoothing: the texel right next to the white pixel's block is pure black.
    const f = w / 14;
    const px = await hi.page.$eval(`#${id} canvas`, (c, [x, y]) => [...(c as HTMLCanvasElement).getContext('2d')!.getImageData(x, y, 1, 1).data], [
      Math.floor(3 * f),
      Math.floor(1.5 * f),
    ]);
    assert.deepEqual(px, [0, 0, 0, 255]);
    await hi.screenshot('grid-tiny-dpr2');
  } finally {
    await hi.close();
  }
});

test('grid draws RGB channels', async () => {
  const { id } = await h.mount('grid', MIME_GRID, rgbGrid());
  assert.deepEqual(await pixelAt(id, 2, 0, 0), [255, 0, 0, 255]);
  assert.deepEqual(await pixelAt(id, 2, 1, 0), [0, 255, 0, 255]);
  assert.deepEqual(await pixelAt(id, 2, 0, 1), [0, 0, 255, 255]);
});

test('malformed grid payloads give a readable error, never a blank box', async () => {
  const bad = [
    [{ version: 1, height: 4, width: 4, channels: 1, count: 3, rows: 'oops' }, /rows/],
    [{ ...tinyGrid(), rows: [{ label: 'x', pixels: 'AAAA' }] }, /3 bytes, expected 48/],
    [{ ...tinyGrid(), channels: 2 }, /channels/],
    [{ ...tinyGrid(), version: 99 }, /newer than this renderer/],
    ['not json at all', /./],
  ] as const;
  for (const [payload, msg] of bad) {
    const { id } = await h.mount('grid', MIME_GRID, payload);
    const err = await h.page.textContent(`#${id} .vae-lab-error`);
    assert.match(err ?? '', /could not draw this reconstruction grid/);
    assert.match(err ?? '', msg);
  }
});

test('grid of lab payloads in each theme (screenshots), disposal releases canvases', async () => {
  const { grid, model } = await labPayloads();
  model.dispose();
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    await h.reset(theme);
    const { id } = await h.mount('grid', MIME_GRID, grid);
    const colour = await h.page.$eval(`#${id} .vae-lab-grid`, (e) => getComputedStyle(e).color);
    assert.equal(colour, { light: 'rgb(31, 31, 31)', dark: 'rgb(204, 204, 204)', 'high-contrast': 'rgb(255, 255, 255)' }[theme]);
    assert.equal(await h.page.$$eval(`#${id} canvas`, (c) => c.length), 2, '32 images of 28 px wrap into two blocks');
    await h.screenshot(`grid-${theme}`);
    await h.page.evaluate((i) => (window as unknown as { dispose(n: string, i: string): void }).dispose('grid', i), id);
    assert.ok(await h.page.$$eval(`#${id} canvas`, (cs) => cs.every((c) => (c as HTMLCanvasElement).width === 0)));
  }
});
