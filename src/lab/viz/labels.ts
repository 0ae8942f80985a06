import * as tf from '../tf';
import { InvalidArgumentError } from '../core/errors';

/** Class labels as a plain array of the first `count` entries (tensor, read asynchronously, or array accepted). */
export async function labelList(labels: tf.Tensor1D | ArrayLike<number> | undefined, count: number): Promise<number[] | undefined> {
  if (labels === undefined) return undefined;
  const values = labels instanceof tf.Tensor ? await labels.data() : labels;
  if (values.length < count) throw new InvalidArgumentError(`${values.length} labels for ${count} images: give at least one label per image`);
  return Array.from({ length: count }, (_, i) => Math.round(values[i]));
}
