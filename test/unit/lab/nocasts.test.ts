/**
 * Code a user reads and copies holds no casts: the bundled notebooks' code cells and the code
 * the Train CR-VAE command generates (its results notebook) type-check against `vae-lab` as written, so `as any` / `as unknown as` there
 * would mean the lab's types do not fit its own examples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainCrVaeOptions } from '../../../src/extension/train/options';
import { buildResultsNotebook } from '../../../src/extension/train/resultsNotebook';

const root = join(__dirname, '../../..');
const CAST = /\bas\s+any\b|\bas\s+unknown\s+as\b|<any>/;
const text = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);

test('bundled notebooks: no cast in any code cell', () => {
  const files = readdirSync(join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const nb = JSON.parse(readFileSync(join(root, 'notebooks', f), 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
    nb.cells.forEach((c, i) => {
      if (c.cell_type === 'code') assert.doesNotMatch(text(c.source), CAST, `${f} cell ${i}`);
    });
  }
});

test('the Train CR-VAE command generates no cast', () => {
  const options: TrainCrVaeOptions[] = [
    { dataset: 'mnist', model: 'vae', preset: 'quick', baseline: true },
    { dataset: { folder: '/data/idx' }, model: 'beta-vae', beta: 10, preset: 'paper', baseline: false, epochs: 3, eta: 0.5 },
  ];
  for (const o of options) {
    for (const c of buildResultsNotebook(o, 'run').cells) if (c.cell_type === 'code') assert.doesNotMatch(text(c.source), CAST);
  }
  assert.match('const m = x as any;', CAST, 'the pattern catches a cast');
});
