/**
 * Add, Sub, Multiply, RealDiv, Softplus, Sigmoid, Exp, Log1p, Relu and relu's gradient on the native addon's element-wise kernels
 * (native/ops.cc), where it is in use.
 *
 * The stock wasm kernels run on one thread, and a broadcast one (a bias add, batch norm's
 * per-channel scalings) computes every element's operand index from its coordinates. A step's
 * element-wise work runs over whole activations (the FactorVAE laptop step profiled ~120 ms of
 * its ~1.3 s in Softplus, Add and Multiply), so the addon runs them on both threads from
 * ~65k elements, reading a broadcast operand as a row or a column of the output.
 *
 * Broadcasting covered: the output is viewed as [outer, inner] (split at some axis k), and each
 * float32 operand is the whole output, one float, its last axes (a row: shape [1.., S[k..]]) or
 * its first axes (a column: [S[..k], 1..]). Any other broadcast, any other dtype, and every
 * call while the addon is absent or switched off stay on the stock kernels.
 * +, -, *, / round once to float32, which is the cpu backend's result bit for bit; softplus,
 * sigmoid, exp and log1p use float32 expf/log1pf (within an ulp or so of the cpu backend's float64).
 *
 * VAE_LAB_NATIVE_OPS=0 (or setNativeOps(false), for side-by-side benches) keeps the stock kernels.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, f32, KernelArgs, stockKernel } from './heap';
import { memoryOf, ptr } from './simd';
import { nativeGemmInUse } from './matmul';
import type { NativeGemm } from '../native-gemm';

let enabled = process.env.VAE_LAB_NATIVE_OPS !== '0';

/** Turns the native element-wise kernels on or off (benches compare both in one process). */
export function setNativeOps(on: boolean): void {
  enabled = on;
}

/** Whether the lab's native element-wise kernels (this file, reduce.ts's colsum) may run. */
export function nativeOpsOn(): boolean {
  return enabled;
}

function ops(): NativeGemm | null {
  const n = enabled ? nativeGemmInUse() : null;
  return n?.binary && n.unary ? n : null;
}

const FULL = 0;
const ROW = 1;
const COL = 2;
const SCALAR = 3;

/** Whether shape s, padded with leading 1s to out's rank, is 1 before axis k and out's from k on (a row; k = 0: all of out). */
function rowAt(s: number[], out: number[], k: number): boolean {
  const off = out.length - s.length;
  for (let i = 0; i < out.length; i++) {
    const d = i < off ? 1 : s[i - off];
    if (d !== (i < k ? 1 : out[i])) return false;
  }
  return true;
}
/** Whether padded s is out's before axis k and 1 from k on (a column). */
function colAt(s: number[], out: number[], k: number): boolean {
  const off = out.length - s.length;
  for (let i = 0; i < out.length; i++) {
    const d = i < off ? 1 : s[i - off];
    if (d !== (i < k ? out[i] : 1)) return false;
  }
  return true;
}
function sizeOf(s: number[]): number {
  let n = 1;
  for (const d of s) n *= d;
  return n;
}

/**
 * How to read operands of shapes `a` and `b` for the broadcast output `out`: the split [outer,
 * inner] and each operand's mode, or null where no split serves both (then the stock kernel runs).
 * Plain loops: this runs on every call, and a step makes hundreds of tiny ones (scalar adds).
 */
export function broadcastPlan(a: number[], b: number[], out: number[]): { outer: number; inner: number; modes: [number, number] } | null {
  const n = sizeOf(out);
  const na = sizeOf(a);
  const nb = sizeOf(b);
  // the common cases first: equal sizes (the same shape, padded) or a scalar
  const fa = na === n && rowAt(a, out, 0);
  const fb = nb === n && rowAt(b, out, 0);
  if ((fa || na === 1) && (fb || nb === 1)) return { outer: 1, inner: n, modes: [fa ? FULL : SCALAR, fb ? FULL : SCALAR] };
  const r = out.length;
  let inner = n;
  for (let k = 0; k <= r; k++) {
    if (k > 0) inner = out[k - 1] === 0 ? 0 : inner / out[k - 1];
    const ma = fa ? FULL : na === 1 ? SCALAR : rowAt(a, out, k) ? ROW : colAt(a, out, k) ? COL : -1;
    const mb = fb ? FULL : nb === 1 ? SCALAR : rowAt(b, out, k) ? ROW : colAt(b, out, k) ? COL : -1;
    if (ma < 0 || mb < 0) continue;
    return { outer: inner === 0 ? 0 : n / inner, inner, modes: [ma, mb] };
  }
  return null;
}

function binaryKernel(name: string, op: number) {
  return ({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo => {
    const { a, b } = inputs;
    const nat = ops();
    if (!nat || a.dtype !== 'float32' || b.dtype !== 'float32') return stockKernel(name)({ inputs, backend, attrs });
    const shape = tfc.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const plan = broadcastPlan(a.shape, b.shape, shape);
    if (!plan || plan.outer * plan.inner === 0) return stockKernel(name)({ inputs, backend, attrs });
    const out = alloc(backend, shape);
    const q = (t: tfc.TensorInfo) => ptr(backend, t) / 4;
    nat.binary!(memoryOf(backend).buffer as ArrayBuffer, op, q(a), plan.modes[0], q(b), plan.modes[1], q(out), plan.outer, plan.inner);
    return out;
  };
}

function unaryKernel(name: string, op: number) {
  return ({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo => {
    const { x } = inputs;
    const nat = ops();
    const n = tfc.util.sizeFromShape(x.shape);
    if (!nat || x.dtype !== 'float32' || n === 0) return stockKernel(name)({ inputs, backend, attrs });
    const out = alloc(backend, x.shape);
    nat.unary!(memoryOf(backend).buffer as ArrayBuffer, op, ptr(backend, x) / 4, ptr(backend, out) / 4, n);
    return out;
  };
}

/**
 * Relu's and leaky relu's gradient in one kernel (grads.ts routes them here on wasm): dx = x > 0
 * ? dy : dy * s, s = NaN where `nanStep` and x is NaN (relu: tfjs multiplies by step(x)), else
 * `alpha`. On the addon where it is in use; otherwise the same loop here, one thread.
 */
export const MASK_GRAD = 'VaeLabMaskGrad';

function maskGrad({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo {
  const { x, dy } = inputs;
  const { alpha, nanStep } = attrs as unknown as { alpha: number; nanStep: boolean };
  const n = tfc.util.sizeFromShape(x.shape);
  const out = alloc(backend, x.shape);
  const nat = ops();
  if (nat?.mask && n > 0) {
    nat.mask(memoryOf(backend).buffer as ArrayBuffer, ptr(backend, x) / 4, ptr(backend, dy) / 4, ptr(backend, out) / 4, n, alpha, nanStep ? 1 : 0);
    return out;
  }
  const [xs, ds, os] = [x, dy, out].map((t) => f32(backend, t));
  const a = Math.fround(alpha);
  for (let i = 0; i < n; i++) os[i] = xs[i] > 0 ? ds[i] : ds[i] * (nanStep && Number.isNaN(xs[i]) ? NaN : a);
  return out;
}

export const elementwiseKernels = [
  { kernelName: 'Add', kernelFunc: binaryKernel('Add', 0) },
  { kernelName: 'Sub', kernelFunc: binaryKernel('Sub', 1) },
  { kernelName: 'Multiply', kernelFunc: binaryKernel('Multiply', 2) },
  { kernelName: 'RealDiv', kernelFunc: binaryKernel('RealDiv', 3) },
  { kernelName: 'Softplus', kernelFunc: unaryKernel('Softplus', 0) },
  { kernelName: 'Sigmoid', kernelFunc: unaryKernel('Sigmoid', 1) },
  { kernelName: 'Exp', kernelFunc: unaryKernel('Exp', 2) },
  { kernelName: 'Log1p', kernelFunc: unaryKernel('Log1p', 3) },
  { kernelName: 'Relu', kernelFunc: unaryKernel('Relu', 4) },
  { kernelName: MASK_GRAD, kernelFunc: maskGrad },
];
