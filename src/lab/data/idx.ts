/**
 * The IDX format (LeCun's MNIST files): big-endian header
 *   bytes 0-1: 0, byte 2: type (0x08 = unsigned byte), byte 3: number of dims d,
 *   then d big-endian uint32 sizes, then prod(sizes) bytes of data.
 * Files may be gzip-compressed (.gz, detected by the gzip magic 1f 8b).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { LabError } from '../core/errors';

/**
 * An IDX file is malformed: wrong magic, unsupported type, wrong dims or a byte length that
 * does not match its header (a truncated download). Thrown by the loaders; the user replaces
 * the file (the message names it and says what was expected).
 */
export class IdxFormatError extends LabError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: not a valid IDX file: ${detail}. Re-download or replace this file.`);
  }
}

export interface IdxArray {
  /** Sizes, e.g. [60000, 28, 28] for images or [60000] for labels. */
  dims: number[];
  data: Uint8Array;
}

/** Parse IDX bytes (unsigned-byte type only). `file` names the source in errors. */
export function parseIdx(bytes: Uint8Array, file = '<buffer>', expectDims?: number): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new IdxFormatError(file, `gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }
  if (bytes.length < 4) throw new IdxFormatError(file, `file is ${bytes.length} bytes, shorter than the 4-byte magic`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new IdxFormatError(file, `magic starts with ${bytes[0]}, ${bytes[1]} (expected 0, 0)`);
  if (bytes[2] !== 0x08) throw new IdxFormatError(file, `data type 0x${bytes[2].toString(16)} is not supported (expected 0x08, unsigned byte)`);
  const d = bytes[3];
  if (expectDims !== undefined && d !== expectDims) throw new IdxFormatError(file, `has ${d} dimensions, expected ${expectDims}`);
  const header = 4 + 4 * d;
  if (bytes.length < header) throw new IdxFormatError(file, `header needs ${header} bytes, file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < d; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = header + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    throw new IdxFormatError(
      file,
      `expected ${expected} bytes for dims [${dims.join(', ')}], got ${bytes.length}${bytes.length < expected ? ' (truncated?)' : ''}`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/** Read and parse an IDX file (.gz or raw). */
export function readIdx(file: string, expectDims?: number): IdxArray {
  return parseIdx(readFileSync(file), file, expectDims);
}

/** Encode unsigned bytes as IDX (for tests and for users writing their own files). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((s, i) => view.setUint32(4 + 4 * i, s, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
