import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MIME_TRAVERSAL, type RendererRequest, type RendererResponse } from '../../src/common/mime';
import { startHarness, type Harness } from './harness';
import { labPayloads } from './payloads';

let h: Harness;
const lab = labPayloads();
before(async () => { h = await startHarness(); });
after(async () => { lab.model.dispose(); await h?.close(); });

type Win = { posted: RendererRequest[]; reply(m: RendererResponse): void };

/** Plays the extension + kernel: answers every posted request with the lab's handler (or an error). */
async function answer(error?: string): Promise<RendererRequest[]> {
  await h.page.waitForFunction(() => (window as unknown as Win).posted.length > 0);
  const reqs = await h.page.evaluate(() => (window as unknown as Win).posted.splice(0));
  for (const r of reqs) {
    assert.equal(r.channel, 'traversal:test');
    const reply: RendererResponse = error ? { type: 'response', reqId: r.reqId, error } : { type: 'response', reqId: r.reqId, payload: lab.traversalHandle(r.payload) };
    await h.page.evaluate((m) => (window as unknown as Win).reply(m), reply);
  }
  return reqs;
}

const mode = (id: string) => h.page.$eval(`#${id} .mode`, (e) => (e as HTMLElement).dataset.mode);
const gridSize = (id: string) => h.page.$eval(`#${id} .frames canvas`, (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);

test('saved frames without messaging: badge, rows in KL order, only saved choices enabled', async () => {
  await h.reset('light');
  const { id } = await h.mount('traversal', MIME_TRAVERSAL, lab.traversal);
  assert.equal(await mode(id), 'saved');
  assert.equal(await h.page.textContent(`#${id} .mode`), 'saved frames');
  const labels = await h.page.$$eval(`#${id} .frames > div:first-child > div:first-child > div`, (ds) => ds.map((d) => d.textContent));
  assert.deepEqual(labels, lab.traversal.order.slice(0, 6).map((d) => `z${d}`));
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
  await h.page.$eval(`#${id} input.range`, (r) => { (r as HTMLInputElement).value = '1.5'; r.dispatchEvent(new Event('input')); });
  await answer();
  await h.page.selectOption(`#${id} select.steps`, '5');
  const [last] = await answer();
  assert.deepEqual(last.payload, { example: 0, dims: [...lab.traversal.order.slice(0, 6), lab.traversal.order[7]], range: 1.5, steps: 5 });
  await h.page.waitForFunction((i) => document.querySelector(`#${i} .frames`)?.textContent?.includes('-1.50, -0.75, 0.00, 0.75, 1.50'), id);
  const [w, hh] = await gridSize(id);
  assert.ok(Math.abs(w / hh - (5 * 29 - 1) / (7 * 29 - 1)) < 0.01, '7 rows x 5 columns');
  assert.equal(await mode(id), 'live');
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
  for (const bad of [{ ...lab.traversal, kl: [1] }, { ...lab.traversal, frames: [{ example: 0, dims: [0], values: [0], pixels: 'AA' }] }, {}]) {
    const { id } = await h.mount('traversal', MIME_TRAVERSAL, bad);
    assert.match((await h.page.textContent(`#${id} .vae-lab-error`)) ?? '', /could not draw this latent traversal: /);
  }
});
