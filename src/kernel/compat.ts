/**
 * Notebooks written for tslab import `@tensorflow/tfjs-node` (or `-gpu`): TensorFlow's native
 * library. This kernel already runs tfjs on its fastest backend (native GEMM, WebGPU, wasm, or
 * tfjs-node itself when installed), so those names are the kernel's own `tf` (the same object
 * as `@tensorflow/tfjs`): the notebook runs unchanged, with no download of libtensorflow.
 * A notebook whose folder installs its own copy gets that copy (its `@tensorflow/tfjs` is still
 * ours: modules.ts routes that name for every requirer, so there is one engine). The kernel log
 * says which, the first time a cell asks. tfjs-node's `tf.node` image codecs (tfnode.ts) are
 * added to that one tf object (enumerable: `import * as` copies own enumerable keys), so the alias stays the same object.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tfNode } from './tfnode';

export const TFJS_NODE_NAMES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/** The package.json of `name` as Node would find it from `dir` (its node_modules and its parents'), if any. */
export function ownPackage(name: string, dir: string): string | undefined {
  try {
    return createRequire(join(dir, '__vae_lab_lookup__.js')).resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
}

/**
 * Virtual-module entries for the tfjs-node names the notebook does not install itself: each
 * returns `tf()` and logs once what it stands for. Names the notebook has are left out (and
 * logged when the kernel starts), so Node's resolution finds its copy.
 */
export function tfjsNodeAliases(tf: () => unknown, own: (name: string) => string | undefined, log: (text: string) => void): [string, () => unknown][] {
  const out: [string, () => unknown][] = [];
  for (const name of TFJS_NODE_NAMES) {
    const found = own(name);
    if (found) {
      log(`'${name}': the notebook folder's own copy (${found.replace(/[\\/]package\.json$/, '')})`);
      continue;
    }
    let told = false;
    out.push([
      name,
      () => {
        const t = tf() as { getBackend?: () => string; node?: unknown };
        if (!Object.prototype.hasOwnProperty.call(t, 'node')) {
          Object.defineProperty(t, 'node', { value: tfNode(t as never), enumerable: true, configurable: true });
        }
        if (!told) {
          told = true;
          log(
            `'${name}' is the kernel's own TensorFlow.js (the same tf as '@tensorflow/tfjs', backend ${t.getBackend?.() ?? '?'}); install it next to the notebook to use that copy instead`,
          );
        }
        return t;
      },
    ]);
  }
  return out;
}
