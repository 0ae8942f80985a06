import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAPTOP_STEPS, presets } from '../../../src/lab/experiments/factor-vae/presets';
import { loadData } from '../../../src/lab/experiments/factor-vae/data';

test('laptop preset: the whole 737,280-image grid, streamed (no training subset held), well over 10k steps of 64', () => {
  const p = presets.laptop;
  assert.equal(p.trainExamples, undefined);
  const d = loadData(p);
  assert.equal(d.train.n, 737280);
  assert.equal(d.train.factors, undefined, 'factor tuples are computed from the index, images rendered per batch');
  assert.equal(p.steps, LAPTOP_STEPS);
  assert.ok(LAPTOP_STEPS > 10000 && LAPTOP_STEPS <= p.epochs * Math.floor(737280 / p.batchSize));
  assert.equal(p.discriminator.depth, 6);
  assert.equal(p.batchSize, 64);
});
