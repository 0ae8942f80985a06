/**
 * Downloads of catalog files into a data set's folder, the way torchvision and tfds do it:
 * stream to a temporary file in the same folder, check length and checksum, then rename. A
 * rename within one folder is atomic, so the folder never holds a file that failed halfway:
 * after a 404, a dropped connection, a short body, a wrong checksum or a cancel, the temporary
 * file is removed and the folder is as it was. Only node built-ins (the extension host runs
 * this too). Mirrors are tried in order; redirects are followed (a bounded number).
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import type { DatasetEntry, RemoteFile } from './catalog';
import { DownloadCancelledError, DownloadError, supplyHint, type Audience } from './errors';

export interface DownloadProgress {
  dataset: string;
  file: string;
  url: string;
  /** Bytes of this file so far, and its length when the server or the catalog says. */
  received: number;
  total?: number;
  /** This file's place among the files still to fetch (0-based) and their number. */
  fileIndex: number;
  fileCount: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  /** Called as bytes arrive (at most every 100 ms per file, and once at its end). */
  onProgress?: (p: DownloadProgress) => void;
  /** A connection that sends nothing for this long is given up (default 30 s). */
  idleTimeoutMs?: number;
  /** Whose terms a failure's message uses (default: $VAE_LAB_AUDIENCE). */
  audience?: Audience;
}

const MAX_REDIRECTS = 5;
const PART = '.part';
/** A temporary file untouched this long belongs to a process that died mid-download. */
const STALE_PART_MS = 10 * 60_000;

const aborted = (signal?: AbortSignal) => !!signal?.aborted;

/** GET `url` (following redirects); resolves with a 200 response, rejects with a reason a user can read. */
function get(url: string, o: DownloadOptions, hops = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new Error(`not a URL: ${url}`));
      return;
    }
    const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (!lib) {
      reject(new Error(`unsupported protocol ${u.protocol}`));
      return;
    }
    const req = lib.get(u, { signal: o.signal, headers: { 'user-agent': 'vae-lab', 'accept-encoding': 'identity' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (hops >= MAX_REDIRECTS) reject(new Error(`more than ${MAX_REDIRECTS} redirects`));
        else get(new URL(res.headers.location, u).toString(), o, hops + 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`));
        return;
      }
      resolve(res);
    });
    req.setTimeout(o.idleTimeoutMs ?? 30_000, () => req.destroy(new Error(`no data for ${Math.round((o.idleTimeoutMs ?? 30_000) / 1000)} s`)));
    req.on('error', reject);
  });
}

/** Stream one URL into `tmp`, checking length and checksum; throws (with the reason) when they are wrong. */
async function fetchInto(url: string, tmp: string, file: RemoteFile, o: DownloadOptions, report: (received: number, total?: number) => void): Promise<void> {
  const res = await get(url, o);
  const header = Number(res.headers['content-length']);
  const total = Number.isFinite(header) && header > 0 ? header : file.size;
  const hash: Hash | undefined = file.sha256 ? createHash('sha256') : file.md5 ? createHash('md5') : undefined;
  let received = 0,
    last = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      hash?.update(chunk);
      const now = Date.now();
      if (now - last >= 100) {
        last = now;
        report(received, total);
      }
      done(null, chunk);
    },
  });
  await pipeline(res, meter, createWriteStream(tmp, { flags: 'wx' }), { signal: o.signal });
  report(received, total);
  // A server that closes early without an error still leaves `complete` false or the length short.
  if (!res.complete) throw new Error(`the connection closed after ${received} bytes`);
  if (Number.isFinite(header) && header > 0 && received !== header) throw new Error(`got ${received} of ${header} bytes`);
  if (file.size !== undefined && received !== file.size) throw new Error(`got ${received} bytes, expected ${file.size}`);
  const digest = hash?.digest('hex');
  const want = file.sha256 ?? file.md5;
  if (want && digest !== want) throw new Error(`checksum mismatch: ${file.sha256 ? 'SHA-256' : 'MD5'} ${digest}, expected ${want}`);
  if (file.contentSha256) {
    const content = createHash('sha256')
      .update(gunzipSync(readFileSync(tmp)))
      .digest('hex');
    if (content !== file.contentSha256) throw new Error(`content checksum mismatch: SHA-256 ${content}, expected ${file.contentSha256}`);
  }
}

/**
 * Download `file` into `dir` (tried mirror by mirror). Resolves with its path once it is in
 * place and verified. Throws DownloadCancelledError when `signal` aborts, DownloadError when
 * every mirror failed; either way no file of that name (and no temporary file) is left.
 */
export async function downloadFile(
  file: RemoteFile,
  dir: string,
  o: DownloadOptions = {},
  where = { dataset: '', fileIndex: 0, fileCount: 1 },
  allFiles: readonly string[] = [file.name],
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const target = join(dir, file.name);
  const failures: string[] = [];
  for (const url of file.urls) {
    if (aborted(o.signal)) throw new DownloadCancelledError(file.name);
    const tmp = join(dir, `.${file.name}.${process.pid}.${randomBytes(4).toString('hex')}${PART}`);
    try {
      await fetchInto(url, tmp, file, o, (received, total) => o.onProgress?.({ ...where, file: file.name, url, received, total }));
      renameSync(tmp, target);
      return target;
    } catch (e) {
      if (aborted(o.signal)) throw new DownloadCancelledError(file.name);
      failures.push(`${url}: ${(e as Error).message}`);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  throw new DownloadError(
    `Could not download ${file.name}${where.dataset ? ` (${where.dataset})` : ''}:\n  ${failures.join('\n  ')}\n` +
      `Nothing was saved in ${dir}. ${supplyHint(dir, allFiles, o.audience)}`,
    file.urls,
    dir,
    allFiles,
  );
}

/** Temporary files of downloads whose process is gone (a crash or a kill mid-file). */
function removeStaleParts(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const n of names) {
    if (!n.endsWith(PART)) continue;
    try {
      if (now - statSync(join(dir, n)).mtimeMs > STALE_PART_MS) rmSync(join(dir, n), { force: true });
    } catch {
      // another process removed it first
    }
  }
}

/** The entry's files that `dir` lacks. */
export function missingFiles(entry: DatasetEntry, dir: string): RemoteFile[] {
  let have: Set<string>;
  try {
    have = new Set(readdirSync(dir));
  } catch {
    return [...entry.files];
  }
  return entry.files.filter((f) => !have.has(f.name));
}

/** Download the files of `entry` that `dir` lacks; resolves with `dir` once all are there. */
export async function downloadDataset(entry: DatasetEntry, dir: string, o: DownloadOptions = {}): Promise<string> {
  removeStaleParts(dir);
  const todo = missingFiles(entry, dir);
  const all = entry.files.map((f) => f.name);
  for (let i = 0; i < todo.length; i++) {
    await downloadFile(todo[i], dir, o, { dataset: entry.title, fileIndex: i, fileCount: todo.length }, all);
  }
  return dir;
}

/** "12.3 of 26.4 MB" */
export function formatBytes(received: number, total?: number): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return total ? `${mb(received)} of ${mb(total)} MB` : `${mb(received)} MB`;
}
