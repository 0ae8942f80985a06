/**
 * A notebook written for tslab (test/notebooks/tslab-tfjs.ipynb: tfjs-node, tslab.display,
 * one newDisplay progress, model.fit, tf.node.encodePng + tslab.display.png, a Deno-style
 * Jupyter.display object) runs unchanged through the headless runner, `vae-lab run-notebook`,
 * with type checking on: to its last cell, with no type error reported, the progress output
 * updated in place (one output, at its last epoch), and the loss falling.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, root } from './helpers';

type Output = { output_type: string; name?: string; text?: string[]; data?: Record<string, string | string[]> };
const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : (v ?? ''));

it('runs a tslab + tfjs-node notebook unchanged with the headless runner', () => {
  ensureBuilt();
  const out = join(mkdtempSync(join(tmpdir(), 'vae-lab-tslab-nb-')), 'out.ipynb');
  const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'run-notebook', join(root, 'test/notebooks/tslab-tfjs.ipynb'), '--out', out], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const cells = (JSON.parse(readFileSync(out, 'utf8')).cells as { cell_type: string; outputs?: Output[] }[]).filter((c) => c.cell_type === 'code');
  const all = cells.flatMap((c) => c.outputs ?? []);
  const streams = all.filter((o) => o.output_type === 'stream').map((o) => text(o.text));
  assert.ok(!streams.some((s) => /error TS\d+/.test(s)), `type errors reported: ${streams.join('')}`);
  assert.match(streams.join(''), /isNode true, isBrowser false/);
  // One progress output, updated in place to the last epoch.
  const progress = cells[1].outputs!.filter((o) => o.output_type === 'display_data');
  assert.equal(progress.length, 1, JSON.stringify(cells[1].outputs));
  assert.match(text(progress[0].data!['text/html']), /epoch 30\/30/);
  const [first, last] = /loss ([\d.]+) -> ([\d.]+)/.exec(streams.join(''))!.slice(1).map(Number);
  assert.ok(last < first, `loss ${first} -> ${last}`);
  const png = Buffer.from(text(cells[2].outputs!.find((o) => o.data?.['image/png'])?.data!['image/png']), 'base64');
  assert.equal(png.readUInt32BE(16), 48, 'a 48-pixel-wide PNG');
  assert.ok(cells[3].outputs!.some((o) => /\| 30 \|/.test(text(o.data?.['text/markdown']))));
  const result = cells[3].outputs!.find((o) => o.output_type === 'execute_result');
  assert.match(text(result?.data?.['text/html']), /<b>trained<\/b> 30 epochs/);
});
