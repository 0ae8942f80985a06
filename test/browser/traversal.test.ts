import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIME_TRAVERSAL,
  type ImageShape,
  type RendererRequest,
  type RendererResponse,
  type TraversalFrames,
  type TraversalPayload,
} from '../../src/common/mime';
import { stackToPngBase64 } from '../../src/lab/viz/png';
import { startHarness, type Harness } from './harness';
import { framesPixels, labPayloads, rawTraversal, rgbTraversal, stackPixels } from './payloads';

let h: Harness;
let lab: Awaited<ReturnType<typeof labPayloads>>;
before(async () => {
  lab = await labPayloads();
  h = await startHarness();
});
after(async () => {
  lab.model.dispose();
  await h?.close();
});

type Win = { posted: RendererRequest[]; reply(m: RendererResponse): void };

/** Plays the extension + kernel: answers every posted request with the lab's handler (or an error). */
async function answer(error?: string): Promise<RendererRequest[]> {
  await h.page.waitForFunction(() => (window as unknown as Win).posted.length > 0);
  const reqs = await h.page.evaluate(() => (window as unknown as Win).posted.splice(0));
  for (const r of reqs) {
    assert.equal(r.channel, 'traversal:test');
    const reply: RendererResponse = error
      ? { type: 'response', reqId: r.reqId, error }
      : { type: 'response', reqId: r.reqId, payload: await lab.traversalHandle(r.payload) };
    await h.page.evaluate((m) => (window as unknown as Win).reply(m), reply);
  }
  return reqs;
}

/**
 * What a canvas shows at native resolution: `cols` x `rows` cells of w x h images with a
 * 1-px gap, drawn scaled by an integer factor; samples each image pixel's block centre and
 * returns the cells' RGB, image after image (row-major), as one HWC stack.
 */
async function drawnStack(selector: string, shape: ImageShape, cols: number, rows: number): Promise<Uint8Array> {
  const rgb = await h.page.$eval(
    selector,
    (c, [w, hh, cols, rows]) => {
      const canvas = c as HTMLCanvasElement,
        f = canvas.width / (cols * (w + 1) - 1);
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const out: number[] = [];
      for (let r = 0; r < rows; r++)
        for (let k = 0; k < cols; k++)
          for (let y = 0; y < hh; y++)
            for (let x = 0; x < w; x++) {
              const px = Math.floor((k * (w + 1) + x + 0.5) * f),
                py = Math.floor((r * (hh + 1) + y + 0.5) * f);
              const i = (py * canvas.width + px) * 4;
              out.push(data[i], data[i + 1], data[i + 2]);
            }
      return out;
    },
    [shape.width, shape.height, cols, rows] as const,
  );
  return Uint8Array.from(rgb);
}

/** A stack as the canvas shows it: RGB, gray g as (g, g, g). */
const asRgb = (px: Uint8Array, channels: number) => (channels === 3 ? px : Uint8Array.from({ length: px.length * 3 }, (_, i) => px[Math.floor(i / 3)]));

/** Checks the drawn frames and thumbnails of a saved-frames view pixel by pixel. */
async function checkSavedPixels(id: string, p: TraversalPayload, example: number): Promise<void> {
  const f = p.frames.find((b) => b.example === example)!;
  const drawn = await drawnStack(`#${id} .frames canvas`, p, f.values.length, f.dims.length);
  assert.deepEqual(drawn, asRgb(framesPixels(f, p, p.encoding), p.channels), `frames of example ${example}`);
  const ex = stackPixels(p.examples, p.encoding, p, p.exampleCount);
  const size = p.width * p.height * p.channels;
  for (let i = 0; i < p.exampleCount; i++) {
    const thumb = await drawnStack(`#${id} canvas.thumb >> nth=${i}`, p, 1, 1);
    assert.deepEqual(thumb, asRgb(ex.subarray(i * size, (i + 1) * size), p.channels), `thumbnail ${i}`);
  }
}

const mode = (id: string) => h.page.$eval(`#${id} .mode`, (e) => (e as HTMLElement).dataset.mode);
const gridSize = (id: string) => h.page.$eval(`#${id} .frames canvas`, (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);

test('saved frames without messaging: badge, rows in KL order, only saved choices enabled', async () => {
  await h.reset('light');
  const { id } = await h.mount('traversal', MIME_TRAVERSAL, lab.traversal);
  assert.equal(await mode(id), 'saved');
  assert.equal(await h.page.textContent(`#${id} .mode`), 'saved frames');
  const labels = await h.page.$$eval(`#${id} .frames > div:first-child > div:first-child > div`, (ds) => ds.map((d) => d.textContent));
  assert.deepEqual(
    labels,
    lab.traversal.order.slice(0, 6).map((d) => `z${d}`),
  );
  const disabled = await h.page.$$eval(`#${id} input[type=checkbox]`, (cs) => cs.map((c) => (c as HTMLInputElement).disabled));
  assert.deepEqual(disabled, [false, false, false, false, false, false, true, true]);
  assert.equal(await h.page.$eval(`#${id} input.range`, (r) => (r as HTMLInputElement).disabled), true);
  const [w0, h0] = await gridSize(id);
  await h.page.click(`#${id} input[type=checkbox] >> nth=0`);
  const [w1, h1] = await gridSize(id);
  assert.equal(w1, w0);
  assert.ok(h1 < h0, 'one row fewer after unticking a dim');
  const before = await h.page.$eval(`#${id} .frames canvas`, (c) => (c as HTMLCanvasElement).toDataURL());
  await h.page.click(`#${id} canvas.thumb >> nth=2`);
  const after2 = await h.page.$eval(`#${id} .frames canvas`, (c) => (c as HTMLCanvasElement).toDataURL());
  assert.notEqual(after2, before, 'another base example shows other frames');
  await h.screenshot('traversal-saved-light');
});

test('dimLabels: each row is named by its label; labels of the wrong length fall back to z<d>', async () => {
  await h.reset('light');
  const names = Array.from({ length: lab.traversal.latentDim }, (_, d) => `factor${d}`);
  const rowLabels = (id: string) => h.page.$$eval(`#${id} .frames > div:first-child > div:first-child > div`, (ds) => ds.map((d) => d.textContent));
  const { id } = await h.mount('traversal', MIME_TRAVERSAL, { ...lab.traversal, dimLabels: names });
  const rows = lab.traversal.order.slice(0, 6);
  assert.deepEqual(
    await rowLabels(id),
    rows.map((d) => `z${d} factor${d}`),
  );
  const bad = await h.mount('traversal', MIME_TRAVERSAL, { ...lab.traversal, dimLabels: ['only one'] });
  assert.deepEqual(
    await rowLabels(bad.id),
    rows.map((d) => `z${d}`),
  );
});

test('PNG-sheet payloads and old raw (version-1) payloads draw the same, exact pixels (grayscale)', async () => {
  assert.equal(lab.traversal.encoding, 'png');
  const old = rawTraversal(lab.traversal);
  assert.equal(old.version, 1);
  assert.ok(!('encoding' in old) && old.frames.every((f) => !('encoding' in f)));
  assert.ok(JSON.stringify(old).length > JSON.stringify(lab.traversal).length);
  await h.reset('light');
  const a = await h.mount('traversal', MIME_TRAVERSAL, lab.traversal);
  const b = await h.mount('traversal', MIME_TRAVERSAL, old);
  for (const { id } of [a, b]) {
    assert.equal(await mode(id), 'saved');
    await checkSavedPixels(id, lab.traversal, 0);
    await h.page.click(`#${id} canvas.thumb >> nth=3`);
    await checkSavedPixels(id, lab.traversal, 3);
  }
  await h.screenshot('traversal-png-vs-raw-light');
});

test('RGB traversals in both forms: exact colours, and another base example', async () => {
  await h.reset('dark');
  for (const form of ['png', 'raw'] as const) {
    const p = rgbTraversal(form);
    const { id } = await h.mount('traversal', MIME_TRAVERSAL, p);
    await checkSavedPixels(id, p, 0);
    await h.page.click(`#${id} canvas.thumb >> nth=1`);
    await checkSavedPixels(id, p, 1);
  }
  await h.screenshot('traversal-rgb-dark');
});

test('live mode: the kernel decodes each choice, and the picture follows', async () => {
  await h.reset('dark');
  const { id } = await h.mount('traversal', MIME_TRAVERSAL, lab.traversal, { messaging: true });
  const [first] = await answer();
  assert.deepEqual(first.payload, { example: 0, dims: lab.traversal.order.slice(0, 6), range: 3, steps: 9 });
  await h.page.waitForFunction((i) => document.querySelector(`#${i} .mode`)?.getAttribute('data-mode') === 'live', id);
  assert.equal(await h.page.$eval(`#${id} input[type=checkbox] >> nth=7`, (c) => (c as HTMLInputElement).disabled), false);
  // A dim the saved frames do not cover, a smaller range and fewer steps.
  await h.page.click(`#${id} input[type=checkbox] >> nth=7`);
  await answer();
  await h.page.$eval(`#${id} input.range`, (r) => {
    (r as HTMLInputElement).value = '1.5';
    r.dispatchEvent(new Event('input'));
  });
  await answer();
  await h.page.selectOption(`#${id} select.steps`, '5');
  const [last] = await answer();
  assert.deepEqual(last.payload, { example: 0, dims: [...lab.traversal.order.slice(0, 6), lab.traversal.order[7]], range: 1.5, steps: 5 });
  await h.page.waitForFunction((i) => document.querySelector(`#${i} .frames`)?.textContent?.includes('-1.50, -0.75, 0.00, 0.75, 1.50'), id);
  const [w, hh] = await gridSize(id);
  assert.ok(Math.abs(w / hh - (5 * 29 - 1) / (7 * 29 - 1)) < 0.01, '7 rows x 5 columns');
  assert.equal(await mode(id), 'live');
  // The kernel's reply is a PNG sheet; the picture holds exactly its pixels.
  const reply = (await lab.traversalHandle(last.payload)) as TraversalFrames;
  assert.equal(reply.encoding, 'png');
  assert.deepEqual(await drawnStack(`#${id} .frames canvas`, lab.traversal, 5, 7), asRgb(framesPixels(reply, lab.traversal), 1));
  await h.screenshot('traversal-live-dark');
});

test('kernel gone: falls back to the saved frames and says so', async () => {
  await h.reset('high-contrast');
  const { id } = await h.mount('traversal', MIME_TRAVERSAL, lab.traversal, { messaging: true });
  await answer('the kernel is not running');
  await h.page.waitForFunction((i) => document.querySelector(`#${i} .status`)?.textContent?.includes('kernel not answering'), id);
  assert.equal(await mode(id), 'saved');
  assert.equal(await h.page.$$eval(`#${id} .frames canvas`, (c) => c.length), 1);
  await h.screenshot('traversal-kernel-gone-hc');
});

test('malformed traversal payloads give a readable error', async () => {
  const shape = { height: 28, width: 28, channels: 1 } as const;
  const cases: [unknown, RegExp][] = [
    [{ ...lab.traversal, kl: [1] }, /"kl" must list/],
    [{ ...lab.traversal, frames: [{ example: 0, dims: [0], values: [0], pixels: 'AA', encoding: 'raw' }] }, /1 bytes, expected 784/],
    [{ ...lab.traversal, frames: [{ example: 0, dims: [0], values: [0], pixels: 'AAAA' }] }, /frames\[0\]: not a readable PNG/],
    [{ ...lab.traversal, examples: stackToPngBase64(new Uint8Array(784 * 3), shape, 3) }, /examples: PNG sheet is 84x28, expected 112x28/],
    [{ ...lab.traversal, encoding: 'jpeg' }, /unknown image encoding "jpeg"/],
    [{ ...lab.traversal, version: 99 }, /newer than this renderer/],
    [{}, /not an object|missing/],
  ];
  for (const [bad, why] of cases) {
    const { id } = await h.mount('traversal', MIME_TRAVERSAL, bad);
    const text = (await h.page.textContent(`#${id} .vae-lab-error`)) ?? '';
    assert.match(text, /could not draw this latent traversal: /);
    assert.match(text, why);
  }
});
