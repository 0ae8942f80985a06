/**
 * Atomic writes (src/common/atomic.ts): a failed write leaves the old file or folder exactly as
 * it was and no temporary file behind; a good one replaces it whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { previousDirs, replaceDirAtomic, writeFileAtomic } from '../../../src/common/atomic';

const fresh = () => mkdtempSync(join(tmpdir(), 'vae-lab-atomic-'));

test('writeFileAtomic replaces the file and leaves only it in the folder', () => {
  const dir = fresh(),
    file = join(dir, 'metrics.json');
  writeFileSync(file, 'old');
  writeFileAtomic(file, 'new');
  assert.equal(readFileSync(file, 'utf8'), 'new');
  writeFileAtomic(file, Uint8Array.from([1, 2, 3]));
  assert.deepEqual([...readFileSync(file)], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir), ['metrics.json']);
});

test('a failed writeFileAtomic leaves the old file intact and no temp file', () => {
  const dir = fresh(),
    file = join(dir, 'results.json');
  writeFileSync(file, 'old');
  // Data writeFileSync cannot write: the temp file is opened, then the write throws.
  assert.throws(() => writeFileAtomic(file, 42 as unknown as string));
  assert.equal(readFileSync(file, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['results.json']);
  // The rename fails: the target is a non-empty folder.
  const blocked = join(dir, 'blocked');
  mkdirSync(blocked);
  writeFileSync(join(blocked, 'keep'), 'x');
  assert.throws(() => writeFileAtomic(blocked, 'new'));
  assert.deepEqual(readdirSync(blocked), ['keep']);
  assert.deepEqual(readdirSync(dir).sort(), ['blocked', 'results.json']);
});

test('replaceDirAtomic swaps the whole folder; a failed fill leaves the old one and no temp folder', async () => {
  const root = fresh(),
    dir = join(root, 'model');
  await replaceDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, 'a'), '1');
    writeFileSync(join(tmp, 'b'), '1');
  });
  await replaceDirAtomic(dir, (tmp) => {
    mkdirSync(join(tmp, 'net'));
    writeFileSync(join(tmp, 'net', 'w'), '2');
  });
  assert.deepEqual(readdirSync(dir).sort(), ['net'], 'files of the old folder do not survive a replace');
  assert.equal(readFileSync(join(dir, 'net', 'w'), 'utf8'), '2');
  await assert.rejects(
    replaceDirAtomic(dir, async (tmp) => {
      writeFileSync(join(tmp, 'half'), 'x');
      throw new Error('disk full');
    }),
    /disk full/,
  );
  assert.deepEqual(readdirSync(dir), ['net']);
  assert.equal(readFileSync(join(dir, 'net', 'w'), 'utf8'), '2');
  assert.deepEqual(readdirSync(root), ['model']);
  assert.deepEqual(previousDirs(dir), []);
});

test('previousDirs lists the folders a crash between the renames leaves, oldest first by time', () => {
  const root = fresh(),
    dir = join(root, 'model');
  for (const f of ['model.old-7-1700000000009', 'model.old-7-1700000000010-3', 'model.old-7-1700000000010-12', 'modelx.old-1-1', 'other'])
    mkdirSync(join(root, f));
  assert.deepEqual(
    previousDirs(dir).map((p) => p.slice(root.length + 1)),
    ['model.old-7-1700000000009', 'model.old-7-1700000000010-3', 'model.old-7-1700000000010-12'],
  );
  assert.deepEqual(previousDirs(join(root, 'missing', 'model')), []);
});
