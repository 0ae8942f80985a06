/**
 * `tf.node` as tslab notebooks use it through `@tensorflow/tfjs-node`: encodePng, encodeJpeg,
 * decodePng, decodeJpeg, decodeImage (PNG and JPEG). tfjs-node does these with libtensorflow's
 * image ops; here pngjs and jpeg-js do them (both already in the kernel bundle through the
 * lab's Omniglot and CelebA loaders), on the kernel's own tf. Other parts of tfjs-node's
 * `node` namespace (TensorBoard, SavedModel loading) are not provided; using one says so.
 */
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';

interface Tf {
  tensor3d(values: Uint8Array | Int32Array, shape: [number, number, number], dtype: 'int32'): unknown;
}
interface Tensor3D {
  shape: number[];
  data(): Promise<ArrayLike<number>>;
}

/** Image tensor [h, w, c] (c = 1, 3, 4; values 0-255) -> RGBA bytes. */
async function rgba(image: Tensor3D, what: string): Promise<{ data: Buffer; width: number; height: number }> {
  const [height, width, c] = image.shape;
  if (image.shape.length !== 3 || ![1, 3, 4].includes(c)) {
    throw new RangeError(`tf.node.${what}: expected an image tensor of shape [height, width, 1|3|4], got [${image.shape.join(', ')}]`);
  }
  const v = await image.data();
  const out = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const px = (k: number) => Math.max(0, Math.min(255, Math.round(v[p * c + k])));
    out[4 * p] = px(0);
    out[4 * p + 1] = px(c >= 3 ? 1 : 0);
    out[4 * p + 2] = px(c >= 3 ? 2 : 0);
    out[4 * p + 3] = c === 4 ? px(3) : 255;
  }
  return { data: out, width, height };
}

/** RGBA bytes -> int32 tensor [h, w, channels] (channels 0: 4 for PNG, 3 for JPEG, as tfjs-node). */
function toTensor(tf: Tf, data: ArrayLike<number>, width: number, height: number, channels: number): unknown {
  const out = new Int32Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    if (channels === 1) out[p] = Math.round(0.299 * data[4 * p] + 0.587 * data[4 * p + 1] + 0.114 * data[4 * p + 2]);
    else for (let k = 0; k < channels; k++) out[p * channels + k] = data[4 * p + k];
  }
  return tf.tensor3d(out, [height, width, channels], 'int32');
}

function checkChannels(channels: number, what: string): void {
  if (![0, 1, 3, 4].includes(channels)) throw new RangeError(`tf.node.${what}: channels must be 0 (as stored), 1, 3 or 4, got ${channels}`);
}

const isPng = (b: Uint8Array) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8;

/** The `node` namespace for the tfjs-node aliases (compat.ts). */
export function tfNode(tf: Tf): Record<string, unknown> {
  const decodePng = (contents: Uint8Array, channels = 0): unknown => {
    checkChannels(channels, 'decodePng');
    const png = PNG.sync.read(Buffer.from(contents));
    return toTensor(tf, png.data, png.width, png.height, channels || 4);
  };
  const decodeJpeg = (contents: Uint8Array, channels = 0): unknown => {
    checkChannels(channels, 'decodeJpeg');
    const img = jpeg.decode(contents, { useTArray: true, formatAsRGBA: true });
    return toTensor(tf, img.data, img.width, img.height, channels || 3);
  };
  const unsupported = (name: string) => () => {
    throw new Error(
      `tf.node.${name} needs TensorFlow's native library: install @tensorflow/tfjs-node next to the notebook (npm install @tensorflow/tfjs-node)`,
    );
  };
  return {
    encodePng: async (image: Tensor3D, compression = 1): Promise<Uint8Array> => {
      const { data, width, height } = await rgba(image, 'encodePng');
      const png = new PNG({ width, height });
      data.copy(png.data);
      return new Uint8Array(PNG.sync.write(png, { deflateLevel: Math.max(0, Math.min(9, compression)) }));
    },
    encodeJpeg: async (image: Tensor3D, _format = '', quality = 95): Promise<Uint8Array> => {
      const { data, width, height } = await rgba(image, 'encodeJpeg');
      return new Uint8Array(jpeg.encode({ data, width, height }, quality).data);
    },
    decodePng,
    decodeJpeg,
    decodeImage: (contents: Uint8Array, channels = 0): unknown => {
      if (isPng(contents)) return decodePng(contents, channels);
      if (isJpeg(contents)) return decodeJpeg(contents, channels);
      throw new Error('tf.node.decodeImage: only PNG and JPEG are decoded by this kernel (the bytes are neither)');
    },
    loadSavedModel: unsupported('loadSavedModel'),
    getMetaGraphsFromSavedModel: unsupported('getMetaGraphsFromSavedModel'),
    summaryFileWriter: unsupported('summaryFileWriter'),
    tensorBoard: unsupported('tensorBoard'),
  };
}
