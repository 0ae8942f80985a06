/**
 * No bundled library may register process-wide `uncaughtException` / `unhandledRejection`
 * handlers: the tfjs wasm backend's emscripten glue did (they rethrow, and a kernel with any
 * stray async error exited with code 7, losing every variable). The build cuts them out
 * (src/kernel/build/kernel-build.mjs); this scans the built bundles so that a dependency
 * upgrade that brings one back, in any spelling the build's patch misses, fails here. Each
 * registration found is traced through the bundle's source map to the file it came from:
 * only the kernel's own src/ may register them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMap, sourceAt } from '../../../src/kernel/sourcemap';
import { ensureBuilt, root } from './helpers';

/** Same pattern as the build's (kept in step by the first test below). */
const REGISTERS = /\b(?:on|once|addListener|prependListener|prependOnceListener)["'\]]*\(\s*["'](?:uncaughtException|unhandledRejection)["']/g;

/** Source file of every handler registration in a bundle, through its linked source map. */
function registrations(bundle: string): string[] {
  const code = readFileSync(bundle, 'utf8');
  const map = parseMap(readFileSync(`${bundle}.map`, 'utf8'));
  const lineStarts = [0];
  for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const found: string[] = [];
  for (const m of code.matchAll(REGISTERS)) {
    let line = lineStarts.length - 1;
    while (lineStarts[line] > m.index!) line--;
    const source = sourceAt(map, line, m.index! - lineStarts[line]);
    found.push(source ? source.replace(/^(\.\.\/)+/, '') : `${bundle}:${line + 1} (unmapped)`);
  }
  return found;
}

describe('bundled process error handlers', () => {
  it('uses the same pattern as the build patch', async () => {
    const build = (await import(join(root, 'src/kernel/build/kernel-build.mjs'))) as { REGISTERS_ERROR_HANDLER: RegExp };
    assert.equal(build.REGISTERS_ERROR_HANDLER.source, REGISTERS.source);
    assert.ok(REGISTERS.test('process["on"]("uncaughtException",function(ex){throw ex})'));
  });

  it('finds none outside the kernel in dist/kernel.js and dist/cli.js', () => {
    ensureBuilt();
    const kernel = registrations(join(root, 'dist/kernel.js'));
    // The kernel's own pair, so the scan is known to see registrations at all.
    assert.deepEqual(
      kernel.filter((s) => s.startsWith('src/kernel/')),
      ['src/kernel/main.ts', 'src/kernel/main.ts'],
    );
    assert.deepEqual(
      kernel.filter((s) => !s.startsWith('src/kernel/')),
      [],
      'a bundled library registers process error handlers',
    );
    const cli = join(root, 'dist/cli.js');
    if (existsSync(cli))
      assert.deepEqual(
        registrations(cli).filter((s) => !s.startsWith('src/')),
        [],
        'a bundled library registers process error handlers',
      );
  });
});
