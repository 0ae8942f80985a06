import { test } from 'node:test';
import assert from 'node:assert/strict';
import { experiments } from '../../../src/lab';

const { crVae } = experiments;

const score = (row: string, seed: number, nllTTest: number, auTest = 30): experiments.crVae.SeedScore => ({
  row,
  seed,
  nllTest: 90,
  nllTTest,
  auTest,
  miTest: 3,
  miTTest: 3,
  logM: Math.log(1000),
  miAtBound: false,
  latentDim: 50,
});

test("the tables hold the paper's rows: Table 1 has 8, Table 4 VAE + Aug, the eta sweep shares CR-VAE", () => {
  assert.deepEqual(crVae.TABLE1.map(crVae.rowLabel), [
    'VAE',
    'CR-VAE',
    'IWAE',
    'CR-IWAE',
    'beta-VAE (0.5)',
    'beta-CR-VAE (0.5)',
    'beta-VAE (10)',
    'beta-CR-VAE (10)',
  ]);
  assert.deepEqual(crVae.TABLE4.map(crVae.rowLabel), ['VAE + Aug']);
  assert.deepEqual(crVae.ETA_SWEEP.map(crVae.rowLabel), ['CR-VAE', 'CR-VAE (eta 1)', 'CR-VAE (eta 10)']);
  assert.equal(crVae.table1Claims().length, 12);
});

test('verdicts pair seeds: a steady gain under a large seed effect is reproduced; unpaired seeds are ignored', () => {
  const scores = [
    score('VAE', 0, 200),
    score('VAE', 1, 260),
    score('VAE', 2, 230),
    score('VAE', 3, 999),
    score('CR-VAE', 0, 150),
    score('CR-VAE', 1, 211),
    score('CR-VAE', 2, 179),
  ];
  const [t] = crVae.verdicts(scores, crVae.table1Claims());
  assert.equal(t.n, 3);
  assert.ok(Math.abs(t.effect + 50) < 1e-9);
  assert.equal(t.verdict, 'reproduced');
  const md = crVae.verdictMarkdown([t]).split('\n');
  assert.match(
    md[2],
    /^\| CR-VAE − VAE: t-Test NLL falls \| -209\.2 \(129\.5 vs 338\.7\) \| -50\.00 ± 0\.58 \(3 seeds, df 2\) \| the warp hurts VAE: NLL t-Test − test >= 2 nats: \d+\.\d+ nats \(holds\) \| reproduced \|/,
  );
  assert.doesNotMatch(crVae.verdictMarkdown([t], { preset: 'laptop' }), /claims nothing/);
  const quick = crVae.verdictMarkdown([t], { preset: 'quick' }).split('\n');
  assert.match(quick[0], /quick claims nothing.*smoke test for CI.*laptop/);
  assert.deepEqual(quick.slice(2), md, 'the same table under the note');
});

test('verdicts: the opposite sign beyond the t interval is not reproduced; 2 seeds, noise and missing rows are inconclusive', () => {
  const scores = [
    score('VAE + Aug', 0, 150, 30),
    score('VAE + Aug', 1, 152, 31),
    score('VAE + Aug', 2, 151, 30),
    score('CR-VAE', 0, 170, 30),
    score('CR-VAE', 1, 171, 32),
    score('CR-VAE', 2, 171.5, 30),
  ];
  const v = crVae.verdicts(scores, crVae.table4Claims());
  assert.equal(v[0].verdict, 'not reproduced'); // +20, +19, +20.5: higher t-Test NLL with CR
  assert.equal(v[2].verdict, 'inconclusive'); // AU +0, +1, +0
  assert.equal(
    crVae.verdicts(
      scores.filter((s) => s.seed < 2),
      crVae.table4Claims(),
    )[0].verdict,
    'inconclusive',
    'two seeds are never firm',
  );
  const none = crVae.verdicts(scores, crVae.arrowClaims());
  assert.equal(none[0].verdict, 'inconclusive');
  assert.match(none[0].why, /no seed has both/);
});

test('preconditions: test NLL needs the base to overfit by 2 nats, AU needs room below the latent size; failing reads untestable', () => {
  const row = (r: string, seed: number, nllTest: number, nllTrain: number | undefined, au: number) => ({
    ...score(r, seed, 200, au),
    nllTest,
    nllTrain,
    latentDim: 50,
  });
  // the full-data laptop regime: train 97.3 vs test 96.7, CR-VAE 1.6 nats worse at every seed
  const full = [0, 1, 2].flatMap((s) => [row('VAE', s, 96.7 + s * 0.1, 97.3, 50), row('CR-VAE', s, 98.3 + s * 0.1, 98, 47)]);
  const [, nll, au] = crVae.verdicts(full, crVae.table1Claims());
  assert.equal(nll.verdict, 'untestable');
  assert.match(nll.why, /untestable at this preset: VAE overfits: NLL test − train >= 2 nats fails \(measured -0\.50 nats\)/);
  assert.equal(au.verdict, 'untestable', 'AU 50 of 50: at the ceiling');
  // an overfitting base: train 100, test 109.6; CR-VAE test 107.6 +- 0.2
  const over = [0, 1, 2].flatMap((s) => [row('VAE', s, 109.6, 100, 30), row('CR-VAE', s, 107.6 + (s - 1) * 0.2, 101, 33)]);
  const [, nll2, au2] = crVae.verdicts(over, crVae.table1Claims());
  assert.equal(nll2.precondition?.holds, true);
  assert.equal(nll2.verdict, 'reproduced');
  assert.equal(au2.verdict, 'reproduced');
  // no train NLL measured (runs from before issue 27): untestable, saying so
  const old = over.map(({ nllTrain: _t, ...s }) => s);
  assert.match(crVae.verdicts(old, crVae.table1Claims())[1].why, /not measured/);
});

test('preconditions: a shorter-arrows claim needs the base arrows above the smallest effect (0.02); at the floor it reads untestable', () => {
  const row = (r: string, seed: number, arrowRatio: number) => ({ ...score(r, seed, 200), arrowRatio });
  // CR-VAE's arrows 0.1 shorter than the VAE's at every seed
  const long = [0, 1, 2].flatMap((s) => [row('VAE', s, 0.3 + s * 0.01), row('CR-VAE', s, 0.2 + s * 0.012)]);
  const [v] = crVae.verdicts(long, crVae.arrowClaims());
  assert.equal(v.precondition?.holds, true);
  assert.equal(v.precondition?.value, '0.310');
  assert.equal(v.verdict, 'reproduced');
  // the VAE's arrows already at 0.01: no shortening worth counting can show
  const short = [0, 1, 2].flatMap((s) => [row('VAE', s, 0.01), row('CR-VAE', s, 0.005 + s * 0.001)]);
  const [u] = crVae.verdicts(short, crVae.arrowClaims());
  assert.equal(u.precondition?.holds, false);
  assert.equal(u.verdict, 'untestable');
  assert.match(u.why, /arrows leave room to shorten: arrow ratio > 0\.02 fails \(measured 0\.010\)/);
});

test("verdicts on the NLL pair per-image scores: the same images' shared difficulty leaves the se; each seed's noise stays", () => {
  // 5 images of very different difficulty, the CR model 0.8 nats better on each +- 0.02; seeds shift all images alike
  const hard = [60, 140, 90, 120, 75];
  const row = (r: string, seed: number, shift: number) => {
    const items = hard.map((h, i) => h + shift + (r === 'CR-VAE' ? (i % 2 ? 0.02 : -0.02) : 0));
    return { ...score(r, seed, 200), nllTest: items.reduce((a, b) => a + b, 0) / 5, items: { nllTest: items }, nllTrain: 0 };
  };
  const scores = [0, 1, 2].flatMap((s) => [row('VAE', s, s * 0.05), row('CR-VAE', s, s * 0.05 - 0.8)]);
  const v = crVae.verdicts(scores, crVae.table1Claims())[1];
  assert.ok(Math.abs(v.effect + 0.804) < 1e-9, `effect ${v.effect}`);
  // the paired per-image variance: var(-0.82, -0.78, -0.82, -0.78, -0.82) / 5, against var(hard) / 5 * 2 ~ 400 unpaired
  assert.ok(Math.abs(v.se - Math.sqrt(0.00048 / 5)) < 1e-9, `paired per-image se ${v.se}`);
  assert.equal(v.verdict, 'not reproduced', 'a real gain of 0.8 nats, all of its interval below the 1 nat counted');
});

test('the overfitting setting: its rows carry the setting in their label; Table 1 (VAE) and Table 4 claims are tested on them', () => {
  const o = crVae.presets.laptop.overfit!;
  assert.deepEqual(o, { trainExamples: 2000, epochs: 60, seeds: 6 });
  const suffix = crVae.overfitLabel(o);
  assert.equal(suffix, ' [2000 images, 60 epochs]');
  const claims = crVae.overfitClaims(suffix);
  assert.equal(claims.length, 6);
  assert.deepEqual(
    claims.map((c) => [c.a, c.b]),
    [...Array(3).fill(['VAE' + suffix, 'CR-VAE' + suffix]), ...Array(3).fill(['VAE + Aug' + suffix, 'CR-VAE' + suffix])],
  );
  // a job of the sweep with --train-examples and --epochs is a row of the overfitting setting
  const job = crVae.jobOfParams({ model: 'vae', cr: true, seed: 2, 'train-examples': 2000, epochs: 60, preset: 'laptop' });
  assert.deepEqual(job, { spec: { model: 'vae', variant: 'cr' }, seed: 2, overfit: { trainExamples: o.trainExamples, epochs: o.epochs } });
  assert.equal(crVae.rowOfJob(job), 'CR-VAE' + suffix);
});

test("a sweep job's flags map back to its row: model, beta, CR / Aug, eta, seed; a job of no CR-VAE row is refused", () => {
  const row = (p: Record<string, string | number | boolean>) => crVae.rowOfJob(crVae.jobOfParams(p));
  assert.equal(row({ model: 'beta-vae', beta: 10, cr: true, seed: 0 }), 'beta-CR-VAE (10)');
  assert.equal(row({ model: 'beta-vae', beta: 10, cr: true, eta: 1 }), 'beta-CR-VAE (10)', 'eta 0.1 * beta is the default');
  assert.equal(row({ model: 'vae', cr: true, eta: 10, seed: 0 }), 'CR-VAE (eta 10)');
  assert.equal(row({ model: 'vae', aug: true, cr: false }), 'VAE + Aug');
  assert.equal(row({ model: 'iwae' }), 'IWAE');
  assert.equal(crVae.jobOfParams({ model: 'vae' }).seed, 0, "vae-lab train's default seed");
  assert.throws(() => crVae.jobOfParams({ model: 'factor-vae', gamma: 40 }), /not a CR-VAE row/);
  assert.throws(() => crVae.jobOfParams({ model: 'vae', epochs: 60 }), /both --train-examples and --epochs/);
});

test('the committed cr-vae specs: every job maps to a row of the notebook, and every row has its seeds', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { expandSpec } = await import('../../../src/lab/jobs');
  for (const preset of ['quick', 'laptop', 'paper']) {
    const spec = JSON.parse(readFileSync(join(__dirname, `../../../notebooks/sweeps/cr-vae-${preset}.json`), 'utf8'));
    const P = crVae.presets[preset];
    const seeds = new Map<string, number[]>();
    for (const j of expandSpec(spec).jobs) {
      const job = crVae.jobOfParams(j.params);
      const r = crVae.rowOfJob(job);
      seeds.set(r, [...(seeds.get(r) ?? []), job.seed]);
    }
    // the notebook's rows: Table 1, Table 4, the eta sweep, and (where the preset has one) the overfitting setting
    const core = ['VAE', 'CR-VAE', 'VAE + Aug'];
    const rows = [...crVae.TABLE1, ...crVae.TABLE4, ...crVae.ETA_SWEEP.slice(1)].map(crVae.rowLabel);
    const over = P.overfit ? crVae.OVERFIT_ROWS.map((s) => crVae.rowLabel(s) + crVae.overfitLabel(P.overfit)) : [];
    assert.deepEqual([...seeds.keys()].sort(), [...rows, ...over].sort(), `${preset}: the spec's rows are the notebook's`);
    const all = Array.from({ length: P.seeds }, (_, i) => i);
    for (const r of core) assert.deepEqual(seeds.get(r)!.sort(), all, `${preset}: ${r} at every seed of the preset`);
    // The overfitting setting has its own seed count where the preset gives one (laptop: 6).
    const overSeeds = Array.from({ length: P.overfit?.seeds ?? P.seeds }, (_, i) => i);
    for (const r of over)
      assert.deepEqual(
        seeds.get(r)!.sort((a, b) => a - b),
        overSeeds,
        `${preset}: ${r} at every seed of its setting`,
      );
    for (const r of rows.filter((x) => !core.includes(x))) assert.deepEqual(seeds.get(r), preset === 'paper' ? all : [0], `${preset}: ${r}`);
  }
});

test('the sweep reading path: the spec runs through the job engine, each done job is read back as its row and seed, jobs not done are named, a second run trains nothing', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { encodeIdx } = await import('../../../src/lab/data/idx');
  const { loadSweep, prepareSweep } = await import('../../../src/lab/jobs');
  const { blobs } = await import('./helpers');
  const dir = mkdtempSync(join(tmpdir(), 'crsweep-'));
  const data = join(dir, 'data');
  mkdirSync(data);
  const set = blobs(64);
  writeFileSync(join(data, 'train-images-idx3-ubyte'), encodeIdx([64, 8, 8], set.images));
  writeFileSync(join(data, 't10k-images-idx3-ubyte'), encodeIdx([24, 8, 8], set.images.subarray(0, 24 * 64)));
  const base = { model: 'vae', preset: 'quick', dataset: data, epochs: 1, 'train-examples': 64, examples: 24, K: 4, latent: 2, backend: 'cpu' };
  const spec = (seeds: number[]) => ({ name: 'cr-test', command: 'train', base, grid: { seed: seeds, cr: [false, true] } });
  const specFile = join(dir, 'cr-test.json');
  writeFileSync(specFile, JSON.stringify(spec([0])));
  const out = join(dir, 'runs');
  const o = { specFile, outDir: out, cli: join(__dirname, '../../../src/cli/main.ts'), nodeArgs: ['--import', 'tsx'], jobs: 2, log: () => {}, env: {} };
  const ran = await experiments.notebookSweep(o);
  assert.equal(ran.source, 'ran');
  assert.deepEqual(ran.missing, []);
  const { results, missing } = crVae.sweepResults(ran.sweep);
  assert.deepEqual(missing, []);
  const sfx = ' [64 images, 1 epochs]'; // --train-examples with --epochs: a setting apart from the preset's
  assert.deepEqual(
    results.map((x) => [x.row, x.seed]),
    [
      ['VAE' + sfx, 0],
      ['CR-VAE' + sfx, 0],
    ],
  );
  for (const x of results) {
    assert.ok(Number.isFinite(x.test.nll) && Number.isFinite(x.tTest.nll), `${x.row}: ${x.test.nll}`);
    assert.ok(x.train && Number.isFinite(x.train.nll), `${x.row}: the train NLL is scored`);
    assert.equal(x.latentDim, 2, `${x.row}: the latent size, read through a CR wrapper too`);
    assert.equal(x.test.M, 24);
    assert.ok(statSync(x.checkpoint).isDirectory(), `${x.row}: the checkpoint is in the job's folder`);
    const s = crVae.seedScore(x);
    assert.equal(s.row, x.row);
    assert.equal(s.nllTrain, x.train!.nll);
  }
  // a second run trains nothing
  const before = statSync(join(results[0].dir, 'metrics.json')).mtimeMs;
  await experiments.notebookSweep(o);
  assert.equal(statSync(join(results[0].dir, 'metrics.json')).mtimeMs, before);
  // the spec grows a seed that has not run: its jobs are named as missing, the tables use the done ones
  prepareSweep(spec([0, 1]) as never, out);
  const grown = crVae.sweepResults(loadSweep(out));
  assert.equal(grown.results.length, 2);
  assert.deepEqual(
    grown.missing.map((m) => [m.row, m.seed, m.state]),
    [
      ['VAE' + sfx, 1, 'queued'],
      ['CR-VAE' + sfx, 1, 'queued'],
    ],
  );
  assert.match(crVae.missingMarkdown(grown.missing), /VAE \[64 images, 1 epochs\] seed 1 \(queued\)/);
  // VAE_LAB_RUNS_DIR: that folder is read, nothing runs; a folder that is not a sweep is refused, saying what to do
  const env = await experiments.notebookSweep({ ...o, specFile: join(dir, 'nope.json'), env: { [experiments.RUNS_DIR_ENV]: out } });
  assert.equal(env.source, 'env');
  assert.equal(env.missing.length, 2);
  await assert.rejects(experiments.notebookSweep({ ...o, env: { VAE_LAB_RUNS_DIR: data } }), /not a sweep folder.*vae-lab sweep run/);
});

test('evaluation images: a seeded random subset, the same for every training seed, MI over all of them', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { encodeIdx } = await import('../../../src/lab/data/idx');
  const dir = mkdtempSync(join(tmpdir(), 'evalset-'));
  const test = Uint8Array.from({ length: 50 * 64 }, (_, i) => Math.floor(i / 64)); // image i is all i
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx([50, 8, 8], test));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx([50, 8, 8], test));
  const ids = async (seed: number, evalSeed?: number) => {
    const d = await crVae.loadData({ dataset: dir, preset: 'quick', trainExamples: 50, evalExamples: 10, seed, evalSeed });
    assert.equal(d.M, 50, 'MI and AU over every test image');
    assert.equal(d.latent.test.n, 50);
    const all = Array.from({ length: 50 }, (_, j) => d.latent.test.images[j * 64]);
    const of = (s: { images: Uint8Array }, i: number) => Array.from(s.images.subarray(i * 64, (i + 1) * 64));
    for (let i = 0; i < d.test.n; i++) {
      const j = all.indexOf(d.test.images[i * 64]);
      assert.ok(j >= 0, 'an NLL image is among the MI images');
      assert.deepEqual(of(d.tTest, i), of(d.latent.tTest, j), 'with the same t-Test copy');
    }
    return Array.from({ length: d.test.n }, (_, i) => d.test.images[i * 64]);
  };
  const a = await ids(0),
    b = await ids(7);
  assert.deepEqual(a, b, 'the training seed does not move the evaluation images');
  assert.notDeepEqual(a, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'not the first n');
  assert.notDeepEqual(await ids(0, 1), a, 'evalSeed picks another subset');
});
