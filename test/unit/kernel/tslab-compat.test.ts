/**
 * Notebooks written for tslab, through the real kernel process: the `tslab` module (display,
 * newDisplay as one output updated in place, versions, isNode/isBrowser) for `import * as`,
 * named imports and require, all accepted by the type checker (typeCheck 'error' blocks a
 * cell with a type error); tfjs-node as the kernel's own tf unless the notebook folder has a
 * copy; `process.stderr.isTTY = false`; and Deno's `Symbol.for('Jupyter.display')` objects.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelClient } from '../../../src/host/client';
import { ensureBuilt, kernelScript, resultText, run, type CellRun } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'vae-lab-tslab-'));
const ownDir = mkdtempSync(join(tmpdir(), 'vae-lab-tslab-own-'));
let client: KernelClient;
let own: KernelClient;
const logs: string[] = [];
const ownLogs: string[] = [];
/** A cell's JSON.stringify result (shown quoted, as node's REPL shows a string). */
const json = (r: CellRun) => JSON.parse(resultText(r)!.slice(1, -1));
const ok = (r: CellRun) => assert.equal(r.done.status, 'ok', JSON.stringify([r.errors[0]?.stack, r.diagnostics]));

before(async () => {
  // A notebook folder with its own (fake) tfjs-node: that copy must win over the alias.
  const pkg = join(ownDir, 'node_modules/@tensorflow/tfjs-node');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), "module.exports = { ...require('@tensorflow/tfjs'), ownCopy: true };\n");
  ensureBuilt();
  client = new KernelClient({ kernelScript, notebookDir: dir, backend: 'cpu', typeCheck: 'error' });
  client.onLog((m) => logs.push(m.text));
  own = new KernelClient({ kernelScript, notebookDir: ownDir, backend: 'cpu', typeCheck: 'off' });
  own.onLog((m) => ownLogs.push(m.text));
  await Promise.all([client.start(), own.start()]);
});

after(() => {
  client.dispose();
  own.dispose();
});

describe('tslab notebooks', () => {
  it("shows tslab.display's kinds, each as its own output, with a text fallback", async () => {
    const r = await run(
      client,
      "import * as tslab from 'tslab';\n" +
        "tslab.display.html('<b>bold</b>');\ntslab.display.markdown('# title');\ntslab.display.svg('<svg></svg>');\n" +
        'tslab.display.png(new Uint8Array([137, 80, 78, 71]));\ntslab.display.jpeg(Buffer.from([255, 216]));\n' +
        "tslab.display.text('plain');\ntslab.display.raw('application/x-custom', 'abc');",
    );
    ok(r);
    const data = r.displays.map((d) => d.data);
    assert.equal(data.length, 7);
    assert.equal(data[0]['text/html'], '<b>bold</b>');
    assert.equal(data[1]['text/markdown'], '# title');
    assert.equal(data[2]['image/svg+xml'], '<svg></svg>');
    assert.equal(data[3]['image/png'], Buffer.from([137, 80, 78, 71]).toString('base64'));
    assert.equal(data[4]['image/jpeg'], Buffer.from([255, 216]).toString('base64'));
    assert.deepEqual(data[5], { 'text/plain': 'plain' });
    assert.equal(data[6]['application/x-custom'], 'abc');
    for (const d of data) assert.equal(typeof d['text/plain'], 'string');
    assert.equal(new Set(r.displays.map((d) => d.displayId)).size, 7);
  });

  it('takes named imports and require, which are the same module', async () => {
    const r = await run(
      client,
      "import { display, newDisplay, versions, isNode, isBrowser } from 'tslab';\nconst t = require('tslab');\n" +
        'display.text(String(t.display === display && t.newDisplay === newDisplay));\n' +
        'JSON.stringify({ isNode, isBrowser, node: versions.node, ts: typeof versions.typescript, tslab: versions.tslab })',
    );
    ok(r);
    assert.equal(r.displays[0].data['text/plain'], 'true');
    const v = json(r);
    assert.deepEqual(v, { isNode: true, isBrowser: false, node: v.node, ts: 'string', tslab: v.tslab });
    assert.match(v.node, /^v\d+\./);
    assert.match(v.tslab, /^\d+\.\d+\.\d+/);
  });

  it('updates a newDisplay() output in place, also from a later cell', async () => {
    const r = await run(client, "import * as tslab from 'tslab';\nconst bar = tslab.newDisplay();\nfor (let i = 1; i <= 3; i++) bar.text(`step ${i}/3`);");
    ok(r);
    assert.equal(r.displays.length, 3);
    const id = r.displays[0].displayId;
    assert.ok(id);
    assert.deepEqual(
      r.displays.map((d) => [d.displayId, d.update === true, d.data['text/plain']]),
      [
        [id, false, 'step 1/3'],
        [id, true, 'step 2/3'],
        [id, true, 'step 3/3'],
      ],
    );
    const later = await run(client, "bar.html('<i>done</i>');");
    ok(later);
    assert.equal(later.displays[0].displayId, id);
    assert.equal(later.displays[0].update, true);
  });

  it('rejects what is not a MIME type or bytes, saying what it takes', async () => {
    const r = await run(client, "import * as tslab from 'tslab';\ntslab.display.raw('not a type', 'x');");
    assert.equal(r.done.status, 'error');
    assert.match(r.errors[0].evalue, /not a MIME type/);
  });

  it("makes tfjs-node the kernel's own tf, says so in the log, and trains with model.fit", async () => {
    const r = await run(
      client,
      "import * as tf from '@tensorflow/tfjs-node';\nimport * as tfjs from '@tensorflow/tfjs';\nprocess.stderr.isTTY = false;\n" +
        "const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });\nmodel.compile({ optimizer: tf.train.adam(0.1), loss: 'meanSquaredError' });\n" +
        'const xs = tf.tensor2d([[0], [1], [2], [3]]);\nconst ys = tf.tensor2d([[1], [3], [5], [7]]);\n' +
        'const h = await model.fit(xs, ys, { epochs: 30, verbose: 0 });\nconst losses = h.history.loss as number[];\n' +
        "JSON.stringify({ same: require('@tensorflow/tfjs-node') === require('@tensorflow/tfjs') && tf.sequential === tfjs.sequential, gpu: require('@tensorflow/tfjs-node-gpu') === require('@tensorflow/tfjs'), first: losses[0], last: losses[losses.length - 1] })",
    );
    ok(r);
    const v = json(r);
    assert.equal(v.same, true);
    assert.equal(v.gpu, true);
    assert.ok(v.last < v.first, `loss did not fall: ${v.first} -> ${v.last}`);
    assert.ok(
      logs.some((l) => l.includes("'@tensorflow/tfjs-node' is the kernel's own TensorFlow.js")),
      logs.join('\n'),
    );
  });

  it('encodes and decodes images with tf.node, shown through tslab.display.png', async () => {
    const r = await run(
      client,
      "import * as tf from '@tensorflow/tfjs-node';\nimport * as tslab from 'tslab';\n" +
        'const img = tf.tensor3d([0, 64, 128, 255, 10, 20, 30, 40, 200, 100, 50, 0], [2, 2, 3], "int32");\n' +
        'const png = await tf.node.encodePng(img);\ntslab.display.png(png);\nconst back = tf.node.decodeImage(png, 3);\n' +
        'JSON.stringify({ shape: back.shape, same: Array.from(back.dataSync()).join() === Array.from(img.dataSync()).join(), rgba: tf.node.decodePng(png).shape })',
    );
    ok(r);
    assert.deepEqual(json(r), { shape: [2, 2, 3], same: true, rgba: [2, 2, 4] });
    const png = Buffer.from(r.displays[0].data['image/png'] as string, 'base64');
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    const bad = await run(client, "import * as tf from '@tensorflow/tfjs-node';\ntf.node.decodeImage(new Uint8Array([1, 2, 3]));");
    assert.match(bad.errors[0]?.evalue ?? '', /only PNG and JPEG/);
  });

  it("leaves tfjs-node to the notebook folder's own copy, and logs it", async () => {
    const r = await run(
      own,
      "const tfn = require('@tensorflow/tfjs-node');\nJSON.stringify([tfn.ownCopy, tfn.sequential === require('@tensorflow/tfjs').sequential])",
    );
    ok(r);
    assert.equal(resultText(r), "'[true,true]'");
    assert.ok(
      ownLogs.some((l) => l.includes("'@tensorflow/tfjs-node': the notebook folder's own copy")),
      ownLogs.join('\n'),
    );
  });

  it("shows an object through its Symbol.for('Jupyter.display') method, sync or async", async () => {
    const sync = await run(client, "({ [Symbol.for('Jupyter.display')]() { return { 'text/html': '<p>hi</p>' }; } })");
    ok(sync);
    assert.equal(sync.result?.['text/html'], '<p>hi</p>');
    assert.equal(typeof sync.result?.['text/plain'], 'string');
    const asyncR = await run(client, "({ async [Symbol.for('Jupyter.display')]() { return { 'text/markdown': '**x**', 'text/plain': 'x' }; } })");
    ok(asyncR);
    assert.deepEqual(asyncR.result, { 'text/markdown': '**x**', 'text/plain': 'x' });
    const viaDisplay = await run(client, "display({ [Symbol.for('Jupyter.display')]: () => ({ 'image/svg+xml': '<svg/>' }) });");
    ok(viaDisplay);
    assert.equal(viaDisplay.displays[0].data['image/svg+xml'], '<svg/>');
  });
});
