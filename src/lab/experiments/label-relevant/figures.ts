/**
 * Pictures of the label-relevant VAE experiments, as tensors for `display.png` (and PNG files):
 * a tiled image grid, the swap figure (header row / column show the source images) and the
 * class-conditional sample grid; plus the vega-lite spec of the moons scatter (paper Fig. 2).
 */
import * as tf from '../../tf';
import type { ConditionalGenerator } from '../../models/conditional';
import type { LabelRelevantVAE } from '../../models/lrVae';

/** Tile images [n, h, w, c] into one [rows*(h+pad)-pad, cols*(w+pad)-pad, c] image (row-major; pad = `padValue`). */
export function tileImages(x: tf.Tensor4D, cols: number, pad = 1, padValue = 0.5): tf.Tensor3D {
  const [n, h, w, c] = x.shape;
  const rows = Math.ceil(n / cols);
  return tf.tidy(() => {
    const full = rows * cols > n ? tf.concat([x, tf.fill([rows * cols - n, h, w, c], padValue)], 0) : x;
    const padded = tf.pad(
      full,
      [
        [0, 0],
        [0, pad],
        [0, pad],
        [0, 0],
      ],
      padValue,
    ); // [n, h+p, w+p, c]
    const grid = tf.reshape(tf.transpose(tf.reshape(padded, [rows, cols, h + pad, w + pad, c]), [0, 2, 1, 3, 4]), [rows * (h + pad), cols * (w + pad), c]);
    return tf.slice(grid, [0, 0, 0], [rows * (h + pad) - pad, cols * (w + pad) - pad, c]) as tf.Tensor3D;
  });
}

/**
 * The swap figure: cell (i, j) decodes [z_s of rows[i], z_u of cols[j]]. The top row shows
 * the images that give z_u (columns), the left column those that give z_s (rows).
 */
export function swapFigure(model: LabelRelevantVAE, rows: tf.Tensor4D, cols: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const r = rows.shape[0],
      c = cols.shape[0];
    const grid = tf.reshape(model.swap(rows, cols), [r, c, ...model.inputShape]);
    const body = tf.concat([tf.expandDims(rows, 1), grid], 1); // [r, c+1, ...]
    const header = tf.expandDims(tf.concat([tf.fill([1, ...model.inputShape], 0), cols], 0), 0); // [1, c+1, ...]
    const all = tf.reshape(tf.concat([header, body], 0), [(r + 1) * (c + 1), ...model.inputShape]) as tf.Tensor4D;
    return tileImages(all, c + 1);
  });
}

/** Rows = classes, `perClass` samples each. */
export function classSampleFigure(gen: ConditionalGenerator, perClass: number, seed = 0): tf.Tensor3D {
  return tf.tidy(() =>
    tileImages(
      tf.concat(
        Array.from({ length: gen.classes }, (_, c) => gen.sample(c, perClass, seed + 1000 * c)),
        0,
      ) as tf.Tensor4D,
      perClass,
    ),
  );
}

/** One point of the moons scatter. */
export interface ScatterPoint {
  x: number;
  y: number;
  label: number;
  /** Panel: 'data' or a model's name. */
  source: string;
}

/** Vega-lite spec: one panel per source, points coloured by class (the paper's Figure 2). */
export function moonsScatterSpec(points: ScatterPoint[], title = 'Three half moons: data and class-conditional samples'): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: points },
    facet: { column: { field: 'source', type: 'nominal', title: null, sort: null } },
    spec: {
      width: 260,
      height: 140,
      mark: { type: 'circle', size: 8, opacity: 0.5 },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: { domain: [-1.5, 5.9] } },
        y: { field: 'y', type: 'quantitative', scale: { domain: [-0.8, 1.6] } },
        color: { field: 'label', type: 'nominal', title: 'class' },
      },
    },
  };
}
