import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  label as crLabel,
  modelConfig as crModelConfig,
  resultsMarkdown as crResultsMarkdown,
  runName as crRunName,
  paperRow,
  PAPER_MNIST as CRVAE_PAPER_MNIST,
  presets,
  type CrModelSpec,
} from '../../../src/lab/experiments/cr-vae';

test("labels and run names follow the paper's table rows", () => {
  assert.equal(crLabel({ model: 'vae', variant: 'cr' }), 'CR-VAE');
  assert.equal(crLabel({ model: 'iwae', variant: 'none' }), 'IWAE');
  assert.equal(crLabel({ model: 'beta-vae', beta: 10, variant: 'cr' }), 'beta-CR-VAE (10)');
  assert.equal(crLabel({ model: 'vae', variant: 'aug' }), 'VAE + Aug');
  // Every paper row is reachable from some spec.
  const specs: CrModelSpec[] = [];
  for (const variant of ['none', 'cr'] as const) {
    specs.push({ model: 'vae', variant }, { model: 'iwae', variant }, { model: 'beta-vae', beta: 0.5, variant }, { model: 'beta-vae', beta: 10, variant });
  }
  specs.push({ model: 'vae', variant: 'aug' });
  assert.deepEqual(specs.map((s) => paperRow(s)?.label).sort(), CRVAE_PAPER_MNIST.map((r) => r.label).sort());
  assert.equal(paperRow({ model: 'beta-vae', beta: 3, variant: 'cr' }), undefined);
  assert.equal(paperRow({ model: 'vae', variant: 'cr' }, 'fashion-mnist'), undefined);
  assert.equal(new Set(specs.map(crRunName)).size, specs.length, 'distinct folders');
});

test("model configs: the CLI table's base, wrapped by CR with the paper's defaults or eta 0 for + Aug", () => {
  const p = presets.quick;
  const base = crModelConfig({ model: 'beta-vae', beta: 10, variant: 'none' }, p, [28, 28, 1]);
  assert.equal(base.kind, 'beta-vae');
  assert.equal(base.beta, 10);
  assert.equal(base.latentDim, p.latentDim);
  const cr = crModelConfig({ model: 'iwae', variant: 'cr', eta: 0.3, klDirection: 'q(z|x~)||q(z|x)' }, p, [28, 28, 1]);
  assert.equal(cr.kind, 'cr');
  assert.equal((cr.base as { kind: string; k: number }).kind, 'iwae');
  assert.equal((cr.base as { k: number }).k, 5);
  assert.deepEqual(cr.options, { eta: 0.3, klDirection: 'q(z|x~)||q(z|x)' });
  assert.deepEqual(crModelConfig({ model: 'vae', variant: 'aug' }, p, [28, 28, 1]).options, { eta: 0 });
  assert.deepEqual(crModelConfig({ model: 'vae', variant: 'cr' }, p, [28, 28, 1]).options, {}, 'eta left to the regularizer (0.1, 0.1*beta)');
});

test("results table: our numbers beside the paper's row", () => {
  const r = (nll: number) => ({ nll, nllSe: 0.5, mi: 1.234, logM: Math.log(10), miAtBound: false, au: 7, n: 10, K: 5, M: 10 });
  const md = crResultsMarkdown([
    { label: 'CR-VAE', test: r(100.04), tTest: r(150.56) },
    { label: 'beta-VAE (3)', test: r(1), tTest: r(2) },
  ]);
  const lines = md.split('\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[2], '| CR-VAE | 1 | 100.0 | 150.6 | 7.0 | 1.23 / 1.23 | 2.30 | 81.2 / 129.5 / 47 |');
  assert.equal(lines[3], '| beta-VAE (3) | 1 | 1.0 | 2.0 | 7.0 | 1.23 / 1.23 | 2.30 | – |');
  const atBound = { ...r(1), mi: 2.25, miAtBound: true };
  assert.match(crResultsMarkdown([{ label: 'VAE', test: atBound, tTest: atBound }]).split('\n')[2], /2\.25 \/ 2\.25 \(at the bound\) \| 2\.30 \|/);
});
