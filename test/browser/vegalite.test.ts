import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MIME_VEGALITE, trainingCurvesSpec } from '../../src/lab/viz';
import { startHarness, type Harness } from './harness';
import { labPayloads } from './payloads';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

const errors: string[] = [];

test('training curves render under a CSP without unsafe-eval (expression interpreter)', async () => {
  const { chart, model } = await labPayloads();
  model.dispose();
  for (const theme of ['light', 'dark'] as const) {
    await h.reset(theme);
    h.page.on('pageerror', (e) => errors.push(e.message));
    const { id } = await h.mount('vegalite', MIME_VEGALITE, chart[MIME_VEGALITE]);
    // vega-embed draws SVG: one line path per term (4 terms x step/epoch layers, epoch only for loss).
    await h.page.waitForSelector(`#${id} svg`);
    const lines = await h.page.$$eval(`#${id} .mark-line path`, (ps) => ps.filter((p) => (p.getAttribute('d') ?? '').length > 100).length);
    assert.ok(lines >= 4, `${lines} drawn lines`);
    // Axis labels take the editor foreground of the theme.
    const fill = await h.page.$eval(`#${id} .role-axis-label text`, (t) => t.getAttribute('fill'));
    assert.equal(fill, theme === 'light' ? '#1f1f1f' : '#cccccc');
    await h.screenshot(`chart-${theme}`);
  }
  assert.deepEqual(
    errors.filter((e) => /eval|Content Security/i.test(e)),
    [],
  );
});

test('an expression-using spec works without eval', async () => {
  await h.reset('light');
  const spec = {
    data: {
      values: [
        { a: 1, b: 2 },
        { a: 2, b: 5 },
        { a: 3, b: 3 },
      ],
    },
    transform: [{ calculate: 'datum.b * 2 + sqrt(datum.a)', as: 'c' }, { filter: 'datum.c > 5' }],
    mark: 'bar',
    encoding: { x: { field: 'a', type: 'ordinal' }, y: { field: 'c', type: 'quantitative' } },
  };
  const { id } = await h.mount('vegalite', 'application/vnd.vegalite.v5+json', spec);
  await h.page.waitForSelector(`#${id} .mark-rect path`);
  assert.equal(await h.page.$$eval(`#${id} .vae-lab-error`, (e) => e.length), 0);
});

test('live updates change the data in place (same view, no re-embed)', async () => {
  await h.reset('dark');
  const pts = (n: number) => Array.from({ length: n }, (_, i) => ({ step: i + 1, term: 'loss', value: 100 / (i + 1), kind: 'step' as const }));
  const { id } = await h.mount('vegalite', MIME_VEGALITE, trainingCurvesSpec(pts(10)));
  await h.page.$eval(`#${id} svg`, (c) => c.setAttribute('data-marker', 'first'));
  await h.mount('vegalite', MIME_VEGALITE, trainingCurvesSpec(pts(200)), { id });
  assert.equal(await h.page.$eval(`#${id} svg`, (c) => c.getAttribute('data-marker')), 'first');
  const d = await h.page.$eval(`#${id} .mark-line path`, (p) => p.getAttribute('d')!);
  assert.ok(d.split(/[ML]/).length > 150, 'the line now has 200 points');
  // A different spec (title changed) re-embeds.
  await h.mount('vegalite', MIME_VEGALITE, trainingCurvesSpec(pts(200), { title: 'other' }), { id });
  assert.equal(await h.page.$eval(`#${id} svg`, (c) => c.getAttribute('data-marker')), null);
});

test('an invalid spec shows a readable error', async () => {
  const { id } = await h.mount('vegalite', MIME_VEGALITE, [1, 2, 3]);
  assert.match((await h.page.textContent(`#${id} .vae-lab-error`)) ?? '', /could not draw this chart: vega-lite spec is not an object/);
  const r = await h.mount('vegalite', MIME_VEGALITE, { mark: 'nonsense-mark', data: { values: [] } });
  await h.page.waitForSelector(`#${r.id} .vae-lab-error`);
});

test('a theme switch recolours the chart with its newest data', async () => {
  await h.reset('light');
  const pts = (n: number) => Array.from({ length: n }, (_, i) => ({ step: i + 1, term: 'loss', value: 100 / (i + 1), kind: 'step' as const }));
  const { id } = await h.mount('vegalite', MIME_VEGALITE, trainingCurvesSpec(pts(10)));
  await h.mount('vegalite', MIME_VEGALITE, trainingCurvesSpec(pts(300)), { id });
  const label = () => h.page.$eval(`#${id} .role-axis-label text`, (t) => t.getAttribute('fill'));
  assert.equal(await label(), '#1f1f1f');
  await h.page.evaluate(() => (window as unknown as { setTheme(t: string): void }).setTheme('dark'));
  await h.page.waitForFunction((i) => document.querySelector(`#${i} .role-axis-label text`)?.getAttribute('fill') === '#cccccc', id);
  const d = await h.page.$eval(`#${id} .mark-line path`, (p) => p.getAttribute('d')!);
  assert.ok(d.split(/[ML]/).length > 250, 'still the 300-point series');
  await h.screenshot('chart-after-theme-switch');
});
