/**
 * Image data sets as IDX files: MNIST, Fashion-MNIST, or a folder of the user's own IDX files
 * (gz or not) named like the originals (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
 * t10k-images-..., t10k-labels-...). Where MNIST and Fashion-MNIST are looked for, and when they
 * are downloaded, is ./locate.ts (the search order).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ImageDataset } from './dataset';
import type { DownloadOptions } from './download';
import { DataNotFoundError } from './errors';
import { parseIdx } from './idx';
import { DATASET_ENV, ensureDataset, findDataset, notFound, type Located } from './locate';
import { cellDownloadOptions } from './progress';

export { DataNotFoundError } from './errors';

/** Options of the loaders. */
export interface LoadOptions {
  /** Folder holding the IDX files; overrides the search order (./locate.ts). */
  dataDir?: string;
}

/** A data set's train and test parts. */
export interface TrainTest {
  train: ImageDataset;
  test: ImageDataset;
  name: string;
}

/** Environment variables naming data folders, per data set. */
export const DATA_ENV = DATASET_ENV as { mnist: string; 'fashion-mnist': string };

function pick(dir: string, part: 'train' | 't10k', kind: 'images' | 'labels'): string | undefined {
  const files = readdirSync(dir);
  const re = new RegExp(`^${part === 't10k' ? '(t10k|test)' : 'train'}-${kind}[-.]idx${kind === 'images' ? 3 : 1}-ubyte(\\.gz)?$`);
  const f = files.find((name) => re.test(name));
  return f ? join(dir, f) : undefined;
}

/**
 * Read an IDX file; with `sha256`, its (gunzipped) bytes must have that SHA-256 (the copy inside
 * the .vsix is checked this way, so a damaged install says so instead of training on garbage).
 */
function readChecked(file: string, dims: number, sha256?: string) {
  let bytes: Uint8Array = readFileSync(file);
  if (sha256) {
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== sha256) {
      throw new DataNotFoundError(
        `${file} is damaged (SHA-256 ${got}, expected ${sha256}). Reinstall the VAE Lab extension (Extensions view: VAE Lab > Uninstall, then Install).`,
      );
    }
  }
  return parseIdx(bytes, file, dims);
}

/** Load train and test IDX files from a folder (raw or .gz; labels optional). `verify`: SHA-256 by file name. */
export function loadIdxFolder(dir: string, name = dir, verify?: Record<string, string>): TrainTest {
  if (!existsSync(dir)) throw new DataNotFoundError(`${name}: folder ${dir} does not exist.`);
  const load = (part: 'train' | 't10k'): ImageDataset => {
    const imgFile = pick(dir, part, 'images');
    if (!imgFile) {
      throw new DataNotFoundError(`${name}: no ${part}-images-idx3-ubyte[.gz] in ${dir}. Put the IDX files there (names as in the MNIST distribution).`);
    }
    const img = readChecked(imgFile, 3, verify?.[basename(imgFile)]);
    const [n, h, w] = img.dims;
    const labFile = pick(dir, part, 'labels');
    let labels: Uint8Array | undefined;
    if (labFile) {
      const lab = readChecked(labFile, 1, verify?.[basename(labFile)]);
      if (lab.dims[0] !== n) throw new DataNotFoundError(`${labFile}: ${lab.dims[0]} labels but ${imgFile} has ${n} images; the files do not belong together.`);
      labels = lab.data;
    }
    return new ImageDataset(img.data, [h, w, 1], labels, `${name}/${part === 't10k' ? 'test' : 'train'}`);
  };
  return { train: load('train'), test: load('t10k'), name };
}

const fromLocated = (l: Located, name: string): TrainTest => loadIdxFolder(l.dir, name, l.verify);

/**
 * MNIST, found in the search order of ./locate.ts (the .vsix carries it, so this never needs
 * the network from an installed extension). Synchronous; `loadMnistAsync` also downloads.
 */
export function loadMnist(opts: LoadOptions = {}): TrainTest {
  const l = findDataset('mnist', opts);
  if (!l) throw notFound('mnist');
  return fromLocated(l, 'mnist');
}

/** MNIST, downloaded into the cache on first use when no copy is found (progress in a cell). */
export async function loadMnistAsync(opts: LoadOptions & DownloadOptions = {}): Promise<TrainTest> {
  return fromLocated(await ensureDataset('mnist', cellDownloadOptions(opts)), 'mnist');
}

/**
 * Fashion-MNIST, downloaded from its mirrors into the per-user cache on first use (a progress
 * output in a notebook cell; interrupting the cell cancels it), then read from there.
 */
export async function loadFashionMnist(opts: LoadOptions & DownloadOptions = {}): Promise<TrainTest> {
  return fromLocated(await ensureDataset('fashion-mnist', cellDownloadOptions(opts)), 'fashion-mnist');
}

/**
 * 'mnist' | 'fashion-mnist' | a folder path, without downloading (the commands and the CLI
 * call `prepareDataset` first).
 */
export function loadDataset(spec: string, opts: LoadOptions = {}): TrainTest {
  if (spec === 'mnist' || spec === 'fashion-mnist') {
    const l = findDataset(spec, opts);
    if (!l) throw notFound(spec);
    return fromLocated(l, spec);
  }
  return loadIdxFolder(spec);
}

/** Make `loadDataset(spec)` find its files: downloads a named data set that is nowhere yet. */
export async function prepareDataset(spec: string, opts: LoadOptions & DownloadOptions = {}): Promise<void> {
  if (spec === 'mnist' || spec === 'fashion-mnist') await ensureDataset(spec, cellDownloadOptions(opts));
}
