import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS } from '../../../src/extension/train/options';
import { buildResultsNotebook, LOAD_CELL, notebookRuns, runNames } from '../../../src/extension/train/resultsNotebook';
import { runName as crRunName } from '../../../src/lab/experiments/cr-vae';

const source = (c: { source: string[] }) => c.source.join('');

test('results notebook: nbformat 4, TypeScript metadata for the VAE Lab kernel, no outputs before a run', () => {
  const nb = buildResultsNotebook(DEFAULT_OPTIONS, 'Run');
  assert.equal(nb.nbformat, 4);
  assert.equal((nb.metadata.language_info as { name: string }).name, 'typescript');
  assert.equal((nb.metadata.kernelspec as { name: string }).name, 'vae-lab');
  const code = nb.cells.filter((c) => c.cell_type === 'code');
  assert.ok(code.every((c) => c.outputs!.length === 0 && c.execution_count === null));
  // Lines keep their newline (nbformat), so joining gives the source back.
  for (const c of nb.cells) assert.ok(c.source.slice(0, -1).every((l) => l.endsWith('\n')));
});

test("results notebook: loads both checkpoints by the lab's run names and shows metrics, grid, traversal, arrows", () => {
  for (const o of [DEFAULT_OPTIONS, { ...DEFAULT_OPTIONS, model: 'beta-vae' as const, beta: 10 }, { ...DEFAULT_OPTIONS, model: 'iwae' as const }]) {
    const names = runNames(o);
    assert.equal(names.cr, crRunName({ ...o, variant: 'cr' }), 'same folder as the lab writes');
    assert.equal(names.base, crRunName({ ...o, variant: 'none' }));
    const nb = buildResultsNotebook(o, 't');
    const all = nb.cells.map(source).join('\n');
    const load = source(nb.cells[LOAD_CELL]);
    assert.equal(nb.cells[LOAD_CELL].cell_type, 'code');
    assert.ok(load.includes("loadCheckpoint(`${byName('" + names.cr + "').dir}/model`)"));
    assert.ok(load.includes("loadCheckpoint(`${byName('" + names.base + "').dir}/model`)"));
    assert.match(load, /experiments\.crVae\.resultsMarkdown\(runs\)/);
    // The job folders of the sweeps Train CR-VAE ran, by the names it gave them.
    assert.ok(all.includes(JSON.stringify(notebookRuns(o))));
    assert.deepEqual(
      notebookRuns(o).map((r) => r.name),
      [names.base, names.cr],
    );
    for (const call of ['show.reconstructions(', 'show.traversal(', 'show.arrows(', '/metrics.json', '/events.jsonl']) assert.ok(all.includes(call), call);
  }
  const single = buildResultsNotebook({ ...DEFAULT_OPTIONS, baseline: false }, 't');
  const all = single.cells.map(source).join('\n');
  assert.ok(!all.includes("byName('vae')"), 'no baseline checkpoint when none was trained');
  assert.deepEqual(
    notebookRuns({ ...DEFAULT_OPTIONS, baseline: false }).map((r) => r.name),
    ['cr-vae'],
  );
});

test('results notebook: its pairs never outnumber the evaluation set (a 64-image folder gave NaN codes past the end), and quick verdicts say they claim nothing', () => {
  const load = source(buildResultsNotebook(DEFAULT_OPTIONS, 't').cells[LOAD_CELL]);
  assert.match(load, /length: Math\.min\(256, data\.test\.n\)/);
  assert.match(load, /verdictMarkdown\(.*\{ preset: run\.preset \}\)/);
  const all = buildResultsNotebook(DEFAULT_OPTIONS, 't').cells.map(source).join('\n');
  assert.doesNotMatch(all, /new Int32Array\(256\)/);
});
