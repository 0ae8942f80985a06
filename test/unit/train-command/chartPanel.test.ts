/**
 * The pure half of the "CR-VAE training" panel (src/common/trainPanel.ts): that the panel gets the newest spec of each chart in a stable order
 * (also after its webview reloads), and when the results notebook's live run may be saved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChartFeed, type PanelChart } from '../../../src/common/trainPanel';
import { liveRunVerdict } from '../../../src/extension/train/resultsNotebook';
import { trainingCurvesSpec } from '../../../src/common/curves';

const spec = (n: number, title = 'CR-VAE: training curves') =>
  trainingCurvesSpec(
    Array.from({ length: n }, (_, i) => ({ kind: 'step' as const, term: 'loss', step: i + 1, value: 100 - i })),
    { title },
  );

test('ChartFeed: forwards each update, keeps the newest spec per chart in first-seen order, snapshot starts with a reset', () => {
  const feed = new ChartFeed();
  assert.deepEqual(feed.chart('vae', spec(1, 'VAE')), { type: 'chart', id: 'vae', spec: spec(1, 'VAE') });
  feed.chart('cr', spec(1, 'CR-VAE'));
  const update = feed.chart('vae', spec(5, 'VAE'));
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
