/**
 * The command's jobs and results notebook for real (dist/cli.js and dist/kernel.js, built by
 * `npm run build`): the jobs of its sweep specs, run by `vae-lab train` on an IDX folder of 8x8
 * blobs, write checkpoints and metrics.json into job folders; the results notebook reads them
 * and executes with table, curves, grid, traversal and arrows outputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runNotebook } from '../../../src/host/run-notebook';
import { sweepSpecs, type TrainCrVaeOptions } from '../../../src/extension/train/options';
import { buildResultsNotebook } from '../../../src/extension/train/resultsNotebook';
import { encodeIdx } from '../../../src/lab/data/idx';
import { blobs } from '../lab/helpers';
import { base64ToFloat32, MIME_ARROWS, type ArrowsPayload } from '../../../src/common/mime';

/**
 * A private copy of dist/ (other builds in the same tree may delete dist/ while this runs);
 * kernel.js and the wasm files it loads lazily travel together.
 */
const kernelScript = (() => {
  const dist = join(__dirname, '..', '..', '..', 'dist');
  if (!existsSync(join(dist, 'kernel.js'))) throw new Error('dist/kernel.js is missing: run `npm run build` first');
  const copy = mkdtempSync(join(tmpdir(), 'train-cmd-dist-'));
  cpSync(dist, copy, { recursive: true, filter: (f) => !f.endsWith('.vsix') && !f.endsWith('.map') });
  return join(copy, 'kernel.js');
})();
const cliScript = join(kernelScript, '..', 'cli.js');

function blobFolder(root: string): string {
  const data = join(root, 'data');
  mkdirSync(data);
  const set = blobs(192);
  writeFileSync(join(data, 'train-images-idx3-ubyte'), encodeIdx([192, 8, 8], set.images));
  writeFileSync(join(data, 'train-labels-idx1-ubyte'), encodeIdx([192], set.labels!));
  writeFileSync(join(data, 't10k-images-idx3-ubyte'), encodeIdx([64, 8, 8], set.images.subarray(0, 64 * 64)));
  writeFileSync(join(data, 't10k-labels-idx1-ubyte'), encodeIdx([64], set.labels!.subarray(0, 64)));
  return data;
}

/** `vae-lab train` (the bundled CLI, as a job of the engine runs it) into a one-job sweep's job folder. */
function trainJob(runDir: string, name: string, flags: Record<string, string | number | boolean>): string {
  const dir = join(runDir, name, 'jobs', 'seed-0');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(runDir, name, 'sweep.json'),
    JSON.stringify({ name, command: 'train', base: flags, grid: { seed: [0] }, jobs: [{ id: 'seed-0', params: { seed: 0 } }] }),
  );
  const argv = [
    'train',
    ...Object.entries(flags).flatMap(([k, v]) => (v === true ? [`--${k}`] : v === false ? [] : [`--${k}`, String(v)])),
    '--seed',
    '0',
    '--out',
    dir,
  ];
  execFileSync(process.execPath, [cliScript, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  return dir;
}

test('results notebook: reads the job folders `vae-lab train` wrote and shows metrics, curves, grid, traversal, arrows', { timeout: 600_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'train-cmd-'));
  const o: TrainCrVaeOptions = {
    dataset: { folder: blobFolder(root) },
    model: 'vae',
    preset: 'quick',
    baseline: true,
    epochs: 2,
    trainExamples: 128,
    evalExamples: 64,
    K: 4,
  };
  const runDir = join(root, 'run');
  mkdirSync(runDir);
  // The jobs Train CR-VAE hands to the engine, run here directly (the engine's own tests run sweeps).
  const dirs = sweepSpecs(o).map((s) => trainJob(runDir, s.name, s.spec.base));
  for (const d of dirs) assert.ok(existsSync(join(d, 'metrics.json')) && existsSync(join(d, 'model', 'trainer.json')), d);
  for (const d of dirs) assert.ok(existsSync(join(d, 'events.jsonl')), `${d}: train --out writes its events`);

  const nbPath = join(runDir, 'results.ipynb');
  writeFileSync(nbPath, JSON.stringify(buildResultsNotebook(o, 'test run')));
  const run = await runNotebook(nbPath, { kernelScript, typeCheck: 'off' });
  const nb = JSON.parse(readFileSync(nbPath, 'utf8'));
  const outputs = nb.cells.flatMap((c: { outputs?: { output_type: string; data?: object; evalue?: string }[] }) => c.outputs ?? []);
  assert.equal(run.status, 0, JSON.stringify(outputs.filter((x: { output_type: string }) => x.output_type === 'error')));
  const mimes = new Set(outputs.flatMap((x: { data?: object }) => Object.keys(x.data ?? {})));
  for (const m of [
    'application/vnd.vae-lab.grid+json',
    'application/vnd.vae-lab.traversal+json',
    'application/vnd.vae-lab.arrows+json',
    'text/markdown',
    'application/vnd.vegalite.v6+json',
  ])
    assert.ok(mimes.has(m), m);
  const charts = outputs.filter((x: { data?: Record<string, unknown> }) => x.data?.['application/vnd.vegalite.v6+json']);
  assert.equal(charts.length, 2, 'one curve chart per model');
  // The 64 test images give 64 pairs, every code finite (asking for 256 read past the end: NaN codes).
  const arrows = outputs.find((x: { data?: Record<string, unknown> }) => x.data?.[MIME_ARROWS])!.data![MIME_ARROWS] as ArrowsPayload;
  assert.equal(arrows.count, 64);
  for (const p of arrows.panels) assert.ok([...base64ToFloat32(p.from), ...base64ToFloat32(p.to)].every(Number.isFinite), `${p.title}: finite points`);
  assert.deepEqual(
    arrows.panels.map((p) => p.title),
    ['VAE', 'CR-VAE'],
  );
  const table = outputs.find((x: { data?: Record<string, string[]> }) => x.data?.['text/markdown']?.join('').includes('| CR-VAE |'));
  assert.ok(table, 'metrics table with the CR-VAE row');
  assert.match(table.data['text/markdown'].join(''), /\| CR-VAE \| 1 \| [\d.]+ \| [\d.]+ \|.*\| 81\.2 \/ 129\.5 \/ 47 \|/, "beside the paper's row");
});
