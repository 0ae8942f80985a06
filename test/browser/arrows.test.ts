import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_COLOURS, float32ToBase64, MIME_ARROWS } from '../../src/common/mime';
import { startHarness, type Harness } from './harness';
import { labPayloads, straightArrows, syntheticArrows } from './payloads';
import { consistencyArrows } from '../../src/lab/viz';
import type { ArrowsPayload } from '../../src/common/mime';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

test('arrows are drawn in their class colour at the right place', async () => {
  await h.reset('light');
  const { id } = await h.mount('arrows', MIME_ARROWS, straightArrows());
  // Horizontal arrows at y = 3, 0, -3 in an extent of [-5, 5]: sample the column at x = 0.
  const samples = await h.page.$eval(`#${id} canvas`, (c) => {
    const cv = c as HTMLCanvasElement;
    const data = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    const col = Math.floor(cv.width / 2);
    const out: { y: number; px: number[] }[] = [];
    for (let y = 0; y < cv.height; y++) {
      const i = (y * cv.width + col) * 4;
      // Partly covered pixels keep the stroke colour (getImageData un-premultiplies).
      if (data[i + 3] > 60) out.push({ y: y / cv.height, px: [data[i], data[i + 1], data[i + 2]] });
    }
    return out;
  });
  const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) <= 40);
  for (const [k, yData] of [
    [0, 3],
    [1, 0],
    [2, -3],
  ]) {
    const yFrac = 0.5 - (yData / 10) * ((300 - 16) / 300);
    const hit = samples.filter((s) => Math.abs(s.y - yFrac) < 0.02);
    assert.ok(
      hit.some((s) => near(s.px, rgb(CLASS_COLOURS[k]))),
      `class ${k} colour at y=${yData}: ${JSON.stringify(hit)}`,
    );
  }
  const legend = await h.page.$$eval(`#${id} .legend-item`, (ls) => ls.map((l) => l.textContent));
  assert.deepEqual(legend, ['zero', 'one', 'two']);
  assert.match((await h.page.textContent(`#${id} .vae-lab-stats`))!, /= 2\.00\(8\.00 \/ 4\.00 in latent space\)/);
  // Hover the middle arrow: tooltip with class, and the x / x~ pair drawn.
  const b = (await (await h.page.$$(`#${id} figure canvas`))[1].boundingBox())!;
  await h.page.mouse.move(b.x + 100, b.y + 151);
  assert.match((await h.page.textContent(`#${id} .vae-lab-tooltip`))!, /^#1 · one · 2-D length 8\.00/);
  assert.equal(await h.page.$$eval(`#${id} .vae-lab-tooltip canvas`, (c) => c.length), 1);
});

test('three panels of 10,000 pairs share one scale; hover shows the image pair', async () => {
  await h.reset('light');
  const payload = syntheticArrows(10_000, 200);
  const { id } = await h.mount('arrows', MIME_ARROWS, payload);
  assert.equal(await h.page.$$eval(`#${id} figure`, (f) => f.length), 3);
  const stats = await h.page.$$eval(`#${id} .vae-lab-stats`, (s) => s.map((e) => e.textContent));
  assert.match(stats[2]!, /= 0\.0641/);
  // Hover the tail of pair 0 in the first panel (class 0, an image pair is attached).
  const from = Buffer.from(payload.panels[0].from, 'base64');
  const [fx, fy] = [from.readFloatLE(0), from.readFloatLE(4)];
  const s = (300 - 16) / 12;
  const overlay = (await h.page.$$(`#${id} figure canvas`))[1];
  const b = (await overlay.boundingBox())!;
  await h.page.mouse.move(b.x + 150 + fx * s, b.y + 150 - fy * s);
  const tip = await h.page.textContent(`#${id} .vae-lab-tooltip`);
  const idx = Number(/^#(\d+) · digit \d · 2-D length/.exec(tip!)![1]);
  // Only the first 200 pairs carry images (payload size); the others show text only.
  assert.equal(await h.page.$$eval(`#${id} .vae-lab-tooltip canvas`, (c) => c.length), idx < 200 ? 1 : 0);
  await h.screenshot('arrows-10k-light');
  await h.page.mouse.move(0, 0);
});

test('arrows from the lab builder in dark and high-contrast themes', async () => {
  const { arrows, model } = await labPayloads();
  model.dispose();
  for (const theme of ['dark', 'high-contrast'] as const) {
    await h.reset(theme);
    const { id } = await h.mount('arrows', MIME_ARROWS, arrows);
    assert.equal(await h.page.$$eval(`#${id} figure`, (f) => f.length), 2);
    assert.match((await h.page.textContent(`#${id}`))!, /PC1 \/ PC2/);
    await h.screenshot(`arrows-lab-${theme}`);
  }
});

test('a panel whose codes all coincide draws one dot per class and says why, next to a normal panel', async () => {
  await h.reset('light');
  // A collapsed latent space (every code the same 4-D point, as after a very short run)
  // through the lab's own builder: degenerate PCA, zero arrows, no class-centre distance.
  const n = 12,
    dim = 4;
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const same = new Float32Array(n * dim).fill(0.25);
  const spread = Float32Array.from({ length: n * dim }, (_, i) => Math.sin(i * 1.7) + (i % dim === 0 ? labels[Math.floor(i / dim)] : 0));
  const shifted = spread.map((v, i) => v + 0.1 * Math.cos(i));
  const bundle = await consistencyArrows(
    [
      { title: 'collapsed', zx: same, zt: same, latentDim: dim },
      { title: 'healthy', zx: spread, zt: shifted, latentDim: dim },
    ],
    undefined,
    undefined,
    labels,
    { classNames: ['a', 'b', 'c'] },
  );
  // As saved in a notebook: JSON (NaN becomes null).
  const payload = JSON.parse(JSON.stringify(bundle[MIME_ARROWS])) as ArrowsPayload;
  const { id } = await h.mount('arrows', MIME_ARROWS, payload);
  const figures = await h.page.$$(`#${id} figure`);
  assert.equal(figures.length, 2);
  const notes = await h.page.$$eval(`#${id} figure`, (fs) => fs.map((f) => f.querySelector('.vae-lab-degenerate')?.textContent ?? ''));
  assert.match(notes[0], /^All 12 codes coincide/);
  assert.equal(notes[1], '', 'the healthy panel is drawn as arrows');
  const stats = await h.page.$$eval(`#${id} .vae-lab-stats`, (s) => s.map((e) => e.textContent ?? ''));
  assert.doesNotMatch(stats[0], /–/);
  assert.match(stats[0], /class centres coincide/);
  // Every class colour is on the collapsed panel's canvas (not an empty frame).
  const colours = await figures[0].$eval('canvas', (c) => {
    const cv = c as HTMLCanvasElement;
    const data = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    const seen: number[][] = [];
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200) seen.push([data[i], data[i + 1], data[i + 2]]);
    return seen;
  });
  for (const k of [0, 1, 2]) {
    const want = rgb(CLASS_COLOURS[k]);
    const hits = colours.filter((px) => px.every((v, i) => Math.abs(v - want[i]) <= 10)).length;
    assert.ok(hits >= 20, `class ${k} dot: ${hits} pixels of ${CLASS_COLOURS[k]}`);
  }
  await h.screenshot('arrows-coincident');
});

test('a theme switch recolours text and redraws the canvas frame', async () => {
  await h.reset('light');
  const { id } = await h.mount('arrows', MIME_ARROWS, straightArrows());
  const frame = () => h.page.$eval(`#${id} canvas`, (c) => [...(c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 150, 1, 1).data]);
  const light = await frame();
  await h.page.evaluate(() => (window as unknown as { setTheme(t: string): void }).setTheme('dark'));
  await h.page.waitForFunction((i) => getComputedStyle(document.querySelector(`#${i} .vae-lab-arrows`)!).color === 'rgb(204, 204, 204)', id);
  await h.page.waitForFunction(
    ([i, before]) => {
      const c = document.querySelector(`#${i} canvas`) as HTMLCanvasElement;
      return c.getContext('2d')!.getImageData(0, 150, 1, 1).data.join() !== before;
    },
    [id, light.join()] as const,
  );
  assert.equal(await h.page.$$eval(`#${id} figure`, (f) => f.length), 1, 'redrawn once, not duplicated');
});

test('malformed arrows payloads give a readable error', async () => {
  const good = straightArrows();
  for (const [bad, msg] of [
    [{ ...good, extent: [1, 0, 0, 1] }, /extent/],
    [{ ...good, count: 4 }, /labels/],
    [{ ...good, panels: [] }, /panels/],
    [{ ...good, panels: [{ ...good.panels[0], to: float32ToBase64([1, 2]) }] }, /3 points/],
  ] as const) {
    const { id } = await h.mount('arrows', MIME_ARROWS, bad);
    const err = (await h.page.textContent(`#${id} .vae-lab-error`)) ?? '';
    assert.match(err, /could not draw this consistency-arrow plot/);
    assert.match(err, msg);
  }
});
