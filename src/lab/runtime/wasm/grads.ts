/**
 * Leaner gradients for Add, Sub, Multiply, RealDiv, Relu and LeakyRelu on the wasm path.
 *
 * tfjs's own (tfjs-core/src/gradients) dispatch a kernel for nothing in the common float32 case:
 * Multiply's and RealDiv's cast their other operand to float32 (a Cast kernel even when it is
 * float32 already), and Add's and Sub's reshape dy to the input's shape even when it has that
 * shape (a Reshape kernel, only to make a new tensor object: the tape may not hold one tensor
 * for two inputs, it disposes one when it accumulates). In the MLP VAE step's loss that is ~20
 * of its ~100 kernels. The gradients here are the same formulas,
 *   Add:      da = R_a(dy),        db = R_b(dy)
 *   Sub:      da = R_a(dy),        db = -R_b(dy)
 *   Multiply: da = R_a(dy b),      db = R_b(dy a)
 *   RealDiv:  da = R_a(dy / b),    db = -R_b(dy a) / b^2
 * with R_x summing over the axes x was broadcast along (then reshaping to x's shape), and
 * where R is the identity the new tensor object shares dy's bytes (one more owner,
 * backend.incRef) without a dispatch. They run only where that is safe and equal: the wasm
 * backend, float32 operands, and the backward not itself being recorded (gradient depth 0:
 * a gradient of a gradient needs the tape nodes a dispatched op leaves); otherwise, or with
 * VAE_LAB_LEAN_GRADS=0, tfjs's own gradient runs. Checked against tfjs on the cpu backend in
 * test/unit/runtime/grads.test.ts.
 */
import * as tfc from '@tensorflow/tfjs';
import { MASK_GRAD } from './elementwise';

interface EngineInternals {
  state: { gradientDepth: number };
  backend: { incRef(dataId: tfc.DataId): void };
  makeTensorFromTensorInfo(info: tfc.TensorInfo, backend?: unknown): tfc.Tensor;
}
type Grads = Record<string, () => tfc.Tensor>;

/** A new tensor over t's bytes (what wasm's Reshape kernel makes, without the dispatch). */
function share(t: tfc.Tensor): tfc.Tensor {
  const engine = tfc.engine() as unknown as EngineInternals;
  engine.backend.incRef(t.dataId);
  return engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, engine.backend);
}

/** R_x: g summed over the axes x was broadcast along, in x's shape; `fresh` says g is a new tensor. */
function reduceTo(g: tfc.Tensor, shape: number[], fresh: boolean): tfc.Tensor {
  const axes = tfc.backend_util.getReductionAxes(shape, g.shape);
  if (axes.length > 0) return tfc.reshape(tfc.sum(g, axes), shape);
  return fresh ? g : share(g);
}

const lean: Record<string, (dy: tfc.Tensor, a: tfc.Tensor, b: tfc.Tensor) => Grads> = {
  Add: (dy, a, b) => ({ a: () => reduceTo(dy, a.shape, false), b: () => reduceTo(dy, b.shape, false) }),
  Sub: (dy, a, b) => ({ a: () => reduceTo(dy, a.shape, false), b: () => tfc.neg(reduceTo(dy, b.shape, false)) }),
  Multiply: (dy, a, b) => ({ a: () => reduceTo(tfc.mul(dy, b), a.shape, true), b: () => reduceTo(tfc.mul(dy, a), b.shape, true) }),
  RealDiv: (dy, a, b) => ({
    a: () => reduceTo(tfc.div(dy, b), a.shape, true),
    b: () => tfc.neg(tfc.div(reduceTo(tfc.mul(dy, a), b.shape, true), tfc.square(b))),
  }),
};

/**
 * Where the gradients here replace tfjs's: the wasm backend, float32 tensors, a backward that is
 * not itself recorded (depth 0), and not VAE_LAB_LEAN_GRADS=0.
 */
function leanApplies(...ts: tfc.Tensor[]): boolean {
  return (
    tfc.getBackend() === 'wasm' &&
    (tfc.engine() as unknown as EngineInternals).state.gradientDepth === 0 &&
    process.env.VAE_LAB_LEAN_GRADS !== '0' &&
    ts.every((t) => t.dtype === 'float32')
  );
}

let originals: Map<string, tfc.GradConfig> | undefined;

export function installLeanGradients(): void {
  if (originals) return;
  originals = new Map();
  for (const [name, grads] of Object.entries(lean)) {
    const tfjs = tfc.getGradient(name);
    // Internal: tfjs-core registers these four gradients on import.
    if (!tfjs) throw new Error(`tfjs has no gradient for '${name}'`);
    originals.set(name, tfjs);
    tfc.registerGradient({
      ...tfjs,
      gradFunc: (dy, saved, attrs) => {
        const [a, b] = saved;
        const g = dy as tfc.Tensor;
        return leanApplies(g, a, b) ? grads(g, a, b) : tfjs.gradFunc(dy, saved, attrs);
      },
    });
  }
  installMaskedGradients();
}

/**
 * Relu's and LeakyRelu's gradients as one kernel (elementwise.ts MASK_GRAD) instead of tfjs's
 * three each: relu's dy * cast(step(x)) (Step, a float32-to-float32 Cast, Multiply) and leaky
 * relu's where(x > 0, dy, dy * alpha) (Greater, Multiply, Select), with the same floats. Under
 * the same conditions as the gradients above, and not with VAE_LAB_MASK_GRADS=0 (benches); tfjs's
 * otherwise.
 */
const masked: Record<string, (attrs: tfc.NamedAttrMap) => { alpha: number; nanStep: boolean }> = {
  Relu: () => ({ alpha: 0, nanStep: true }),
  LeakyRelu: (attrs) => ({ alpha: (attrs as unknown as { alpha: number }).alpha, nanStep: false }),
};

function installMaskedGradients(): void {
  for (const [name, attrsOf] of Object.entries(masked)) {
    const tfjs = tfc.getGradient(name);
    // Internal: tfjs-core registers both gradients on import.
    if (!tfjs) throw new Error(`tfjs has no gradient for '${name}'`);
    originals!.set(name, tfjs);
    tfc.registerGradient({
      ...tfjs,
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved;
        const g = dy as tfc.Tensor;
        if (process.env.VAE_LAB_MASK_GRADS === '0' || !leanApplies(g, x)) return tfjs.gradFunc(dy, saved, attrs);
        const a = attrsOf(attrs);
        return { x: () => tfc.engine().runKernel(MASK_GRAD, { x, dy: g }, a as unknown as tfc.NamedAttrMap) as tfc.Tensor };
      },
    });
  }
}

/** tfjs's own gradients again (tests; unregisterLabWasmKernels). */
export function uninstallLeanGradients(): void {
  if (!originals) return;
  for (const config of originals.values()) tfc.registerGradient(config);
  originals = undefined;
}
