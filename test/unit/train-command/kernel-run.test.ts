/**
 * The command's training program and results notebook through the real kernel process
 * (dist/kernel.js, built by `npm run build`): a tiny run on an IDX folder of 8x8 blobs writes
 * checkpoints and results.json, the results notebook executes with grid/traversal/arrows
 * outputs; an interrupted run stops between steps and its last checkpoint still loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNotebook } from '../../../src/host/run-notebook';
import { KernelClient, type CellMessage } from '../../../src/host/client';
import { checkpointCheckProgram, progressOf, trainingProgram, type TrainCrVaeOptions } from '../../../src/extension/train/options';
import { buildResultsNotebook, runNames } from '../../../src/extension/train/resultsNotebook';
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

test('training program + results notebook through the kernel', { timeout: 600_000 }, async () => {
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
  const client = new KernelClient({ kernelScript, notebookDir: runDir, typeCheck: 'off' });
  const progress: Record<string, unknown>[] = [];
  const errors: string[] = [];
  try {
    const done = await client.execute({ code: trainingProgram(o) }, (m: CellMessage) => {
      const p = progressOf(m);
      if (p) progress.push(p);
      if (m.type === 'error') errors.push(`${m.ename}: ${m.evalue}\n${m.stack}`);
    });
    assert.equal(done.status, 'ok', errors.join('\n'));
  } finally {
    client.dispose();
  }
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
  assert.deepEqual(
    results.runs.map((r: { label: string }) => r.label),
    ['CR-VAE', 'VAE'],
  );
  for (const r of results.runs) {
    assert.ok(r.test.nll > 0 && Number.isFinite(r.tTest.nll) && r.test.n === 64 && r.test.K === 4);
    assert.equal(r.epochs.length, 2);
    assert.ok(r.curves['application/vnd.vegalite.v6+json'], 'training curves saved');
  }
  assert.ok(existsSync(join(runDir, runNames(o).cr, 'model', 'trainer.json')));
  assert.ok(
    progress.some((p) => p.phase === 'train' && p.label === 'VAE' && p.epoch === 2),
    'progress reports model and epoch',
  );
  assert.equal(progress[progress.length - 1].phase, 'done');

  const nbPath = join(runDir, 'results.ipynb');
  writeFileSync(nbPath, JSON.stringify(buildResultsNotebook(o, 'test run')));
  const run = await runNotebook(nbPath, { kernelScript, typeCheck: 'off' });
  const nb = JSON.parse(readFileSync(nbPath, 'utf8'));
  const outputs = nb.cells.flatMap((c: { outputs?: { output_type: string; data?: object; evalue?: string }[] }) => c.outputs ?? []);
  assert.equal(run.status, 0, JSON.stringify(outputs.filter((x: { output_type: string }) => x.output_type === 'error')));
  const mimes = new Set(outputs.flatMap((x: { data?: object }) => Object.keys(x.data ?? {})));
  for (const m of ['application/vnd.vae-lab.grid+json', 'application/vnd.vae-lab.traversal+json', 'application/vnd.vae-lab.arrows+json', 'text/markdown'])
    assert.ok(mimes.has(m), m);
  // The 64 test images give 64 pairs, every code finite (asking for 256 read past the end: NaN codes).
  const arrows = outputs.find((x: { data?: Record<string, unknown> }) => x.data?.[MIME_ARROWS])!.data![MIME_ARROWS] as ArrowsPayload;
  assert.equal(arrows.count, 64);
  for (const p of arrows.panels) assert.ok([...base64ToFloat32(p.from), ...base64ToFloat32(p.to)].every(Number.isFinite), `${p.title}: finite points`);
  const table = outputs.find((x: { data?: Record<string, string[]> }) => x.data?.['text/markdown']?.join('').includes('| CR-VAE |'));
  assert.ok(table, 'metrics table with the CR-VAE row');
  assert.match(table.data['text/markdown'].join(''), /\| CR-VAE \| 1 \| [\d.]+ \| [\d.]+ \|.*\| 81\.2 \/ 129\.5 \/ 47 \|/, "beside the paper's row");
});

test('an interrupted training run keeps its last checkpoint loadable', { timeout: 600_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'train-cancel-'));
  const o: TrainCrVaeOptions = {
    dataset: { folder: blobFolder(root) },
    model: 'vae',
    preset: 'quick',
    baseline: false,
    epochs: 5000,
    trainExamples: 128,
    evalExamples: 64,
    K: 4,
  };
  const runDir = join(root, 'run');
  mkdirSync(runDir);
  const client = new KernelClient({ kernelScript, notebookDir: runDir, typeCheck: 'off' });
  try {
    let interrupted = false;
    const done = await client.execute({ code: trainingProgram(o) }, (m) => {
      const p = progressOf(m);
      // Epochs have 2 steps; by epoch 3 at least one checkpoint (end of epoch 1) exists.
      if (p && p.phase === 'train' && (p.epoch as number) >= 3 && !interrupted) {
        interrupted = true;
        client.interrupt();
      }
    });
    assert.ok(interrupted);
    assert.notEqual(done.status, 'ok', 'the training cell stopped');
    assert.ok(!existsSync(join(runDir, 'results.json')));
    let out = '';
    const check = await client.execute({ code: checkpointCheckProgram(join(runDir, runNames(o).cr, 'model')) }, (m) => {
      if (m.type === 'stream') out += m.text;
    });
    assert.equal(check.status, 'ok', out);
    const state = JSON.parse(out.trim().split('\n').pop()!);
    assert.ok(state.step >= 2 && state.step % 2 === 0 && state.step < 5000 * 2, `checkpoint at an epoch end: step ${state.step}`);
  } finally {
    client.dispose();
  }
});
