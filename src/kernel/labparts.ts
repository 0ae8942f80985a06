/**
 * The lab as the kernel sees it: the tfjs instance (one for the lab and for cells), the lab
 * module behind `import ... from 'vae-lab'`, and the runtime initialisation. The lab and its
 * runtime are written by other parts of the project; the build bundles them when they compile
 * and puts a `{ __missing: reason }` stub in their place otherwise (see build/kernel-build.mjs).
 */
import * as tf from '../lab/tf';
import * as lab from 'optional:lab';
import * as runtime from 'optional:lab-runtime';
import type { BackendChoice, RuntimeInfo } from '../common/protocol';

type Optional = { __missing?: string } & Record<string, unknown>;

/** Why an optional part is absent (read with Reflect so the bundler does not flag the name). */
function missing(mod: object): string | undefined {
  return Reflect.get(mod, '__missing') as string | undefined;
}

/**
 * A cell imported 'vae-lab' but this kernel was built without it. Thrown into the cell; the
 * fix is rebuilding the extension once src/lab compiles.
 */
export class LabMissingError extends Error {
  constructor(reason: string) {
    super(`'vae-lab' is not available in this kernel build (${reason}). Rebuild with npm run build once src/lab compiles.`);
    this.name = 'LabMissingError';
  }
}

export { tf };

/** name -> module for the virtual modules of modules.ts. */
export function virtualModules(): Map<string, () => unknown> {
  const labModule = (): unknown => {
    const why = missing(lab);
    if (why) throw new LabMissingError(why);
    return lab;
  };
  return new Map<string, () => unknown>([
    ['vae-lab', labModule],
    ['@tensorflow/tfjs', () => tf],
    ['@tensorflow/tfjs-core', () => tf],
  ]);
}

/**
 * Runs the lab's runtime initialisation (backend choice). Never throws: what went wrong comes
 * back as `warning`, and the kernel still runs on tfjs's default backend.
 */
export async function initRuntime(choice: BackendChoice, moduleDirs: string[]): Promise<{ info: RuntimeInfo; warning?: string }> {
  const r = runtime as Optional;
  const fallback = async (why: string) => {
    await tf.ready();
    return { info: { backend: tf.getBackend(), device: 'CPU (tfjs default backend)' }, warning: why };
  };
  if (missing(r) || typeof r.initRuntime !== 'function') {
    return fallback(`lab runtime not available (${missing(r) ?? 'initRuntime missing'}); using tfjs's default backend`);
  }
  try {
    type Init = (c: BackendChoice, o: { moduleDirs: string[] }) => Promise<RuntimeInfo>;
    return { info: await (r.initRuntime as Init)(choice, { moduleDirs }) };
  } catch (err) {
    return fallback(`runtime initialisation failed (${err instanceof Error ? err.message : String(err)}); using tfjs's default backend`);
  }
}

/**
 * After a cell's JavaScript was terminated mid-op, tfjs may be left inside a tidy scope or a
 * gradient tape. End those scopes (disposing their intermediate tensors) so later cells
 * neither leak nor record gradients. Uses engine internals that tfjs 4.x exposes.
 */
export function repairTfEngine(): void {
  const engine = tf.engine() as unknown as {
    state: { scopeStack: unknown[]; gradientDepth: number; kernelDepth: number; activeTape: unknown };
    endScope(): void;
  };
  while (engine.state.scopeStack.length > 0) engine.endScope();
  engine.state.gradientDepth = 0;
  engine.state.kernelDepth = 0;
  engine.state.activeTape = null;
}
