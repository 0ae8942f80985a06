/**
 * The headless runner on small generated notebooks, through a real kernel: outputs land in
 * nbformat 4 shape (streams merged, display updates applied in place, results, errors with
 * mapped tracebacks), stale outputs go, a failing cell stops the run with status 1, and the
 * preset reaches the kernel. One kernel start only (CI budget): saving in place (no --out)
 * differs from this run only in the path written.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNotebook } from '../../../src/host/run-notebook';
import { runNotebookCommand } from '../../../src/cli/run-notebook';
import { ensureBuilt, kernelScript } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const stale = [{ output_type: 'stream', name: 'stdout', text: ['stale\n'] }];
const code = (source: string | string[], metadata: Json = {}): Json => ({ cell_type: 'code', source, metadata, outputs: stale, execution_count: 9 });

function writeNotebook(cells: Json[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'vae-lab-run-nb-'));
  const file = join(dir, 'nb.ipynb');
  writeFileSync(file, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { language_info: { name: 'typescript' } }, cells }));
  return file;
}

describe('runNotebook', () => {
  it('writes every kind of output and stops at the first failing cell', async () => {
    ensureBuilt();
    const file = writeNotebook([
      { cell_type: 'markdown', source: ['# title'], metadata: {} },
      code(['const a: number = 2;\n', 'console.log("one", a);\n', 'console.log(`two ${process.env.VAE_LAB_PRESET}`);\n', 'a * 21']),
      code('const h = display.markdown("0%");\nh.update("100%");\ndisplay.json({ x: 1 });'),
      // JavaScript cells are covered in cells.test.ts (a second converter costs seconds to start).
      code('const z: string = "z";\n\nthrow new TypeError("bad " + z);'),
      code('console.log("never runs")'),
    ]);
    const out = join(file, '..', 'out.ipynb');
    const r = await runNotebook(file, { out, kernelScript, preset: 'quick' });
    assert.equal(r.status, 1);
    assert.equal(r.failedCell, 3);
    assert.equal(r.outPath, out);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).cells[1].outputs[0].text[0], 'stale\n', 'input untouched with --out');
    const cells = JSON.parse(readFileSync(out, 'utf8')).cells as Json[];
    assert.equal(cells[0].cell_type, 'markdown');
    assert.deepEqual(cells[1].outputs, [
      { output_type: 'stream', name: 'stdout', text: ['one 2\n', 'two quick\n'] },
      { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': ['42'] }, metadata: {} },
    ]);
    assert.equal(cells[1].execution_count, 1);
    assert.deepEqual(
      cells[2].outputs.map((o: Json) => o.output_type),
      ['display_data', 'display_data'],
    );
    assert.deepEqual(cells[2].outputs[0].data['text/markdown'], ['100%']);
    assert.deepEqual(cells[2].outputs[1].data['application/json'], { x: 1 });
    assert.equal(typeof cells[2].outputs[1].data['text/plain'][0], 'string');
    const err = cells[3].outputs[0];
    assert.equal(err.output_type, 'error');
    assert.equal(err.ename, 'TypeError');
    assert.equal(err.evalue, 'bad z');
    assert.ok(
      err.traceback.some((l: string) => l.includes('Cell 3, line 3:7')),
      err.traceback.join('\n'),
    );
    assert.deepEqual(cells[4].outputs, []);
    assert.equal(cells[4].execution_count, null);
    assert.deepEqual(readdirSync(join(file, '..')).sort(), ['nb.ipynb', 'out.ipynb'], 'no temporary file left');
  });

  it('rejects bad command lines and files that are not notebooks', async () => {
    assert.equal(await runNotebookCommand([]), 2);
    assert.equal(await runNotebookCommand(['a.ipynb', '--bogus']), 2);
    const said: string[] = [];
    const origErr = console.error;
    console.error = (...a: unknown[]) => void said.push(a.join(' '));
    try {
      for (const t of ['-5', '0', 'soon']) assert.equal(await runNotebookCommand(['a.ipynb', '--timeout', t]), 2);
    } finally {
      console.error = origErr;
    }
    assert.match(said.join('\n'), /--timeout must be a number of seconds > 0, got '-5'/);
    assert.match(said.join('\n'), /got 'soon'/);
    const dir = mkdtempSync(join(tmpdir(), 'vae-lab-run-nb-'));
    writeFileSync(join(dir, 'x.ipynb'), '{"nbformat": 3, "worksheets": []}');
    assert.equal(await runNotebookCommand([join(dir, 'x.ipynb')]), 2);
  });
});
