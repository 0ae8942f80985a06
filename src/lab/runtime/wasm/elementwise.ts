/**
 * Add, Sub, Multiply, RealDiv, Softplus and Sigmoid on the native addon's element-wise kernels
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
 * +, -, *, / round once to float32, which is the cpu backend's result bit for bit; softplus and
 * sigmoid use float32 expf/log1pf (within an ulp or so of the cpu backend's float64).
 *
 * VAE_LAB_NATIVE_OPS=0 (or setNativeOps(false), for side-by-side benches) keeps the stock kernels.
 */
import * as tfc from '@tensorflow/tfjs';
import { alloc, KernelArgs, stockKernel } from './heap';
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

/**
 * How to read operands of shapes `a` and `b` for the broadcast output `out`: the split [outer,
 * inner] and each operand's mode, or null where no split serves both (then the stock kernel runs).
 */
export function broadcastPlan(a: number[], b: number[], out: number[]): { outer: number; inner: number; modes: [number, number] } | null {
  const r = out.length;
  const pad = (s: number[]) => [...new Array<number>(r - s.length).fill(1), ...s];
  const [pa, pb] = [pad(a), pad(b)];
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const n = size(out);
  const modeAt = (s: number[], k: number): number | null => {
    if (s.every((d, i) => d === out[i])) return FULL;
    if (size(s) === 1) return SCALAR;
    if (s.every((d, i) => (i < k ? d === 1 : d === out[i]))) return ROW;
    if (s.every((d, i) => (i < k ? d === out[i] : d === 1))) return COL;
    return null;
  };
  for (let k = 0; k <= r; k++) {
    const ma = modeAt(pa, k);
    const mb = modeAt(pb, k);
    if (ma === null || mb === null) continue;
    const inner = size(out.slice(k));
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

export const elementwiseKernels = [
  { kernelName: 'Add', kernelFunc: binaryKernel('Add', 0) },
  { kernelName: 'Sub', kernelFunc: binaryKernel('Sub', 1) },
  { kernelName: 'Multiply', kernelFunc: binaryKernel('Multiply', 2) },
  { kernelName: 'RealDiv', kernelFunc: binaryKernel('RealDiv', 3) },
  { kernelName: 'Softplus', kernelFunc: unaryKernel('Softplus', 0) },
  { kernelName: 'Sigmoid', kernelFunc: unaryKernel('Sigmoid', 1) },
];
