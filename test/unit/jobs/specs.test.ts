/**
 * The notebooks' sweep specs in notebooks/sweeps/ (what each notebook runs at its preset, and the
 * grids a cluster runs for it) stay valid against `vae-lab train`'s flags as the flags change,
 * and expand to the runs the notebooks read. sweeps/ at the root is checked too while it holds
 * a spec.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSpec, expandSpec, type SweepSpec } from '../../../src/lab/jobs';
import { trainFlags } from '../../../src/cli/flags';

const root = join(__dirname, '../../..');
const dirs = [join(root, 'notebooks/sweeps'), join(root, 'sweeps')].filter((d) => existsSync(d));

function specs(): Record<string, SweepSpec> {
  const out: Record<string, SweepSpec> = {};
  for (const dir of dirs)
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const spec = checkSpec(JSON.parse(readFileSync(join(dir, f), 'utf8')), { train: trainFlags() });
      assert.equal(`${spec.name}.json`, f, `${dir}/${f}: its name matches its file`);
      assert.ok(!out[spec.name], `${spec.name} is in one place only`);
      out[spec.name] = spec;
    }
  return out;
}

test('every spec in notebooks/sweeps/ (and sweeps/) passes the checks, its name matches its file, and each name is in one place', () => {
  const all = specs();
  const counts = Object.fromEntries(Object.entries(all).map(([n, s]) => [n, expandSpec(s).jobs.length]));
  for (const n of [
    'cr-vae-quick',
    'cr-vae-laptop',
    'cr-vae-paper',
    'factor-vae-quick',
    'factor-vae-laptop',
    'factor-vae-paper',
    'label-relevant-quick',
    'label-relevant-laptop',
    'label-relevant-paper',
  ])
    assert.ok(n in counts, `${n}.json exists`);
  // CR-VAE laptop: VAE, CR-VAE, VAE + Aug at 6 seeds in the overfitting setting and 3 on all the data, IWAE x2, beta x4, eta x2 at 1 seed.
  assert.equal(counts['cr-vae-laptop'], 35);
  // quick: the same rows at 2 seeds (the preset's) and 1.
  assert.equal(counts['cr-vae-quick'], 20);
  // FactorVAE laptop: the declared pair at 6 seeds, beta 1, 16 and gamma 10 at 2.
  assert.equal(counts['factor-vae-laptop'], 18);
  assert.equal(counts['factor-vae-paper'], 18);
  assert.equal(counts['factor-vae-quick'], 5);
  // label-relevant: moons and MNIST, LR-VAE-GAN, cVAE-GAN (and the cVAE on MNIST) at 3 seeds; quick at 2 (the cVAE at 1).
  assert.equal(counts['label-relevant-laptop'], 15);
  assert.equal(counts['label-relevant-paper'], 15);
  assert.equal(counts['label-relevant-quick'], 9);
});

test('each notebook spec runs its own preset', () => {
  for (const [name, s] of Object.entries(specs())) {
    const m = /-(quick|laptop|paper)$/.exec(name);
    if (m) assert.equal(s.base.preset, m[1], `${name}: base.preset`);
  }
});
