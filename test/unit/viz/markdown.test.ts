import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownTable } from '../../../src/lab/viz/markdown';

test('markdownTable: pipes and newlines in a cell stay inside the cell', () => {
  const t = markdownTable(
    ['claim', 'why'],
    [
      ['CR − VAE', '|effect| = 1.5 se <= 2 se'],
      [3, 'two\nlines'],
    ],
  );
  assert.equal(t, ['| claim | why |', '|---|---|', '| CR − VAE | \\|effect\\| = 1.5 se <= 2 se |', '| 3 | two lines |'].join('\n'));
  // every row has as many unescaped separators as the header
  const seps = (l: string) => l.replace(/\\\|/g, '').split('|').length;
  for (const l of t.split('\n')) assert.equal(seps(l), seps(t.split('\n')[0]));
});
