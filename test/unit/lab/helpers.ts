/** Shared fixtures of the lab's tests: a tiny image set and small model configs (cpu backend). */
import * as tf from '../../../src/lab/tf';
import { ImageDataset } from '../../../src/lab/data/dataset';
import { Rng } from '../../../src/lab/core/random';
import type { VaeConfig } from '../../../src/lab/models/vae';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  (tf.engine().findBackend('cpu') as unknown as { firstUse?: boolean }).firstUse = false;
}

/** n 8x8 grey images: a bright square at one of 4 positions (so a latent code can learn it), plus noise. */
export function blobs(n: number, seed = 1): ImageDataset {
  const rng = new Rng(seed);
  const img = new Uint8Array(n * 64);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(4);
    labels[i] = c;
    const r0 = c < 2 ? 1 : 4,
      c0 = c % 2 ? 4 : 1;
    for (let r = 0; r < 8; r++)
      for (let q = 0; q < 8; q++) {
        const inside = r >= r0 && r < r0 + 3 && q >= c0 && q < c0 + 3;
        img[i * 64 + r * 8 + q] = inside ? 230 : Math.floor(rng.next() * 20);
      }
  }
  return new ImageDataset(img, [8, 8, 1], labels, 'blobs');
}

export function tinyVae(kind: VaeConfig['kind'] = 'vae', extra: Partial<VaeConfig> = {}): VaeConfig {
  return { kind, inputShape: [8, 8, 1], latentDim: 2, net: { kind: 'mlp', hidden: [16] }, learningRate: 1e-2, ...extra };
}

/** Element-wise max |a - b| over two lists of tensors. */
export function maxDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  let m = 0;
  a.forEach((t, i) => {
    const x = t.dataSync(),
      y = b[i].dataSync();
    for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j] - y[j]));
  });
  return m;
}

/**
 * Runs `fn` and fails unless the number of live tensors afterwards is the number before plus
 * `allowed` (0: everything `fn` made was disposed or tidied). Returns `fn`'s result.
 */
export async function expectNoLeakedTensors<T>(fn: () => T | Promise<T>, what = 'the call', allowed = 0): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const grew = tf.memory().numTensors - before;
  if (grew !== allowed) throw new Error(`${what} left ${grew} new tensors (expected ${allowed})`);
  return out;
}
