/**
 * Outputs of tensors that live on the GPU, through a real kernel forced onto webgpu (on a
 * machine without a GPU: Mesa's software adapter; skipped where no adapter can be created).
 * The webgpu backend cannot read synchronously in Node, so display(tensor), display.png(tensor)
 * and a tensor as a cell's result are read with `await data()`, and the cell's outputs must
 * still come in the order its code made them, all before `done` (the client stops listening
 * to a cell at its `done`, so an output that came later would be missing here).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PNG } from 'pngjs';
import { KernelClient } from '../../../src/host/client';
import type { CellMessage } from '../../../src/host/client';
import { ensureBuilt, kernelScript, resultText, run } from './helpers';

let client: KernelClient | undefined;
let why = '';

before(async () => {
  ensureBuilt();
  client = new KernelClient({ kernelScript, notebookDir: mkdtempSync(join(tmpdir(), 'vae-lab-nb-webgpu-')), backend: 'webgpu' });
  await client.start();
  if (client.runtime?.backend !== 'webgpu') why = `the kernel runs on ${client.runtime?.backend ?? 'nothing'}, not webgpu: ${JSON.stringify(client.runtime)}`;
});

after(() => client?.dispose());

/** What each output is, in arrival order: stream text, the kinds of a display, the result. */
function outline(messages: CellMessage[]): string[] {
  return messages.flatMap((m) => {
    if (m.type === 'stream')
      return m.text
        .trim()
        .split('\n')
        .map((line) => `${m.name}:${line}`);
    if (m.type === 'display') return [`display:${'image/png' in m.data ? 'png' : String(m.data['text/plain'])}`];
    if (m.type === 'result') return ['result'];
    if (m.type === 'error') return [`error:${m.evalue}`];
    return [];
  });
}

describe('tensor outputs on webgpu', () => {
  it('shows GPU tensors as images and text, in the order the cell made them', async (t) => {
    if (why) return t.skip(why);
    // WEBGPU_CPU_FORWARD off: small ops would otherwise run on the CPU and read synchronously.
    const r = await run(
      client!,
      [
        'import * as tf from "@tensorflow/tfjs";',
        'tf.env().set("WEBGPU_CPU_FORWARD", false);',
        'const img = tf.add(tf.fill([4, 6, 1], 0.25), tf.fill([4, 6, 1], 0.25));',
        'let syncRead = "worked";',
        'try { img.dataSync(); } catch (e) { syncRead = "threw"; }',
        'console.log(`backend ${tf.getBackend()}, sync read ${syncRead}`);',
        'display.png(img);',
        'const gone = tf.mul(img, 2);',
        'display(gone);',
        'gone.dispose();',
        'console.log("between");',
        'display("after");',
        'tf.mul(img, 4)',
      ].join('\n'),
    );
    assert.equal(r.done.status, 'ok', JSON.stringify(r.errors));
    // A synchronous read throws here, so the displays below did take the asynchronous path.
    assert.deepEqual(outline(r.messages), [
      'stdout:backend webgpu, sync read threw',
      'display:png',
      'display:png',
      'stdout:between',
      'display:after',
      'result',
    ]);
    const png = PNG.sync.read(Buffer.from(r.displays[0].data['image/png'] as string, 'base64'));
    assert.deepEqual([png.width, png.height], [6, 4]);
    assert.equal(png.data[0], 128); // 0.5 of 255, gray into RGBA
    // The tensor disposed right after display() was still shown: its read had started.
    assert.match(String(r.displays[1].data['text/plain']), /^Tensor float32 \[4, 6, 1\] min=1 max=1 mean=1 \(image 6x4\)/);
    assert.match(resultText(r) ?? '', /^Tensor float32 \[4, 6, 1\] min=2 max=2 mean=2\n2, 2, 2/);
  });

  it('keeps the kernel usable after a display whose read fails', async (t) => {
    if (why) return t.skip(why);
    const r = await run(client!, 'const bad = tf.add(img, 1);\nbad.dispose();\ndisplay.png(bad);\n"next"');
    // A disposed tensor is refused at the call, as on every backend; the cell fails, the kernel stays.
    assert.equal(r.done.status, 'error');
    assert.match(r.errors[0]?.evalue ?? '', /disposed/i);
    const next = await run(client!, 'Array.from(await tf.mul(img, 3).data()).slice(0, 2)');
    assert.equal(next.done.status, 'ok');
    assert.equal(resultText(next), '[ 1.5, 1.5 ]');
  });
});
