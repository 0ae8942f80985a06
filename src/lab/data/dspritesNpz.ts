/**
 * The official dSprites file, `dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz`, when a user
 * has it (https://github.com/deepmind/dsprites-dataset). Arrays used:
 *   imgs            uint8 [N, 64, 64], values 0/1
 *   latents_classes int64 [N, 6]: color, shape, scale, orientation, posX, posY (class indices)
 * (`latents_values` and the pickled `metadata` are not needed.) Images are kept bit-packed
 * (N*4096/8 bytes: 377 MB for the full set instead of 3 GB) and looked up by factor classes,
 * so the metrics can fix a factor exactly as with the procedural set.
 */
import { DSPRITES_FACTOR_NAMES, flatIndex, type FactorImageSet } from './dsprites';
import { NpzFormatError, readNpy, streamNpy } from './npz';

/** dSprites read from its .npz file; same interface as the procedural `DSprites`. */
export class DSpritesFile implements FactorImageSet {
  readonly factorNames = DSPRITES_FACTOR_NAMES;
  constructor(
    readonly factorSizes: readonly number[],
    readonly imageShape: [number, number, number],
    /** flat factor index -> row of `imgs`. */
    private readonly rowOf: Int32Array,
    /** Bit-packed images, row-major, one bit per pixel (LSB first). */
    private readonly bits: Uint8Array,
  ) {}

  writeImage(f: ArrayLike<number>, out: Float32Array, offset: number): void {
    const px = this.imageShape[0] * this.imageShape[1];
    const base = this.rowOf[flatIndex(f, this.factorSizes)] * px;
    for (let i = 0; i < px; i++) {
      const b = base + i;
      out[offset + i] = (this.bits[b >> 3] >> (b & 7)) & 1;
    }
  }
}

/**
 * Load the official dSprites .npz (or any .npz with the same two arrays over a complete
 * factor grid). Throws NpzFormatError on a broken file or an incomplete grid.
 */
export async function loadDSpritesNpz(path: string, signal?: AbortSignal): Promise<DSpritesFile> {
  const lc = await readNpy(path, 'latents_classes');
  const [n, cols] = lc.header.shape;
  if (lc.header.shape.length !== 2 || cols !== 6 || lc.header.descr !== '<i8' || lc.header.fortranOrder)
    throw new NpzFormatError(path, `latents_classes should be int64 [N, 6] in C order, found ${lc.header.descr} [${lc.header.shape}]`);
  if (lc.data.length !== n * 6 * 8) throw new NpzFormatError(path, 'latents_classes is truncated');
  const K = DSPRITES_FACTOR_NAMES.length;
  const classes = new Int32Array(n * K);
  const sizes = new Array<number>(K).fill(0);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < K; k++) {
      const v = Number(lc.data.readBigInt64LE((r * 6 + k + 1) * 8)); // column 0 is color
      if (v < 0) throw new NpzFormatError(path, `negative factor class in row ${r}`);
      classes[r * K + k] = v;
      sizes[k] = Math.max(sizes[k], v + 1);
    }
  }
  const total = sizes.reduce((a, b) => a * b, 1);
  if (total !== n) throw new NpzFormatError(path, `latents_classes does not cover a full factor grid (${n} rows for a ${sizes.join('x')} grid)`);
  const rowOf = new Int32Array(n).fill(-1);
  for (let r = 0; r < n; r++) {
    const i = flatIndex(classes.subarray(r * K, (r + 1) * K), sizes);
    if (rowOf[i] >= 0) throw new NpzFormatError(path, `factor combination of row ${r} appears twice`);
    rowOf[i] = r;
  }

  let shape: number[] = [];
  let bits = new Uint8Array(0);
  let pos = 0;
  await streamNpy(
    path,
    'imgs',
    (h) => {
      if (h.descr !== '|u1' || h.fortranOrder || h.shape.length !== 3 || h.shape[0] !== n)
        throw new NpzFormatError(path, `imgs should be uint8 [${n}, H, W] in C order, found ${h.descr} [${h.shape}]`);
      shape = h.shape;
      bits = new Uint8Array(Math.ceil((n * shape[1] * shape[2]) / 8));
    },
    (chunk) => {
      for (let i = 0; i < chunk.length; i++, pos++) if (chunk[i]) bits[pos >> 3] |= 1 << (pos & 7);
    },
    signal,
  );
  if (pos !== n * shape[1] * shape[2]) throw new NpzFormatError(path, `imgs holds ${pos} pixels, expected ${n * shape[1] * shape[2]}`);
  return new DSpritesFile(sizes, [shape[1], shape[2], 1], rowOf, bits);
}
