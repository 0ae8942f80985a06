/**
 * Corrections to tfjs-backend-webgpu 4.22 kernels, checked by test/unit/runtime/kernels-webgpu.test.ts.
 *
 * BatchMatMul with batch dims broadcast on both sides: the kernel flattens each side's batch
 * dims to one count, runs max(countA, countB) products, and reads side X's batch as
 * `batch % countX`. That is right when a side's batch dims are all 1, or are the trailing part
 * of the broadcast shape with only 1s before it ([3] against [2, 3]: flattened index i*3 + j
 * maps to j). Otherwise it is wrong: [2, 1] x [1, 3] makes 3 products for an output of 6 and
 * throws "Size(...) must match the product of shape"; [2, 1] x [2, 3] makes 6 but pairs A's
 * batch i*3 + j with (i*3 + j) % 2 instead of i, and returns wrong numbers. The fix tiles such a
 * side up to the full broadcast batch shape (Reshape + Tile, webgpu's own kernels) before
 * calling the stock kernel.
 *
 * AddN binds every input and the output to one shader. Past the device's storage buffers per
 * stage (WebGPU's default limit is 8, so 7 inputs) the pipeline is invalid and the sum comes out
 * silently wrong. The fix sums the inputs in chunks that fit, each chunk's sum entering the next.
 */
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;
interface Backend {
  disposeData(id: object): unknown;
  device?: { limits?: { maxStorageBuffersPerShaderStage?: number } };
}

/**
 * How AddN of `n` inputs is split so that no call binds more than `perCall` inputs: the chunks of
 * input indices, where -1 stands for the previous chunk's sum (the first chunk has none).
 */
export function addNChunks(n: number, perCall: number): number[][] {
  if (perCall < 2) throw new RangeError(`addNChunks: perCall must be at least 2, got ${perCall}`);
  const chunks: number[][] = [];
  let next = 0;
  while (next < n) {
    const chunk = chunks.length ? [-1] : [];
    while (chunk.length < perCall && next < n) chunk.push(next++);
    chunks.push(chunk);
  }
  return chunks;
}

/** Whether `outer` (left-padded with 1s to full's rank) broadcasts correctly by `% count`. */
export function modBroadcastable(outer: number[], full: number[]): boolean {
  const padded = [...Array(full.length - outer.length).fill(1), ...outer];
  const first = padded.findIndex((d) => d !== 1);
  return first < 0 || padded.slice(first).every((d, i) => d === full[first + i]);
}

let registered = false;

function fixAddN(): void {
  const stock = tf.getKernel('AddN', 'webgpu');
  if (!stock) return;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({
    ...stock,
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as Info[];
      const backend = args.backend as unknown as Backend;
      // One binding is the output's.
      const perCall = (backend.device?.limits?.maxStorageBuffersPerShaderStage ?? 8) - 1;
      if (inputs.length <= perCall) return stock.kernelFunc(args);
      let sum: Info | undefined;
      for (const chunk of addNChunks(inputs.length, perCall)) {
        const part = stock.kernelFunc({ ...args, inputs: chunk.map((i) => (i < 0 ? sum! : inputs[i])) as never }) as Info;
        if (sum) backend.disposeData(sum.dataId);
        sum = part;
      }
      return sum!;
    },
  });
}

export function registerWebGpuFixes(): void {
  if (registered) return;
  registered = true;
  fixAddN();
  const stock = tf.getKernel('BatchMatMul', 'webgpu');
  const reshape = tf.getKernel('Reshape', 'webgpu');
  const tile = tf.getKernel('Tile', 'webgpu');
  if (!stock || !reshape || !tile) return;
  const run = (k: tf.KernelConfig, inputs: Record<string, Info>, backend: unknown, attrs: Record<string, unknown>) =>
    k.kernelFunc({ inputs, backend: backend as never, attrs: attrs as never }) as Info;
  tf.unregisterKernel('BatchMatMul', 'webgpu');
  tf.registerKernel({
    ...stock,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: Info; b: Info };
      const outerA = a.shape.slice(0, -2);
      const outerB = b.shape.slice(0, -2);
      const full = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
      if (modBroadcastable(outerA, full) && modBroadcastable(outerB, full)) return stock.kernelFunc(args);
      const temps: Info[] = [];
      const expand = (x: Info, outer: number[]): Info => {
        if (modBroadcastable(outer, full)) return x;
        const padded = [...Array(full.length - outer.length).fill(1), ...outer];
        const r = run(reshape, { x }, args.backend, { shape: [...padded, ...x.shape.slice(-2)] });
        const t = run(tile, { x: r }, args.backend, { reps: [...full.map((d, i) => (padded[i] === d ? 1 : d)), 1, 1] });
        temps.push(r, t);
        return t;
      };
      const out = stock.kernelFunc({ ...args, inputs: { a: expand(a, outerA), b: expand(b, outerB) } });
      for (const t of temps) (args.backend as Backend).disposeData(t.dataId);
      return out;
    },
  });
}
