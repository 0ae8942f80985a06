import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { useCpu } from '../lab/helpers';
import { experiments } from '../../../src/lab';
import type { ProbabilisticClassifier } from '../../../src/lab/metrics/inception';

const { labelRelevant } = experiments;
before(useCpu);

const point = (epoch: number, inceptionScore: number, diversity: number) => ({ epoch, inceptionScore, inceptionScoreStd: 0.1, diversity, classAgreement: 0.9 });

test('matched IS: the target is the lower of the two best IS values, each model read at its epoch nearest it (the earlier on a tie)', () => {
  const ours = [point(1, 6, 0.3), point(2, 7.5, 0.28), point(3, 8, 0.27)];
  const base = [point(1, 7, 0.2), point(2, 9, 0.18), point(3, 9.5, 0.17)];
  const m = labelRelevant.matchedIs(ours, base);
  assert.equal(m.target, 8);
  assert.equal(m.a.epoch, 3);
  assert.equal(m.b.epoch, 1, '7 and 9 are both 1 from 8: the earlier');
  assert.equal(labelRelevant.matchedIs(base, ours).a.epoch, 1);
  assert.throws(() => labelRelevant.matchedIs([], base), /at least one point/);
});

test('diversity verdict: more diverse at matched IS over seeds is reproduced, less is not reproduced, one seed is inconclusive', () => {
  const rows = (d: number[]) =>
    d.flatMap((delta, seed) => [
      { row: labelRelevant.BASELINE, seed, diversityMatched: 0.2 + 0.01 * seed },
      { row: labelRelevant.OURS, seed, diversityMatched: 0.2 + 0.01 * seed + delta },
    ]);
  const claim = labelRelevant.diversityClaims().filter((c) => c.metric === 'diversityMatched');
  assert.equal(labelRelevant.lrVerdicts(rows([0.05, 0.06, 0.055]), claim)[0].verdict, 'reproduced');
  assert.equal(labelRelevant.lrVerdicts(rows([-0.05, -0.06, -0.055]), claim)[0].verdict, 'not reproduced');
  assert.equal(labelRelevant.lrVerdicts(rows([0.05]), claim)[0].verdict, 'inconclusive');
  const table = labelRelevant.summaryTable(rows([0.05, 0.07]), [labelRelevant.OURS, labelRelevant.BASELINE], [{ key: 'diversityMatched', title: 'd' }]);
  assert.match(table, /\| LR-VAE-GAN \(ours\) \| 2 \| 0\.265 ± 0\.015 \|/);
});

test('generation and traversal bars: a constant row per seed with no evaluation variance, tested like a model; 2 seeds are never firm', () => {
  const rows = [
    ...[0.9, 0.92, 0.91].map((classAgreement, seed) => ({
      row: 'cVAE-GAN',
      seed,
      classAgreement,
      evalVar: labelRelevant.binomialVar({ classAgreement: [classAgreement, 1000] }),
    })),
    ...[0.5, 0.95, 0.7].map((classAgreement, seed) => ({ row: 'cVAE', seed, classAgreement })),
    ...labelRelevant.barRows('bar 0.8', 'classAgreement', 0.8, [0, 1, 2]),
  ];
  assert.ok(Math.abs(labelRelevant.binomialVar({ classAgreement: [0.9, 1000] }).classAgreement! - (0.9 * 0.1) / 1000) < 1e-15);
  const [a, b] = labelRelevant.lrVerdicts(rows, labelRelevant.generationClaims(['cVAE-GAN', 'cVAE']), { scorerAccuracy: 0.99 });
  assert.equal(a.verdict, 'reproduced');
  assert.equal(a.evalIncluded, true);
  assert.equal(b.verdict, 'inconclusive');
  assert.equal(
    labelRelevant.lrVerdicts(
      rows.filter((r) => r.seed < 2),
      labelRelevant.generationClaims(['cVAE-GAN']),
    )[0].verdict,
    'inconclusive',
  );
});

test('preconditions: a comparison with cVAE-GAN needs its samples to show their class >= 0.8; a classifier-read claim needs the scorer at 0.95; failing reads untestable', () => {
  const rows = [0, 1, 2].flatMap((seed) => [
    { row: `${labelRelevant.BASELINE} right half`, seed, inpaintAccuracy: 0.5 },
    { row: `${labelRelevant.OURS} right half`, seed, inpaintAccuracy: 0.8 + 0.01 * seed },
  ]);
  const claims = labelRelevant.inpaintClaims(['right half']).slice(0, 1);
  const weak = labelRelevant.lrVerdicts(rows, claims, { baselineAgreement: 0.4 })[0];
  assert.equal(weak.verdict, 'untestable');
  assert.match(weak.why, /untestable at this preset: cVAE-GAN's samples show their class >= 0.8 fails \(measured 0.4\)/);
  assert.equal(labelRelevant.lrVerdicts(rows, claims, { baselineAgreement: 0.97 })[0].verdict, 'reproduced');
  assert.equal(labelRelevant.lrVerdicts(rows, claims, {})[0].precondition?.value, 'not measured');
  const moons = labelRelevant.lrPrecondition(labelRelevant.moonsClaims()[0], { baselineOnMoon: 0.9 });
  assert.deepEqual([moons.holds, moons.value], [true, 0.9]);
  const swap = labelRelevant.lrPrecondition(labelRelevant.swapClaims()[0], { scorerAccuracy: 0.9 });
  assert.equal(swap.holds, false);
  assert.match(swap.what, /scoring classifier/);
});

test('matched IS: a verdict stands only where the matched points are within the tolerance of each other', () => {
  const claims = labelRelevant.diversityClaims(); // [at matched IS, after training]
  const verdicts = claims.map(() => ({ verdict: 'reproduced', why: 'paper sign' }));
  const near = labelRelevant.matchedIs([point(1, 7, 0.3), point(2, 8, 0.3)], [point(1, 7.8, 0.2), point(2, 9, 0.2)]);
  assert.deepEqual(labelRelevant.guardMatched(verdicts, claims, [near]), verdicts, '8 against 7.8: matched');
  const far = labelRelevant.matchedIs([point(1, 6.9, 0.5)], [point(1, 8.95, 0.15), point(2, 9.1, 0.14)]);
  const g = labelRelevant.guardMatched(verdicts, claims, [near, far]);
  assert.equal(g[0].verdict, 'inconclusive');
  assert.match(g[0].why, /differ by up to 2\.05/);
  assert.equal(g[1].verdict, 'reproduced', 'the after-training claim is not about matched IS');
  // Both guards: the reasons are kept side by side.
  const both = labelRelevant.guardClassAgreement(g, claims, { [labelRelevant.OURS]: 0.4 });
  assert.match(both[0].why, /^no matched IS.*; and LR-VAE-GAN \(ours\)'s samples show their class 0\.40/);
});

test("a diversity claim is inconclusive when a model's samples do not show their class; other claims are left alone", () => {
  const claims = [...labelRelevant.diversityClaims(), ...labelRelevant.swapClaims()];
  const verdicts = claims.map(() => ({ verdict: 'reproduced', why: 'paper sign' }));
  const ok = labelRelevant.guardClassAgreement(verdicts, claims, { [labelRelevant.OURS]: 0.9, [labelRelevant.BASELINE]: 0.97 });
  assert.deepEqual(ok, verdicts);
  const g = labelRelevant.guardClassAgreement(verdicts, claims, { [labelRelevant.OURS]: 0.4, [labelRelevant.BASELINE]: 0.97 });
  assert.deepEqual(
    g.map((v) => v.verdict),
    [...labelRelevant.diversityClaims().map(() => 'inconclusive'), ...labelRelevant.swapClaims().map(() => 'reproduced')],
  );
  assert.match(g[0].why, /LR-VAE-GAN \(ours\)'s samples show their class 0\.40 of the time/);
});

test('swap agreement counts only swaps whose sources differ in class, and reads the class off the classifier', async () => {
  // A stand-in model whose swap decodes to the z_s source (rows) image: the class follows z_s.
  const rows = tf.stack([tf.fill([2, 2, 1], 0.05), tf.fill([2, 2, 1], 0.95)]) as tf.Tensor4D;
  const cols = tf.stack([tf.fill([2, 2, 1], 0.95), tf.fill([2, 2, 1], 0.05), tf.fill([2, 2, 1], 0.95)]) as tf.Tensor4D;
  const model = {
    swap: (r: tf.Tensor4D, c: tf.Tensor4D) =>
      tf.tidy(() => tf.reshape(tf.tile(tf.expandDims(r, 1), [1, c.shape[0], 1, 1, 1]), [r.shape[0] * c.shape[0], 2, 2, 1]) as tf.Tensor4D),
  };
  const clf: ProbabilisticClassifier = {
    predict: (x) => tf.tidy(() => tf.oneHot(tf.cast(tf.greater(tf.mean(x, [1, 2, 3]), 0.5), 'int32'), 2).toFloat() as tf.Tensor2D),
  };
  const a = await labelRelevant.swapAgreement(model as never, clf, rows, [0, 1], cols, [1, 0, 1]);
  assert.equal(a.cells, 3, 'pairs (0,1) (0,1) (1,0)');
  assert.equal(a.followsS, 1);
  assert.equal(a.followsU, 0);
  await assert.rejects(labelRelevant.swapAgreement(model as never, clf, rows, [0, 0], cols.slice(0, 1), [0]), /same label/);
  tf.dispose([rows, cols]);
});

test('inpainting scores: accuracy against the labels and the squared error inside the mask only', async () => {
  const x = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
  const mask = labelRelevant.halfMask(2, 4, 4, 'right');
  assert.equal(tf.sum(mask).arraySync(), 16);
  assert.deepEqual(tf.slice(mask, [0, 0, 0, 0], [1, 1, 4, 1]).reshape([4]).arraySync(), [0, 0, 1, 1]);
  assert.deepEqual(
    tf
      .slice(labelRelevant.halfMask(1, 4, 4, 'bottom'), [0, 0, 0, 0], [1, 4, 1, 1])
      .reshape([4])
      .arraySync(),
    [0, 0, 1, 1],
  );
  // Out: 0.5 inside the mask, 1 outside it (outside must not count).
  const out = tf.add(tf.mul(mask, 0.5), tf.sub(1, mask)) as tf.Tensor4D;
  const clf: ProbabilisticClassifier = { predict: (v) => tf.tidy(() => tf.oneHot(tf.fill([v.shape[0]], 1, 'int32'), 2).toFloat() as tf.Tensor2D) };
  const s = await labelRelevant.inpaintScores(clf, x, [1, 0], out, mask);
  assert.equal(s.accuracy, 0.5);
  assert.ok(Math.abs(s.maskError - 0.25) < 1e-6, `${s.maskError}`);
  tf.dispose([x, mask, out]);
});
