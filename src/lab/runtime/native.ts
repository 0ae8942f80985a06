/**
 * Finding and loading tfjs-node / tfjs-node-gpu at run time, on the SAME tfjs-core as the lab.
 *
 * Those packages are optional (their install downloads libtensorflow) and live outside the
 * bundle: in the notebook's folder, or in the extension's storage where "Install GPU Runtime"
 * puts them. They `require('@tensorflow/tfjs')` and register the 'tensorflow' backend on the
 * engine they get. Were that a second copy of tfjs, the backend would land on an engine the
 * lab never sees. So while the lab runs, Node's module loader answers requests for the tfjs
 * packages with the lab's own modules (a Module._load hook): exactly one tfjs-core.
 * Cells that `require('@tensorflow/tfjs')` get the same instance too.
 */
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { PackageNotFoundError } from './errors';

type LoadFn = (request: string, parent: unknown, isMain: boolean) => unknown;

/** Package name -> the module object the lab already uses. The umbrella re-exports core, layers, converter, cpu. */
const shared: Record<string, unknown> = {
  '@tensorflow/tfjs': tfjs,
  '@tensorflow/tfjs-core': tfjs,
  '@tensorflow/tfjs-layers': tfjs,
  '@tensorflow/tfjs-converter': tfjs,
  '@tensorflow/tfjs-backend-cpu': tfjs,
  '@tensorflow/tfjs-data': tfjs.data,
};

let hooked = false;

/** Installs the Module._load hook (idempotent). */
export function shareTfjsWithRequire(): void {
  if (hooked) return;
  const M = Module as unknown as { _load: LoadFn };
  const original = M._load;
  M._load = function (this: unknown, request: string, parent: unknown, isMain: boolean) {
    const mine = Object.prototype.hasOwnProperty.call(shared, request) ? shared[request] : undefined;
    return mine ?? original.call(this, request, parent, isMain);
  };
  hooked = true;
}

/** Resolves `name` as a require from each folder in turn (Node's lookup walks up node_modules). */
export function resolvePackage(name: string, dirs: string[]): string {
  for (const dir of dirs) {
    try {
      return createRequire(join(dir, '__vae_lab_lookup__.js')).resolve(name);
    } catch {
      // not here; next folder
    }
  }
  throw new PackageNotFoundError(name, dirs);
}

/** Loads a package found in `dirs` with the tfjs requests routed to the lab's tfjs. */
export function requireShared(name: string, dirs: string[]): unknown {
  const file = resolvePackage(name, dirs);
  shareTfjsWithRequire();
  return createRequire(file)(file);
}
