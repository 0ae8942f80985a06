/**
 * NumPy .npz reading: a zip archive (stored or deflated, zip64 aware) of .npy arrays.
 * Entries are streamed (inflated chunk by chunk, CRC-checked) so a multi-gigabyte array
 * such as dSprites' `imgs` (3 GB inflated) never has to sit in memory whole.
 *
 * .npy layout: "\x93NUMPY", major, minor, header length (uint16 LE for v1, uint32 LE for
 * v2/v3), a Python dict literal {'descr': '<i8', 'fortran_order': False, 'shape': (n, m), },
 * then the raw array data in C order.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { LabError } from '../core/errors';

/**
 * The file is not a readable .npz (not a zip, truncated, corrupt, or an entry is missing or
 * has an unexpected layout). Thrown by the npz readers; the message names the file and what
 * to do (usually: download the file again).
 */
export class NpzFormatError extends LabError {
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}. The file looks damaged or is not a NumPy .npz archive; download it again.`);
  }
}

/** One archive member as the central directory describes it. */
export interface NpzEntry {
  /** Member name without the `.npy` suffix (the key numpy's np.load uses). */
  key: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** The header of one .npy array. */
export interface NpyHeader {
  /** numpy dtype string, e.g. '|u1', '<i8', '<f8'. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function readAt(fd: number, pos: number, len: number): Buffer {
  const buf = Buffer.alloc(len);
  const got = fs.readSync(fd, buf, 0, len, pos);
  return buf.subarray(0, got);
}

/** List the members of an .npz file (reads only the central directory). */
export function listNpz(path: string): Map<string, NpzEntry> {
  const fd = fs.openSync(path, 'r');
  try {
    const fileSize = fs.fstatSync(fd).size;
    const tailLen = Math.min(fileSize, 65557);
    const tail = readAt(fd, fileSize - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    if (eocd < 0) throw new NpzFormatError(path, 'no zip end-of-central-directory record');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw new NpzFormatError(path, 'zip64 locator missing');
      const z64 = readAt(fd, Number(tail.readBigUInt64LE(loc + 8)), 56);
      if (z64.length < 56 || z64.readUInt32LE(0) !== 0x06064b50) throw new NpzFormatError(path, 'zip64 end record missing');
      count = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    const cd = readAt(fd, cdOffset, cdSize);
    if (cd.length < cdSize) throw new NpzFormatError(path, 'central directory truncated');
    const entries = new Map<string, NpzEntry>();
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw new NpzFormatError(path, 'bad central directory entry');
      const nameLen = cd.readUInt16LE(p + 28),
        extraLen = cd.readUInt16LE(p + 30),
        commentLen = cd.readUInt16LE(p + 32);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      let compressedSize = cd.readUInt32LE(p + 20),
        size = cd.readUInt32LE(p + 24),
        offset = cd.readUInt32LE(p + 42);
      // zip64 extra field (id 1): 8-byte values for exactly the fields saturated above, in this order.
      for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
        const id = cd.readUInt16LE(e),
          len = cd.readUInt16LE(e + 2);
        if (id === 1) {
          let q = e + 4;
          if (size === 0xffffffff) {
            size = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (offset === 0xffffffff) {
            offset = Number(cd.readBigUInt64LE(q));
          }
        }
        e += 4 + len;
      }
      const method = cd.readUInt16LE(p + 10);
      if (method !== 0 && method !== 8) throw new NpzFormatError(path, `member ${name} uses zip method ${method} (only stored and deflated are read)`);
      const key = name.endsWith('.npy') ? name.slice(0, -4) : name;
      entries.set(key, { key, method, crc: cd.readUInt32LE(p + 16), compressedSize, size, localHeaderOffset: offset });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    fs.closeSync(fd);
  }
}

/** Parse an .npy header from the first bytes of the member; returns it and the data offset. */
export function parseNpyHeader(path: string, key: string, head: Buffer): { header: NpyHeader; dataOffset: number } | undefined {
  if (head.length < 10) return undefined;
  if (head[0] !== 0x93 || head.toString('latin1', 1, 6) !== 'NUMPY') throw new NpzFormatError(path, `member ${key} is not an .npy array`);
  const major = head[6];
  const lenBytes = major === 1 ? 2 : 4;
  if (head.length < 8 + lenBytes) return undefined;
  const hlen = lenBytes === 2 ? head.readUInt16LE(8) : head.readUInt32LE(8);
  const start = 8 + lenBytes;
  if (head.length < start + hlen) return undefined;
  const text = head.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) throw new NpzFormatError(path, `member ${key} has an unreadable .npy header`);
  return {
    header: {
      descr,
      fortranOrder: fortran === 'True',
      shape: shape
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map(Number),
    },
    dataOffset: start + hlen,
  };
}

/**
 * Stream one array of an .npz: `onHeader` once, then `onData` with consecutive chunks of the
 * raw array bytes (C order). Verifies the member's CRC-32 and length at the end.
 */
export async function streamNpy(
  path: string,
  key: string,
  onHeader: (h: NpyHeader) => void,
  onData: (chunk: Buffer) => void,
  signal?: AbortSignal,
): Promise<void> {
  const entry = listNpz(path).get(key);
  if (!entry) throw new NpzFormatError(path, `no array named '${key}'`);
  const fd = fs.openSync(path, 'r');
  let local: Buffer;
  try {
    local = readAt(fd, entry.localHeaderOffset, 30);
  } finally {
    fs.closeSync(fd);
  }
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw new NpzFormatError(path, `member ${key}: bad local header`);
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  let source: Readable = fs.createReadStream(path, { start, end: start + entry.compressedSize - 1, highWaterMark: 1 << 20 });
  if (entry.method === 8) source = source.pipe(zlib.createInflateRaw({ chunkSize: 1 << 20 }));
  let crc = 0,
    total = 0,
    head: Buffer | undefined = Buffer.alloc(0);
  try {
    for await (const c of source) {
      signal?.throwIfAborted();
      const chunk = c as Buffer;
      crc = zlib.crc32(chunk, crc);
      total += chunk.length;
      if (head) {
        head = Buffer.concat([head, chunk]);
        const parsed = parseNpyHeader(path, key, head);
        if (!parsed) continue;
        onHeader(parsed.header);
        const rest = head.subarray(parsed.dataOffset);
        head = undefined;
        if (rest.length) onData(rest);
      } else onData(chunk);
    }
  } catch (e) {
    if (e instanceof NpzFormatError || (e as Error).name === 'AbortError') throw e;
    throw new NpzFormatError(path, `member ${key} could not be inflated (${(e as Error).message})`);
  } finally {
    source.destroy();
  }
  if (head) throw new NpzFormatError(path, `member ${key} ends inside its .npy header`);
  if (total !== entry.size) throw new NpzFormatError(path, `member ${key} is ${total} bytes, expected ${entry.size}`);
  if (crc >>> 0 !== entry.crc) throw new NpzFormatError(path, `member ${key} fails its CRC-32 check`);
}

/** Read a small array whole (e.g. latents_classes): header and raw bytes. */
export async function readNpy(path: string, key: string): Promise<{ header: NpyHeader; data: Buffer }> {
  let header: NpyHeader | undefined;
  const parts: Buffer[] = [];
  await streamNpy(
    path,
    key,
    (h) => (header = h),
    (c) => parts.push(Buffer.from(c)),
  );
  return { header: header!, data: Buffer.concat(parts) };
}
