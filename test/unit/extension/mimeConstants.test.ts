/**
 * The MIME constants of src/common/mime.ts against the manifest that tells VS Code which
 * renderer draws which type: a type the lab emits but the manifest misses draws as plain text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIME_ARROWS, MIME_GRID, MIME_TRAVERSAL, MIME_VEGALITE, MIME_VEGALITE_ALL, vegaliteMime } from '../../../src/common/mime';

const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { notebookRenderer: { id: string; mimeTypes: string[] }[] };
};
const mimesOf = (id: string) => manifest.contributes.notebookRenderer.find((r) => r.id === id)?.mimeTypes ?? [];

test("each renderer's manifest mimeTypes equal the constants", () => {
  assert.deepEqual([...mimesOf('vae-lab.vegalite')].sort(), [...MIME_VEGALITE_ALL].sort());
  assert.deepEqual(mimesOf('vae-lab.grid'), [MIME_GRID]);
  assert.deepEqual(mimesOf('vae-lab.traversal'), [MIME_TRAVERSAL]);
  assert.deepEqual(mimesOf('vae-lab.arrows'), [MIME_ARROWS]);
  assert.ok(MIME_VEGALITE_ALL.includes(MIME_VEGALITE));
});

test("vegaliteMime follows the spec's $schema version, and falls back to the lab's own", () => {
  assert.equal(vegaliteMime({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json' }), 'application/vnd.vegalite.v5+json');
  assert.equal(vegaliteMime({ $schema: 'https://vega.github.io/schema/vega-lite/v4.17.0.json' }), 'application/vnd.vegalite.v4+json');
  assert.equal(vegaliteMime({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json' }), 'application/vnd.vegalite.v6+json');
  assert.equal(vegaliteMime({ $schema: 'https://vega.github.io/schema/vega-lite/v3.json' }), MIME_VEGALITE);
  assert.equal(vegaliteMime({ $schema: 42 }), MIME_VEGALITE);
  assert.equal(vegaliteMime({}), MIME_VEGALITE);
});
