/**
 * Omniglot from the official PNG release (Lake et al.: images_background/ and
 * images_evaluation/, each <alphabet>/<character>/<drawing>.png, 105x105, black strokes on
 * white), resized to 28x28 by area averaging with ink as bright (255 - grey), so the models
 * see strokes as 1 like MNIST digits. Train = images_background (30 alphabets, 19,280 drawings),
 * test = images_evaluation (20 alphabets, 13,180). This is not Burda et al.'s binarised 28x28
 * split (chardata.mat, 24,345 / 8,070 across all 50 alphabets), so NLLs are not comparable to
 * numbers reported on that split; labels are the alphabet's index within its half.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { ImageDataset } from './dataset';
import { resizeArea } from './resize';
import { DataNotFoundError, type TrainTest } from './sources';

export interface OmniglotOptions {
  /** Folder holding images_background/ and images_evaluation/ (the unzipped official release). */
  dataDir: string;
  /** Output side in pixels (default 28). */
  size?: number;
  /** Most drawings read per half (default all), e.g. for a quick look. */
  limit?: number;
}

const dirs = (p: string) =>
  readdirSync(p)
    .filter((n) => statSync(join(p, n)).isDirectory())
    .sort();

/** One half of the release as a data set of size x size grey images. */
export function readOmniglotHalf(dir: string, size = 28, limit = Infinity, name = 'omniglot'): ImageDataset {
  if (!existsSync(dir))
    throw new DataNotFoundError(
      `Omniglot: no folder ${dir}. Unzip images_background.zip and images_evaluation.zip of the official release (github.com/brendenlake/omniglot) into one folder and pass it as dataDir.`,
    );
  const images: Uint8Array[] = [],
    labels: number[] = [];
  dirs(dir).forEach((alphabet, a) => {
    for (const character of dirs(join(dir, alphabet))) {
      for (const file of readdirSync(join(dir, alphabet, character))
        .filter((f) => f.endsWith('.png'))
        .sort()) {
        if (images.length >= limit) return;
        const png = PNG.sync.read(readFileSync(join(dir, alphabet, character, file)));
        const ink = new Uint8Array(png.width * png.height);
        for (let i = 0; i < ink.length; i++) ink[i] = 255 - png.data[4 * i]; // RGBA, grey in R; strokes are dark
        images.push(resizeArea(ink, png.width, png.height, 1, size, size));
        labels.push(a);
      }
    }
  });
  if (!images.length) throw new DataNotFoundError(`Omniglot: no PNG drawings under ${dir} (expected <alphabet>/<character>/*.png).`);
  const all = new Uint8Array(images.length * size * size);
  images.forEach((im, i) => all.set(im, i * size * size));
  return new ImageDataset(all, [size, size, 1], Uint8Array.from(labels), name);
}

/** Omniglot's train (images_background) and test (images_evaluation) halves at size x size. */
export function loadOmniglot(o: OmniglotOptions): TrainTest {
  const size = o.size ?? 28;
  return {
    train: readOmniglotHalf(join(o.dataDir, 'images_background'), size, o.limit, 'omniglot/train'),
    test: readOmniglotHalf(join(o.dataDir, 'images_evaluation'), size, o.limit, 'omniglot/test'),
    name: 'omniglot',
  };
}
