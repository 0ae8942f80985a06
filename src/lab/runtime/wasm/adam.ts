/**
 * Adam's update as one pass over each variable on the wasm backend.
 *
 * tfjs's AdamOptimizer.applyGradients runs 12 elementwise ops per variable (mul, add, square,
 * div, sqrt, ...), each a wasm call that allocates a fresh output and streams the whole
 * variable through memory: profiled here, 25-35 ms of a 60 ms MLP VAE step (0.9 M weights),
 * ~20 ms of the conv VAE's. The kernel below does the same arithmetic in one wasm SIMD loop over
 * the same heap (simd.ts: f32x4, ~3 ns per weight under load here where tfjs's 12 ops took
 * ~20 and a JS loop ~18), and `installFusedAdam` routes AdamOptimizer through it whenever
 * the active backend has it (wasm with the lab's kernels); any other backend, a non-float32
 * variable, or the kernels unregistered falls back to tfjs's own code. Same state as tfjs's
 * (moments as variables named `<name>/m` and `/v`, accBeta1/2, iterations), so checkpoints and
 * getWeights/setWeights are unchanged. With g the gradient, b1^t = accBeta1:
 *   m' = b1 m + (1 - b1) g,   v' = b2 v + (1 - b2) g^2,
 *   x' = x - lr (m' / (1 - b1^t)) / (sqrt(v' / (1 - b2^t)) + eps)
 * in float32 like tfjs's ops, so the two differ by rounding only (checked
 * against the cpu backend in test/unit/runtime/kernels-adam.test.ts).
 * Where the native addon is in use (native-gemm.ts) the same arithmetic runs there, 8 floats an
 * instruction and on both cores for large variables; the two agree bit for bit.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, KernelArgs } from './heap';
import { memoryOf, ptr, simd } from './simd';
import { nativeGemmInUse } from './matmul';

export const FUSED_ADAM = 'VaeLabFusedAdam';

interface AdamAttrs {
  beta1: number;
  beta2: number;
  learningRate: number;
  epsilon: number;
}

function fusedAdam({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo[] {
  const { x, m, v, g, accBeta1, accBeta2 } = inputs;
  const { beta1, beta2, learningRate, epsilon } = attrs as unknown as AdamAttrs;
  const xo = alloc(backend, x.shape);
  const mo = alloc(backend, x.shape);
  const vo = alloc(backend, x.shape);
  // x' = x - lr/c1 * m' / (sqrt(v') / sqrt(c2) + eps): one division and one sqrt per weight
  const c1 = Math.fround(1 - f32(backend, accBeta1)[0]);
  const c2 = Math.fround(1 - f32(backend, accBeta2)[0]);
  const p = (t: tfc.TensorInfo) => ptr(backend, t);
  const n = tfc.util.sizeFromShape(x.shape);
  const native = nativeGemmInUse();
  if (native?.adam) {
    const q = (t: tfc.TensorInfo) => p(t) / 4;
    native.adam(
      memoryOf(backend).buffer as ArrayBuffer,
      q(x),
      q(m),
      q(v),
      q(g),
      q(xo),
      q(mo),
      q(vo),
      n,
      beta1,
      beta2,
      1 - beta1,
      1 - beta2,
      learningRate / c1,
      1 / Math.sqrt(c2),
      epsilon,
    );
    return [xo, mo, vo];
  }
  simd(backend).adam(p(x), p(m), p(v), p(g), p(xo), p(mo), p(vo), n, beta1, beta2, 1 - beta1, 1 - beta2, learningRate / c1, 1 / Math.sqrt(c2), epsilon);
  return [xo, mo, vo];
}

export const adamKernels = [{ kernelName: FUSED_ADAM, kernelFunc: fusedAdam }];

type NamedGrads = tfc.NamedTensorMap | { name: string; tensor: tfc.Tensor }[];
interface Moment {
  originalName: string;
  variable: tfc.Variable;
}
/** The fields of tfjs's AdamOptimizer that its applyGradients uses (protected in its typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tfc.Variable;
  accBeta2: tfc.Variable;
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  incrementIterations(): void;
}

let original: ((this: unknown, g: NamedGrads) => void) | undefined;

/** Routes tf.train.adam's updates through FUSED_ADAM where the active backend has it. Idempotent. */
export function installFusedAdam(): void {
  if (original) return;
  const proto = tfc.AdamOptimizer.prototype as unknown as { applyGradients(g: NamedGrads): void };
  const tfjs = proto.applyGradients;
  original = tfjs;
  proto.applyGradients = function (this: AdamState, grads: NamedGrads): void {
    const list = Array.isArray(grads) ? grads : Object.keys(grads).map((name) => ({ name, tensor: grads[name] }));
    const vars = tfc.engine().registeredVariables;
    const fused =
      !!tfc.getKernel(FUSED_ADAM, tfc.getBackend()) &&
      list.every(({ name, tensor }) => vars[name]?.dtype === 'float32' && (tensor == null || tensor.dtype === 'float32'));
    if (!fused) return tfjs.call(this, grads);
    tfc.tidy(() => {
      list.forEach(({ name, tensor: g }, i) => {
        const x = vars[name];
        // as tfjs: moments are made on first use, also for a variable without a gradient
        this.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tfc.tidy(() => tfc.zerosLike(x).variable(false)) };
        this.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tfc.tidy(() => tfc.zerosLike(x).variable(false)) };
        if (g == null) return;
        const m = this.accumulatedFirstMoment[i].variable;
        const v = this.accumulatedSecondMoment[i].variable;
        const [xo, mo, vo] = tfc.engine().runKernel(FUSED_ADAM, { x, m, v, g, accBeta1: this.accBeta1, accBeta2: this.accBeta2 }, {
          beta1: this.beta1,
          beta2: this.beta2,
          learningRate: this.learningRate,
          epsilon: this.epsilon,
        } as unknown as tfc.NamedAttrMap) as tfc.Tensor[];
        m.assign(mo);
        v.assign(vo);
        x.assign(xo);
      });
      this.accBeta1.assign(tfc.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tfc.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  };
}
