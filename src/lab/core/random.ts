/**
 * Seeded randomness for the lab. One small generator (mulberry32 over a splitmix32-mixed
 * seed) drives everything: shuffles, binarization, transforms, and the seeds handed to
 * tfjs random ops (tf.randomNormal(shape, 0, 1, 'float32', seed) is deterministic per seed,
 * so each call must get a fresh seed: `rng.seed()`).
 */

/** Mix a 32-bit value (splitmix32 finaliser): neighbouring inputs give unrelated outputs. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Derive a child seed from a parent seed and a list of integers (step, update index, ...). */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = mix32(seed >>> 0);
  for (const p of parts) h = mix32(h ^ (p >>> 0));
  return h;
}

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = mix32(seed >>> 0);
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** A fresh 31-bit seed for a tfjs random op. */
  seed(): number {
    return Math.floor(this.next() * 2147483647);
  }
  /** A child generator (independent stream). */
  fork(): Rng {
    return new Rng(this.seed());
  }
  /** Fisher-Yates shuffle of [0, n) as a new Int32Array. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
