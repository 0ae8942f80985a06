/**
 * The experiments' sweep specs in sweeps/ (the grids a cluster runs for the notebooks) stay valid
 * against `vae-lab train`'s flags as the flags change, and expand to the runs they name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSpec, expandSpec } from '../../../src/lab/jobs';
import { trainFlags } from '../../../src/cli/flags';

const dir = join(__dirname, '../../../sweeps');

test('every spec in sweeps/ passes the checks and its name matches its file', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 4);
  const counts: Record<string, number> = {};
  for (const f of files) {
    const spec = checkSpec(JSON.parse(readFileSync(join(dir, f), 'utf8')), { train: trainFlags() });
    assert.equal(`${spec.name}.json`, f);
    counts[spec.name] = expandSpec(spec).jobs.length;
  }
  // FactorVAE comparison: beta 1, 4, 16 and gamma 10, 40 at 2 seeds = the 10 committed runs.
  assert.equal(counts['factor-vae-laptop-beta'] + counts['factor-vae-laptop-gamma'], 10);
  assert.equal(counts['cr-vae-laptop'], 6);
});
