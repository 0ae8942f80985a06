// npm run bench -- native-conv: each convolution of the FactorVAE laptop step (dSprites 64x64,
// convs 16, 16, 32, 32, 4x4 stride 2 same) and of the conv VAE step (MNIST 28x28, 32, 64), at
// batch 64, as the wasm path runs them: through the addon's direct kernels (conv.ts `direct`,
// gemm.cc convDirect) and through im2col + the packed GEMM (setDirectConv(false)), alternating
// within each round, BENCH_ROUNDS rounds (default 9). For each layer and each of its three
// kernels (forward; filter gradient; input gradient, which is also a conv-transpose's forward)
// it prints the median ms of each and the median of the rounds' ratios (direct / im2col; below
// 1 the direct kernel gains): what conv.ts's routing is chosen from.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { initRuntime } from '../../src/lab/runtime';
import { nativeGemmInUse } from '../../src/lab/runtime/wasm/matmul';
import { setDirectConv } from '../../src/lab/runtime/wasm/conv';

/** [name, input h (= w), ci, co]: a 4x4 stride-2 same conv from h x h x ci to h/2 x h/2 x co. */
const LAYERS: [string, number, number, number][] = [
  ['factor enc1 / dec4', 64, 1, 16],
  ['factor enc2 / dec3', 32, 16, 16],
  ['factor enc3 / dec2', 16, 16, 32],
  ['factor enc4 / dec1', 8, 32, 32],
  ['conv-vae enc1 / dec2', 28, 1, 32],
  ['conv-vae enc2 / dec1', 14, 32, 64],
];
const B = 64;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ms per call of f (which returns what it made), over enough calls to pass ~20 ms. */
function time(f: () => tf.Tensor): number {
  tf.dispose(f());
  let calls = 0;
  const t0 = performance.now();
  do {
    tf.dispose(f());
    calls++;
  } while (performance.now() - t0 < 20);
  return (performance.now() - t0) / calls;
}

async function main(): Promise<void> {
  const info = await initRuntime('wasm', { threads: 2 });
  const native = nativeGemmInUse();
  if (!native?.conv) {
    console.log(`native-conv: skipped, no native direct convolution (${info.device})`);
    return;
  }
  const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
  console.log(`# ${info.device}; batch ${B}; ${rounds} rounds; load ${loadavg()[0].toFixed(1)}`);
  for (const [name, h, ci, co] of LAYERS) {
    const x = tf.randomUniform([B, h, h, ci]) as tf.Tensor4D;
    const w = tf.randomUniform([4, 4, ci, co]) as tf.Tensor4D;
    const dy = tf.randomUniform([B, h / 2, h / 2, co]) as tf.Tensor4D;
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
    const ops: [string, () => tf.Tensor][] = [
      ['forward', () => tf.conv2d(x, w, 2, 'same')],
      [
        'filter grad',
        () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ],
      [
        'input grad',
        () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ],
    ];
    for (const [op, f] of ops) {
      const direct: number[] = [];
      const im2col: number[] = [];
      const ratio: number[] = [];
      for (let r = 0; r < rounds; r++) {
        setDirectConv(true);
        const d = time(f);
        setDirectConv(false);
        const i = time(f);
        direct.push(d);
        im2col.push(i);
        ratio.push(d / i);
      }
      setDirectConv(true);
      console.log(
        `native_conv ${name} ${h}x${h}x${ci}->${co} ${op}: direct ${median(direct).toFixed(3)} ms, im2col+GEMM ${median(im2col).toFixed(3)} ms, ` +
          `ratio ${median(ratio).toFixed(2)} (range ${Math.min(...ratio).toFixed(2)}-${Math.max(...ratio).toFixed(2)})`,
      );
    }
    tf.dispose([x, w, dy]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
