import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressCallbacks } from '../../../src/cli/progress';

/** A stream that keeps what is written, and a clock the test moves. */
function harness(isTTY: boolean) {
  const writes: string[] = [];
  let ms = 0;
  const cb = progressCallbacks({ isTTY, write: (s: string) => (writes.push(s), true) } as never, () => ms);
  const step = (step: number, totalSteps: number, terms: Record<string, number>) => {
    ms = step * 100; // 10 steps per second
    cb.onStep?.({ step, epoch: 0, stepInEpoch: step, stepsPerEpoch: totalSteps, totalSteps, terms });
  };
  return { writes, step, cb };
}

test('progress to a log: one line per tenth of the run, with rate, eta and every term (FactorVAE has no plain "loss")', () => {
  const { writes, step } = harness(false);
  for (let s = 1; s <= 1000; s++) step(s, 1000, { 'vae/loss': 50 - s / 100, 'd/loss': 1.38 });
  assert.equal(writes.length, 9, writes.join(''));
  assert.ok(writes.every((w) => w.endsWith('\n') && !w.includes('\r')));
  assert.equal(writes[0], 'step 100/1000 (10%, 10s, 10.0 steps/s, eta 90s): vae/loss 49.00, d/loss 1.38\n');
  assert.match(writes[8], /^step 900\/1000 \(90%, 90s, 10\.0 steps\/s, eta 10s\)/);
});

test('progress to a log: a run shorter than ten steps prints no step lines past its end, and epochs still print', () => {
  const { writes, step, cb } = harness(false);
  for (let s = 1; s <= 4; s++) step(s, 4, { loss: 3 });
  assert.deepEqual(
    writes.map((w) => w.split(' (')[0]),
    ['step 1/4', 'step 2/4', 'step 3/4'],
  );
  cb.onEpochEnd?.({ epoch: 0, step: 4, meanTerms: { loss: 2.5 } } as never);
  assert.equal(writes.at(-1), 'epoch 1 (step 4, 0s): loss 2.50\n');
});

test('progress on a terminal: the bar redraws in place on every step', () => {
  const { writes, step } = harness(true);
  for (let s = 1; s <= 20; s++) step(s, 20, { loss: 1 });
  assert.equal(writes.length, 20);
  assert.ok(writes.every((w) => w.startsWith('\r[')));
  assert.match(writes[9], /50% step 10\/20 epoch 1 loss 1\.00 eta 1s/);
});
