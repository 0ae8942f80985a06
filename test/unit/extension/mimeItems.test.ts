import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBundle, encodeMimeValue, isBase64Image, isJsonMime } from '../../../src/extension/mimeItems';

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

test('png arrives as base64 and is decoded to the raw bytes VS Code expects', () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
  const bytes = encodeMimeValue('image/png', Buffer.from(png).toString('base64'));
  assert.deepEqual([...bytes], [...png]);
});

test('svg stays text (it is not base64 in .ipynb)', () => {
  assert.equal(isBase64Image('image/svg+xml'), false);
  assert.equal(decode(encodeMimeValue('image/svg+xml', '<svg/>')), '<svg/>');
});

test('objects under JSON mimes are serialized, strings are kept verbatim', () => {
  const spec = { mark: 'line', data: { values: [{ x: 1, y: 2 }] } };
  assert.deepEqual(JSON.parse(decode(encodeMimeValue('application/vnd.vegalite.v5+json', spec))), spec);
  assert.equal(decode(encodeMimeValue('application/json', '{"a":1}')), '{"a":1}');
  assert.ok(isJsonMime('application/vnd.vae-lab.grid+json'));
  assert.ok(!isJsonMime('text/plain'));
});

test('a bundle keeps every mime in the kernel order, fallbacks included, and skips undefined', () => {
  const items = encodeBundle({
    'application/vnd.vae-lab.grid+json': { version: 1 },
    'image/png': Buffer.from([1, 2, 3]).toString('base64'),
    'text/plain': '<grid 2x8>',
    'text/html': undefined,
  });
  assert.deepEqual(
    items.map((i) => i.mime),
    ['application/vnd.vae-lab.grid+json', 'image/png', 'text/plain'],
  );
  assert.deepEqual([...items[1].data], [1, 2, 3]);
  assert.equal(decode(items[2].data), '<grid 2x8>');
});
