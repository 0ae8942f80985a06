// The kernels written as WebAssembly text (src/lab/runtime/wasm/*.wat), assembled by wabt at build
// time (scripts/gen-wasm.mjs): the committed generated modules match their sources, and the
// assembled Adam kernel computes Adam's float32 update bit for bit against a JS reference that
// rounds every operation to float32 as the kernel does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { wasmBase64 } from '../../../src/lab/runtime/wasm/generated/adam';

test('every generated kernel module is up to date with its .wat source', async () => {
  const script = pathToFileURL(join(__dirname, '../../../scripts/gen-wasm.mjs')).href;
  const { generateAll } = (await import(script)) as { generateAll: (check: boolean) => Promise<string[]> };
  assert.deepEqual(await generateAll(true), [], 'run node scripts/gen-wasm.mjs (npm run build does) and commit the result');
});

test('adam.wat: Adam’s update on odd sizes, bit for bit the float32 arithmetic', () => {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const { adam } = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasmBase64, 'base64')), { env: { memory } }).exports as {
    adam: (...args: number[]) => void;
  };
  const f = Math.fround;
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  for (const n of [1, 3, 4, 7, 37, 1000]) {
    const heap = new Float32Array(memory.buffer);
    const [x, m, v, g, xo, mo, vo] = [0, 1, 2, 3, 4, 5, 6].map((i) => i * 1024);
    for (let i = 0; i < n; i++) {
      heap[x + i] = rnd();
      heap[m + i] = rnd() * 0.1;
      heap[v + i] = Math.abs(rnd()) * 0.01;
      heap[g + i] = rnd();
    }
    const [b1, b2, lr, eps, t] = [0.9, 0.999, 0.001, 1e-7, 3];
    const c = [b1, b2, 1 - b1, 1 - b2, lr / (1 - b1 ** t), 1 / Math.sqrt(1 - b2 ** t), eps].map(f);
    adam(4 * x, 4 * m, 4 * v, 4 * g, 4 * xo, 4 * mo, 4 * vo, n, ...c);
    for (let i = 0; i < n; i++) {
      const gi = heap[g + i];
      const mi = f(f(heap[m + i] * c[0]) + f(gi * c[2]));
      const vi = f(f(heap[v + i] * c[1]) + f(f(gi * gi) * c[3]));
      const xi = f(heap[x + i] - f(f(c[4] * mi) / f(f(f(Math.sqrt(vi)) * c[5]) + c[6])));
      assert.equal(heap[mo + i], mi, `m n=${n} i=${i}`);
      assert.equal(heap[vo + i], vi, `v n=${n} i=${i}`);
      assert.equal(heap[xo + i], xi, `x n=${n} i=${i}`);
    }
    assert.equal(heap[xo + n], 0, 'nothing written past n');
  }
});

test('the .wat directives: ;;#for over a range and over groups, ;;#if/;;#else, ;;#define, ;;#variant, {EXPR}', async () => {
  const script = pathToFileURL(join(__dirname, '../../../scripts/gen-wasm.mjs')).href;
  const { preprocess } = (await import(script)) as {
    preprocess: (text: string) => { modules: { key: string; text: string }[]; defines: Record<string, number> };
  };
  const src = [
    ';;#variant wide 0 1',
    ';;#define W 4 * (wide + 1)',
    ';;#for name n in f 2, g 3',
    '(func ${name}',
    ';;#for i in range(n)',
    ';;#if i == 0',
    '  first {W*i}',
    ';;#else',
    '  next {W*i}',
    ';;#end',
    ';;#end',
    ')',
    ';;#end',
  ].join('\n');
  const { modules, defines } = preprocess(src);
  assert.deepEqual(
    modules.map((m) => m.key),
    ['wide=0', 'wide=1'],
  );
  assert.deepEqual(modules[1].text.split('\n').filter(Boolean), [
    '(func $f',
    '  first 0',
    '  next 8',
    ')',
    '(func $g',
    '  first 0',
    '  next 8',
    '  next 16',
    ')',
  ]);
  assert.equal(defines.W, 8, 'the last variant’s value');
  assert.throws(() => preprocess(';;#for i in range(2)\n{j}\n;;#end'), /unknown name j/);
  assert.throws(() => preprocess(';;#if 1\nx'), /;;#end missing/);
  assert.throws(() => preprocess(';;#loop\n'), /unknown directive/);
  assert.throws(() => preprocess('{alert(1)}'), /not integer arithmetic|unknown name|is not a number/);
});
