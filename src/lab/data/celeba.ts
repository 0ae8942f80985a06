/**
 * CelebA, aligned and cropped release (img_align_celeba/*.jpg, 178x218 RGB), each image
 * center-cropped to a crop x crop square (default 140, the WAE paper's preprocessing, whose
 * nets the CR-VAE paper uses) and area-resized to 64x64x3. The split is the official
 * list_eval_partition.txt (0 train, 1 validation, 2 test) when present beside the folder;
 * without it the last 10% of the sorted files are the test set. 202,599 images at 64x64x3 take
 * 2.5 GB, so `limit` caps each part for a CPU.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { ImageDataset } from './dataset';
import { centerCrop, resizeArea } from './resize';
import { DataNotFoundError, type TrainTest } from './sources';

export interface CelebaOptions {
  /** Folder holding img_align_celeba/ (and optionally list_eval_partition.txt). */
  dataDir: string;
  /** Side of the centred square cut from each 178x218 image (default 140). */
  crop?: number;
  /** Output side (default 64). */
  size?: number;
  /** Most images per part (default all). */
  limit?: number;
}

/** Decode one JPEG, crop its centre, resize: size*size*3 bytes, RGB interleaved. */
export function celebaImage(bytes: Uint8Array, crop = 140, size = 64): Uint8Array {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  const side = Math.min(crop, img.width, img.height);
  return resizeArea(centerCrop(img.data, img.width, img.height, 3, side), side, side, 3, size, size);
}

/** Train and test parts of CelebA at size x size x 3 (validation images are left out). */
export function loadCeleba(o: CelebaOptions): TrainTest {
  const dir = join(o.dataDir, 'img_align_celeba');
  if (!existsSync(dir))
    throw new DataNotFoundError(
      `CelebA: no folder ${dir}. Unzip img_align_celeba.zip of the official release (and put list_eval_partition.txt beside it) into one folder and pass it as dataDir.`,
    );
  const files = readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.jpg'))
    .sort();
  if (!files.length) throw new DataNotFoundError(`CelebA: no .jpg images in ${dir}.`);
  const partFile = join(o.dataDir, 'list_eval_partition.txt');
  let part: Map<string, number>;
  if (existsSync(partFile)) {
    part = new Map(
      readFileSync(partFile, 'utf8')
        .split(/\r?\n/)
        .filter(Boolean)
        .map((l) => {
          const [f, p] = l.trim().split(/\s+/);
          return [f, Number(p)];
        }),
    );
  } else {
    const cut = Math.floor(files.length * 0.9);
    part = new Map(files.map((f, i) => [f, i < cut ? 0 : 2]));
  }
  const size = o.size ?? 64,
    limit = o.limit ?? Infinity;
  const read = (which: number, name: string) => {
    const chosen = files.filter((f) => part.get(f) === which).slice(0, limit);
    const all = new Uint8Array(chosen.length * size * size * 3);
    chosen.forEach((f, i) => all.set(celebaImage(readFileSync(join(dir, f)), o.crop, size), i * size * size * 3));
    return new ImageDataset(all, [size, size, 3], undefined, name);
  };
  return { train: read(0, 'celeba/train'), test: read(2, 'celeba/test'), name: 'celeba' };
}
