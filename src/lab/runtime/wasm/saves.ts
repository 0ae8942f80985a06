/**
 * The tensors a gradient keeps, saved without a kernel dispatch each on the wasm path.
 *
 * tfjs's engine saves every input or output a kernel's gradient will read
 * (saveTensorsForBackwardMode) as engine.clone(t): an Identity kernel run through the whole
 * dispatch (kernel lookup, scope, profiler hooks) plus a tape node, so that a gradient of that
 * gradient (tf.grad of tf.grad) can flow back through the saved tensor. 45 such clones per MLP
 * VAE step (after dense.ts), each ~15-20 us of engine time against ~nothing of arithmetic
 * (small.ts's Identity shares the bytes).
 *
 * The tape node only matters when the backward pass itself is recorded, i.e. when the save
 * happens inside two or more nested gradient scopes (engine.state.gradientDepth >= 2): at depth
 * 1 the backward runs at depth 0 with the tape off, and the clone is on no path from the
 * variables to the loss (getFilteredNodesXToY drops it). So at depth 1 the clone here is what
 * small.ts's Identity and the engine would make anyway, a new Tensor sharing the bytes
 * (backend.incRef, one more owner) and kept past the tidy, without the dispatch or the tape
 * node; at depth >= 2, on another backend, for string tensors or with VAE_LAB_CHEAP_SAVES=0 the
 * engine's own code runs. Checked by test/unit/runtime/saves.test.ts (first and second order
 * gradients against the cpu backend, tensor and buffer counts).
 */
import * as tfc from '@tensorflow/tfjs';

interface EngineInternals {
  state: { gradientDepth: number };
  backendName: string;
  backend: { incRef(dataId: tfc.DataId): void };
  keep<T extends tfc.Tensor>(t: T): T;
  makeTensorFromTensorInfo(info: tfc.TensorInfo, backend?: unknown): tfc.Tensor;
  saveTensorsForBackwardMode(tensors: tfc.Tensor[]): tfc.Tensor[];
}

let original: ((this: EngineInternals, tensors: tfc.Tensor[]) => tfc.Tensor[]) | undefined;

export function installCheapSaves(): void {
  if (original) return;
  const engine = tfc.engine() as unknown as EngineInternals;
  const tfjs = engine.saveTensorsForBackwardMode;
  original = tfjs;
  engine.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: tfc.Tensor[]): tfc.Tensor[] {
    const cheap =
      this.state.gradientDepth === 1 &&
      this.backendName === 'wasm' &&
      process.env.VAE_LAB_CHEAP_SAVES !== '0' &&
      tensors.every((t) => t != null && t.dtype !== 'string');
    if (!cheap) return tfjs.call(this, tensors);
    const backend = this.backend;
    return tensors.map((t) => {
      backend.incRef(t.dataId);
      return this.keep(this.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, backend));
    });
  };
}

/** The engine's own saves again (tests; unregisterLabWasmKernels). */
export function uninstallCheapSaves(): void {
  if (!original) return;
  // the instance's own property shadowed the prototype's method: removing it restores that
  delete (tfc.engine() as unknown as Partial<EngineInternals>).saveTensorsForBackwardMode;
  original = undefined;
}
