import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { setCellHost, type CellHost } from '../../../src/common/display';
import type { MimeBundle } from '../../../src/common/protocol';
import {
  base64ToBytes,
  base64ToFloat32,
  MIME_ARROWS,
  MIME_GRID,
  MIME_TRAVERSAL,
  sheetToStack,
  type ArrowsPayload,
  type GridPayload,
  type TraversalFrames,
  type TraversalPayload,
} from '../../../src/common/mime';
import { consistencyArrows, latentTraversal, liveChart, reconstructionGrid, show, MIME_VEGALITE } from '../../../src/lab/viz';
import { decodePng } from '../../../src/lab/viz/png';
import { images, LinearModel } from './fakeModel';

const model = new LinearModel(6, 8, 8, 1, 4);
const x = images(20, 8, 8, 1);
const xt = tf.tidy(() => x.reverse(2)) as tf.Tensor4D; // a mirror as the "transform"
after(() => {
  model.dispose();
  tf.dispose([x, xt]);
});

/** Runs fn (awaited) and checks it left no tensor behind. */
async function noLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const r = await fn();
  assert.equal(tf.memory().numTensors, before, 'leaked tensors');
  return r;
}

/** Pixels of a traversal frames block (a PNG sheet: one row of all its 8x8 gray images). */
function framePixels(f: TraversalFrames): Uint8Array {
  assert.equal(f.encoding, 'png');
  const png = decodePng(Buffer.from(f.pixels, 'base64')),
    n = f.dims.length * f.values.length;
  assert.deepEqual([png.width, png.height, png.channels], [8 * n, 8, 1]);
  return sheetToStack(png.pixels, 1, { height: 8, width: 8, channels: 1 }, n, n);
}

const isPng = (b64: unknown) => typeof b64 === 'string' && Buffer.from(b64, 'base64').subarray(1, 4).toString() === 'PNG';

test('reconstruction grid: rows, exact pixels, fallbacks, no leaks', async () => {
  const bundle = await noLeak(() => reconstructionGrid(model, x, { count: 5, transformed: xt, labels: [1, 2, 3, 4, 5, 6] }));
  const p = bundle[MIME_GRID] as GridPayload;
  assert.deepEqual(
    p.rows.map((r) => r.label),
    ['x', 'recon(x)', 'x~', 'recon(x~)'],
  );
  assert.equal(p.count, 5);
  assert.deepEqual([p.height, p.width, p.channels], [8, 8, 1]);
  const orig = base64ToBytes(p.rows[0].pixels);
  const want = tf.tidy(() => x.slice(0, 5).mul(255).round().dataSync());
  assert.deepEqual([...orig], [...want]);
  const recon = base64ToBytes(p.rows[1].pixels);
  const wantRecon = tf.tidy(() =>
    model
      .decode(model.encode(x.slice(0, 5)).mean)
      .mul(255)
      .round()
      .dataSync(),
  );
  assert.deepEqual([...recon], [...wantRecon]);
  assert.equal(p.captions![4], 'class 5');
  assert.ok(isPng(bundle['image/png']));
  assert.match(String(bundle['text/plain']), /5 images 8x8x1/);
});

test('traversal: dims ordered by KL, saved frames, live decode matches, requests are checked', async () => {
  const t = await noLeak(() => latentTraversal(model, x, { examples: 3, dims: 5, steps: 5, range: 2, id: 'abc' }));
  const p = t.bundle[MIME_TRAVERSAL] as TraversalPayload;
  assert.equal(p.id, 'abc');
  // dims 4, 5 are inactive (KL 0), so they come last.
  assert.deepEqual(p.order.slice(4).sort(), [4, 5]);
  assert.ok(p.kl[4] < 1e-9 && p.kl[p.order[0]] > 0.1);
  assert.equal(p.frames.length, 3);
  assert.deepEqual(p.frames[0].values, [-2, -1, 0, 1, 2]);
  assert.equal(framePixels(p.frames[1]).length, 5 * 5 * 64);
  // The base examples, exactly, as one row of a PNG sheet.
  assert.equal(p.encoding, 'png');
  const ex = decodePng(Buffer.from(p.examples, 'base64'));
  assert.deepEqual([ex.width, ex.height], [3 * 8, 8]);
  const wantEx = tf.tidy(() => x.slice(0, 3).mul(255).round().dataSync());
  assert.deepEqual([...sheetToStack(ex.pixels, 1, { height: 8, width: 8, channels: 1 }, 3, 3)], [...wantEx]);
  // The middle column is the base code itself: the reconstruction of the example.
  const f = p.frames[1],
    px = framePixels(f);
  const recon = tf.tidy(() =>
    model
      .decode(model.encode(x.slice(1, 1)).mean)
      .mul(255)
      .round()
      .dataSync(),
  );
  assert.deepEqual([...px.subarray(2 * 64, 3 * 64)], [...recon]);
  // A live request for other dims/steps decodes exactly those.
  const live = await noLeak(() => t.handle({ example: 2, dims: [5, 0], range: 1, steps: 3 }));
  assert.deepEqual(live.dims, [5, 0]);
  assert.equal(framePixels(live).length, 2 * 3 * 64);
  await assert.rejects(() => t.handle({ example: 9, dims: [0], range: 1, steps: 3 }), /example/);
  await assert.rejects(() => t.handle({ example: 0, dims: [6], range: 1, steps: 3 }), /dims/);
  await assert.rejects(() => t.handle({ example: 0, dims: [0], range: 1, steps: 1000 }), /steps/);
  assert.ok(isPng(t.bundle['image/png']));
});

test('traversal: dimLabels name each dim in the payload and the text, and must be one string per dim', async () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const t = await noLeak(() => latentTraversal(model, x, { examples: 1, dims: 2, steps: 3, dimLabels: names }));
  const p = t.bundle[MIME_TRAVERSAL] as TraversalPayload;
  assert.deepEqual(p.dimLabels, names);
  const [d0, d1] = p.order;
  assert.match(t.bundle['text/plain'] as string, new RegExp(`z${d0} ${names[d0]} \\(KL .*z${d1} ${names[d1]} \\(KL`));
  assert.equal(((await latentTraversal(model, x, { examples: 1, dims: 1, steps: 3 })).bundle[MIME_TRAVERSAL] as TraversalPayload).dimLabels, undefined);
  await assert.rejects(() => latentTraversal(model, x, { dimLabels: ['a', 'b'] }), /6 strings/);
});

test('consistency arrows: PCA panels on a shared extent, stats, hover images, codes input', async () => {
  const labels = Array.from({ length: 20 }, (_, i) => i % 3);
  const other = new LinearModel(6, 8, 8, 1, 6, 7);
  const bundle = await noLeak(() =>
    consistencyArrows(
      [
        { title: 'A', model },
        { title: 'B', model: other },
      ],
      x,
      xt,
      labels,
      { hoverImages: 4, classNames: ['a', 'b', 'c'] },
    ),
  );
  other.dispose();
  const p = bundle[MIME_ARROWS] as ArrowsPayload;
  assert.equal(p.count, 20);
  assert.equal(p.panels.length, 2);
  const [x0, x1, y0, y1] = p.extent;
  for (const panel of p.panels) {
    const pts = [...base64ToFloat32(panel.from), ...base64ToFloat32(panel.to)];
    assert.equal(pts.length, 80);
    for (let i = 0; i < pts.length; i += 2) assert.ok(pts[i] >= x0 && pts[i] <= x1 && pts[i + 1] >= y0 && pts[i + 1] <= y1);
    assert.ok(panel.ratio > 0 && Math.abs(panel.ratio - panel.meanArrow / panel.meanCentreDistance) < 1e-12);
    assert.ok(panel.explained! > 0 && panel.explained! <= 1 + 1e-9);
  }
  // PCA centres z(x): the tails average to the origin.
  const from = base64ToFloat32(p.panels[0].from);
  assert.ok(Math.abs(from.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0) / 20) < 1e-4);
  assert.equal(p.images!.count, 4);
  assert.deepEqual([...base64ToBytes(p.labels)], labels);
  assert.ok(isPng(bundle['image/png']));
  // Precomputed codes and two chosen dims.
  const zx = new Float32Array(20 * 3).map((_, i) => i),
    zt = zx.map((v) => v + 1);
  const b2 = await consistencyArrows([{ title: 'C', zx, zt, latentDim: 3 }], undefined, undefined, labels, { projection: [0, 2] });
  const p2 = b2[MIME_ARROWS] as ArrowsPayload;
  assert.deepEqual(p2.projection, { kind: 'dims', dims: [0, 2] });
  assert.deepEqual([...base64ToFloat32(p2.panels[0].from).subarray(0, 4)], [0, 2, 3, 5]);
  assert.ok(Math.abs(p2.panels[0].meanArrow - Math.sqrt(3)) < 1e-6);
});

test('consistency arrows: NaN codes (a diverged model, images cut past the end of a set) are an error that names the cause, not a blank plot', async () => {
  const labels = Array.from({ length: 20 }, (_, i) => i % 3);
  const zx = new Float32Array(20 * 3).map((_, i) => i),
    zt = zx.map((v) => v + 1);
  zt[7] = Number.NaN;
  await assert.rejects(
    () => consistencyArrows([{ title: 'C', zx, zt, latentDim: 3 }], undefined, undefined, labels),
    /panel "C": 0 values of z\(x\) and 1 of z\(x~\) are NaN or infinite.*diverged.*images hold NaN/,
  );
});

/** A fake kernel host recording what the lab shows. */
function fakeHost() {
  const shown: { id: string; bundles: MimeBundle[] }[] = [];
  const handlers = new Map<string, (p: unknown) => unknown>();
  const host: CellHost = {
    display(bundle) {
      const entry = { id: `d${shown.length}`, bundles: [bundle] };
      shown.push(entry);
      return { id: entry.id, update: (b) => entry.bundles.push(b) };
    },
    onRendererMessage(channel, handler) {
      handlers.set(channel, handler);
      return () => handlers.delete(channel);
    },
    signal: new AbortController().signal,
  };
  return { host, shown, handlers };
}

test('show.* displays through the host and registers the traversal channel; returns bundles without one', async () => {
  const { host, shown, handlers } = fakeHost();
  setCellHost(host);
  try {
    assert.equal(await show.reconstructions(model, x), undefined);
    assert.equal(await show.traversal(model, x, { id: 'live1' }), undefined);
    assert.equal(show.chart({ mark: 'point' }), undefined);
    assert.equal(shown.length, 3);
    assert.ok(MIME_GRID in shown[0].bundles[0] && MIME_VEGALITE in shown[2].bundles[0]);
    const frames = (await noLeak(() => handlers.get('traversal:live1')!({ example: 0, dims: [1], range: 3, steps: 4 }))) as TraversalFrames;
    assert.equal(frames.values.length, 4);
  } finally {
    setCellHost(undefined);
  }
  const b = await show.arrows(
    [{ title: 'A', model }],
    x,
    xt,
    new Array(20).fill(0).map((_, i) => i % 2),
  );
  assert.ok(b && MIME_ARROWS in b);
});

test('live chart: one output updated in place, throttled with a trailing update, bounded', async () => {
  const { host, shown } = fakeHost();
  setCellHost(host);
  try {
    const chart = liveChart({ throttleMs: 200, maxPoints: 20 });
    for (let s = 1; s <= 5000; s++) chart.onStep({ step: s, terms: { loss: 100 / s, recon: 90 / s, kl: 10, consistency: 0.5 } });
    assert.equal(shown.length, 1);
    assert.equal(shown[0].bundles.length, 1, 'throttled: only the first step displayed so far');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(shown[0].bundles.length, 2, 'the trailing update shows the last step');
    assert.match(String(shown[0].bundles[1]['text/plain']), /last step 5000/);
    chart.onEpochEnd({ step: 5000, meanTerms: { loss: 1 }, metrics: { nll: 90 } });
    assert.equal(shown.length, 1, 'still one output');
    assert.equal(shown[0].bundles.length, 3, 'epoch ends show at once');
    const spec = shown[0].bundles[2][MIME_VEGALITE] as { data: { name: string; values: { term: string; kind: string }[] } };
    assert.equal(spec.data.name, 'series');
    assert.ok(spec.data.values.some((p) => p.term === 'nll' && p.kind === 'epoch'));
    assert.ok(spec.data.values.length <= 4 * 21 + 2, `${spec.data.values.length} points`);
    assert.ok(JSON.stringify(shown[0].bundles[2]).length < 20_000);
  } finally {
    setCellHost(undefined);
  }
});

test("with the lab's real VAE and Trainer: live chart during fit, then every show.* output, no leaks", async () => {
  const { Trainer } = await import('../../../src/lab/train/trainer');
  const { VAE } = await import('../../../src/lab/models/vae');
  const { blobs, tinyVae, useCpu } = await import('../lab/helpers');
  await useCpu();
  const vae = new VAE(tinyVae());
  const data = blobs(64);
  const { host, shown, handlers } = fakeHost();
  setCellHost(host);
  try {
    const chart = liveChart({ throttleMs: 0 });
    await new Trainer({ epochs: 2, batchSize: 16, callbacks: chart }).fit(vae, data);
    assert.equal(shown.length, 1);
    const spec = shown[0].bundles.at(-1)![MIME_VEGALITE] as { data: { values: { term: string; kind: string }[] } };
    const terms = new Set(spec.data.values.map((p) => p.term));
    assert.ok(terms.has('loss') && terms.has('kl'), [...terms].join());
    assert.equal(spec.data.values.filter((p) => p.kind === 'epoch' && p.term === 'loss').length, 2);

    const { x, y } = data.batch(Array.from({ length: 32 }, (_, i) => i));
    const xt = tf.tidy(() => x.reverse(1)) as tf.Tensor4D;
    await noLeak(async () => {
      await show.reconstructions(vae, x, { transformed: xt, labels: y });
      await show.traversal(vae, x, { id: 'vae' });
      await show.arrows([{ title: 'VAE', model: vae }], x, xt, y!, { projection: [0, 1] });
      await handlers.get('traversal:vae')!({ example: 1, dims: [1, 0], range: 2, steps: 5 });
    });
    assert.equal(shown.length, 4);
    tf.dispose([x, xt, y!]);
  } finally {
    setCellHost(undefined);
    vae.dispose();
  }
});
