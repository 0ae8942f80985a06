/**
 * A dense layer as one kernel forward and one backward on the wasm path, in place of tfjs's
 * chain of small ops.
 *
 * tfjs-layers' Dense runs y = act(x W + b) as tf.fused.matMul (a custom gradient: reshapes to
 * rank 3 and back, four saved clones, and a backward of Reshape, Step, Multiply, two products,
 * Sum, Reshape) for relu, and as MatMul + Add for a linear layer; ~12-15 kernel dispatches per
 * layer and step, each paying tfjs's engine bookkeeping (tape node, scope, kernel lookup), and
 * two passes over y for the bias and the activation. Here, while the wasm backend with the
 * lab's kernels is active, Dense.call runs instead:
 *   forward   VaeLabDense / VaeLabDenseRelu: Z = x W (matmul.ts's product, native or wasm
 *             GEMM), then one pass y = act(Z + b) over the product in the heap;
 *   backward  (a registered gradient, so only the gradients asked for are computed)
 *             relu:   one pass dz = dy * [y > 0] (y > 0 exactly where Z + b > 0; at 0 both this
 *                     and tfjs's step(y) give 0) that also sums db_j = sum_i dz_ij (float32);
 *             linear: dz = dy, db = sum_i dy_ij (Sum, reduce.ts);
 *             dx = dz W^T, dW = x^T dz (two products, operands read transposed in place).
 * ~5-7 dispatches per layer. The two element-wise passes are dense.wat's SIMD loops (a JS loop
 * over heap views costs ~3-6 ns a float here, simd.ts says, these ~1). Anything else (another activation, an input of rank 3, a
 * non-float32 input, another backend, VAE_LAB_DENSE=0) goes to tfjs-layers' own call.
 * Checked against tfjs on the cpu backend in test/unit/runtime/kernels-dense.test.ts.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, KernelArgs, WasmBackend } from './heap';
import { product } from './matmul';
import { memoryOf, ptr } from './simd';
import { wasmBase64 } from './generated/dense';

export const DENSE = 'VaeLabDense';
export const DENSE_RELU = 'VaeLabDenseRelu';
export const DENSE_RELU_GRAD = 'VaeLabDenseReluGrad';

interface DenseLoops {
  biasAct(y: number, b: number, m: number, n: number, hasBias: number, relu: number): void;
  reluGrad(dz: number, dy: number, y: number, db: number, m: number, n: number): void;
}
let compiled: WebAssembly.Module | undefined;
let bound: { memory: WebAssembly.Memory; loops: DenseLoops } | undefined;

/** dense.wat bound to this backend's heap (instantiated once per heap). */
function loops(backend: WasmBackend): DenseLoops {
  const memory = memoryOf(backend);
  if (bound?.memory !== memory) {
    compiled ??= new WebAssembly.Module(Buffer.from(wasmBase64, 'base64'));
    bound = { memory, loops: new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as DenseLoops };
  }
  return bound.loops;
}

/** y = act(x w + bias), x [m, k], w [k, n], bias [n] (optional). */
function denseWith(relu: boolean) {
  return ({ inputs, backend }: KernelArgs): tfc.TensorInfo => {
    const { x, w, bias } = inputs;
    const [m, k] = x.shape;
    const n = w.shape[1];
    const y = product(backend, { t: x, transposed: false }, { t: w, transposed: false }, m, k, n);
    if (bias || relu) loops(backend).biasAct(ptr(backend, y), bias ? ptr(backend, bias) : 0, m, n, bias ? 1 : 0, relu ? 1 : 0);
    return y;
  };
}

/** [dz, db]: dz = dy * [y > 0], db_j = sum_i dz_ij. */
function denseReluGrad({ inputs, backend }: KernelArgs): tfc.TensorInfo[] {
  const { dy, y } = inputs;
  const [m, n] = y.shape;
  const dz = alloc(backend, [m, n]);
  const db = alloc(backend, [n]);
  loops(backend).reluGrad(ptr(backend, dz), ptr(backend, dy), ptr(backend, y), ptr(backend, db), m, n);
  return [dz, db];
}

export const denseKernels = [
  { kernelName: DENSE, kernelFunc: denseWith(false) },
  { kernelName: DENSE_RELU, kernelFunc: denseWith(true) },
  { kernelName: DENSE_RELU_GRAD, kernelFunc: denseReluGrad as unknown as (a: KernelArgs) => tfc.TensorInfo },
];

/** dx = dz W^T, dW = x^T dz, db = the column sums of dz; saved = [x, w] (+ y for relu). */
function gradient(relu: boolean): tfc.GradConfig {
  return {
    kernelName: relu ? DENSE_RELU : DENSE,
    inputsToSave: ['x', 'w'],
    outputsToSave: [relu],
    gradFunc: (dy, saved) => {
      const g = dy as tfc.Tensor2D;
      const [x, w, y] = saved as tfc.Tensor2D[];
      const [dz, db] = relu ? (tfc.engine().runKernel(DENSE_RELU_GRAD, { dy: g, y }, {}) as unknown as tfc.Tensor2D[]) : [g, undefined];
      return {
        x: () => tfc.matMul(dz, w, false, true),
        w: () => tfc.matMul(x, dz, true, false),
        bias: () => db ?? tfc.sum(g, 0),
      };
    },
  };
}

/**
 * act(x w + bias) as one kernel with the gradient above. The caller checks that the active
 * backend has the kernels (denseRoutable).
 */
export function labDense(x: tfc.Tensor2D, w: tfc.Tensor2D, bias: tfc.Tensor1D | undefined, activation: 'relu' | 'linear'): tfc.Tensor2D {
  const inputs: tfc.NamedTensorMap = bias ? { x, w, bias } : { x, w };
  return tfc.engine().runKernel(activation === 'relu' ? DENSE_RELU : DENSE, inputs, {}) as tfc.Tensor2D;
}

/** Whether labDense can run these operands on the active backend. */
export function denseRoutable(x: tfc.Tensor, w: tfc.Tensor, bias: tfc.Tensor | undefined): boolean {
  return (
    process.env.VAE_LAB_DENSE !== '0' &&
    x.rank === 2 &&
    w.rank === 2 &&
    x.dtype === 'float32' &&
    w.dtype === 'float32' &&
    x.shape[1] === w.shape[0] &&
    (!bias || (bias.rank === 1 && bias.dtype === 'float32' && bias.shape[0] === w.shape[1])) &&
    !!tfc.getKernel(DENSE, tfc.getBackend())
  );
}

/** The parts of tfjs-layers' Dense this reads (its fields are public in JS, protected in types). */
interface DenseLayer {
  activation?: { getClassName(): string };
  kernel?: { read(): tfc.Tensor };
  bias?: { read(): tfc.Tensor } | null;
  invokeCallHook(inputs: tfc.Tensor | tfc.Tensor[], kwargs: unknown): void;
}
type Call = (this: DenseLayer, inputs: tfc.Tensor | tfc.Tensor[], kwargs: unknown) => tfc.Tensor | tfc.Tensor[];

let original: { proto: { call: Call }; call: Call } | undefined;

/**
 * Registers the gradients (once; they name only the lab's kernels) and routes Dense.call
 * through labDense where it applies. Idempotent.
 */
export function installLabDense(): void {
  if (original) return;
  if (!tfc.getGradient(DENSE)) for (const relu of [false, true]) tfc.registerGradient(gradient(relu));
  const proto = Object.getPrototypeOf(tfc.layers.dense({ units: 1 })) as { call: Call };
  const tfjs = proto.call;
  original = { proto, call: tfjs };
  proto.call = function (this: DenseLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    const act = this.activation?.getClassName() ?? 'linear';
    const w = this.kernel?.read();
    const bias = this.bias?.read();
    if (!x || !w || (act !== 'relu' && act !== 'linear') || !denseRoutable(x, w, bias)) return tfjs.call(this, inputs, kwargs);
    return tfc.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      return labDense(x as tfc.Tensor2D, w as tfc.Tensor2D, bias as tfc.Tensor1D | undefined, act);
    });
  };
}

/** Puts tfjs-layers' own Dense.call back (tests). */
export function uninstallLabDense(): void {
  if (!original) return;
  original.proto.call = original.call;
  original = undefined;
}
