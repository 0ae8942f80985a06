/**
 * The pure half of the "CR-VAE training" panel (src/common/trainPanel.ts): which kernel
 * messages are charts, that the panel gets the newest spec of each chart in a stable order
 * (also after its webview reloads), and when the results notebook's live run may be saved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChartFeed, chartOf, type PanelChart } from '../../../src/common/trainPanel';
import { liveRunVerdict } from '../../../src/extension/train/resultsNotebook';
import { MIME_TRAIN_PROGRESS } from '../../../src/common/mime';
import { chartBundle, trainingCurvesSpec } from '../../../src/lab/viz/charts';

const spec = (n: number, title = 'CR-VAE: training curves') =>
  trainingCurvesSpec(
    Array.from({ length: n }, (_, i) => ({ kind: 'step' as const, term: 'loss', step: i + 1, value: 100 - i })),
    { title },
  );

test("chartOf: the lab's live-chart display (new and update) is a chart keyed by its display id", () => {
  const data = chartBundle(spec(3));
  assert.deepEqual(chartOf({ type: 'display', displayId: 'd1-1', data }), { type: 'chart', id: 'd1-1', spec: data['application/vnd.vegalite.v6+json'] });
  assert.equal(chartOf({ type: 'display', displayId: 'd1-1', data, update: true } as never)?.id, 'd1-1');
  // Older vega-lite MIME versions draw too.
  assert.equal(chartOf({ type: 'display', displayId: 'x', data: { 'application/vnd.vegalite.v5+json': { mark: 'line' } } })?.id, 'x');
});

test('chartOf: progress displays, streams, text-only bundles and malformed specs are not charts', () => {
  assert.equal(chartOf({ type: 'display', displayId: 'p', data: { [MIME_TRAIN_PROGRESS]: { phase: 'train' }, 'text/plain': 'epoch 1' } }), undefined);
  assert.equal(chartOf({ type: 'stream', data: undefined }), undefined);
  assert.equal(chartOf({ type: 'display', displayId: 'a', data: { 'application/vnd.vegalite.v6+json': 'not an object' } }), undefined);
  assert.equal(chartOf({ type: 'display', displayId: 'a', data: { 'application/vnd.vegalite.v6+json': [1, 2] } }), undefined);
  assert.equal(chartOf({ type: 'display', data: chartBundle(spec(1)) }), undefined, 'no display id: cannot be updated in place');
  assert.equal(chartOf({ type: 'result', displayId: 'a', data: chartBundle(spec(1)) }), undefined);
});

test('ChartFeed: forwards each update, keeps the newest spec per chart in first-seen order, snapshot starts with a reset', () => {
  const feed = new ChartFeed();
  const show = (id: string, n: number, title?: string) => ({ type: 'display', displayId: id, data: chartBundle(spec(n, title)) });
  assert.equal(feed.accept(show('vae', 1, 'VAE'))?.id, 'vae');
  assert.equal(feed.accept({ type: 'display', displayId: 'p', data: { [MIME_TRAIN_PROGRESS]: {} } }), undefined);
  feed.accept(show('cr', 1, 'CR-VAE'));
  const update = feed.accept(show('vae', 5, 'VAE'));
  assert.equal((update!.spec.data as { values: unknown[] }).values.length, 5);
  assert.equal(feed.size, 2);
  feed.setStatus('CR-VAE: epoch 1/2');
  const snap = feed.snapshot();
  assert.deepEqual(
    snap.map((m) => m.type),
    ['reset', 'status', 'chart', 'chart'],
  );
  assert.deepEqual(
    snap.filter((m) => m.type === 'chart').map((m) => (m as { id: string }).id),
    ['vae', 'cr'],
    'a chart keeps its place when updated',
  );
  assert.equal(((snap[2] as PanelChart).spec.data as { values: unknown[] }).values.length, 5, 'the newest spec, not the first');
  assert.deepEqual(feed.setStatus('done', 'done'), { type: 'status', text: 'done', state: 'done' });
  feed.clear();
  assert.deepEqual(feed.snapshot(), [{ type: 'reset' }]);
});

test('liveRunVerdict: save only when every code cell succeeded in the live kernel', () => {
  assert.equal(liveRunVerdict([{ code: false }, { code: true, success: true }, { code: true, success: true }]), 'ok');
  assert.equal(
    liveRunVerdict([
      { code: true, success: true },
      { code: true, success: false },
    ]),
    'failed',
  );
  // A failed cell cancels the rest of the batch: those end with no result.
  assert.equal(
    liveRunVerdict([
      { code: true, success: false },
      { code: true, success: undefined },
    ]),
    'failed',
  );
  assert.equal(liveRunVerdict([{ code: true }]), 'failed', 'never ran (kernel did not start)');
});
