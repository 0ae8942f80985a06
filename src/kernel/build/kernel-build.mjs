// Build pieces the kernel bundle needs beyond plain esbuild (used by scripts/build.mjs):
//  - `optional:<name>` imports: parts of the lab other helpers are still writing. Each resolves
//    to the real file when it exists and bundles cleanly, else to a stub `{ __missing: reason }`,
//    so the kernel and the CLI always build and say at run time what is absent.
//  - patches of tslab's converter (patches/tslab+1.0.22.patch): emit JavaScript for a cell with
//    type errors (tslab refuses; our default typeCheck mode 'warn' runs the cell anyway), a
//    source map, and the rest listed in the patch.
//  - the tfjs wasm backend's emscripten glue loses its process-wide error handlers (see
//    wasmGlueHandlers).
//  - dist/types: what the converter type-checks cells against, shipped inside the .vsix (it has
//    no node_modules): TypeScript's lib files, @types/node, the tfjs declarations, and
//    declarations generated from src/lab for `import ... from 'vae-lab'`.
import * as esbuild from 'esbuild';
import { applyPatch } from 'diff';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, readFileSync, copyFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const OPTIONAL = {
  lab: 'src/lab/index.ts',
  'lab-runtime': 'src/lab/runtime/index.ts',
};

/** esbuild plugins for the kernel and cli targets. */
export function kernelPlugins(root) {
  return [optionalModules(root), tslabEmitOnError(root), wasmGlueHandlers()];
}

function optionalModules(root) {
  const verdicts = new Map();
  return {
    name: 'vae-lab-optional',
    setup(build) {
      build.onResolve({ filter: /^optional:/ }, async (args) => {
        const name = args.path.slice('optional:'.length);
        const rel = OPTIONAL[name];
        if (!rel) return { errors: [{ text: `unknown optional module ${name}` }] };
        const file = join(root, rel);
        if (!verdicts.has(name)) verdicts.set(name, await probe(file, build.initialOptions));
        const missing = verdicts.get(name);
        if (!missing) return { path: file };
        console.warn(`build: ${rel} left out of the bundle (${missing})`);
        return { path: name, namespace: 'optional-missing', pluginData: missing };
      });
      build.onLoad({ filter: /.*/, namespace: 'optional-missing' }, (args) => ({
        contents: `export const __missing = ${JSON.stringify(args.pluginData)};`,
        loader: 'js',
      }));
    },
  };
}

/** Why `file` cannot be bundled (absent, or does not compile right now), or undefined if it can. */
async function probe(file, options) {
  if (!existsSync(file)) return `${relative(process.cwd(), file)} does not exist yet`;
  try {
    await esbuild.build({
      entryPoints: [file],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
      external: options.external,
      absWorkingDir: options.absWorkingDir,
      plugins: [],
    });
    return undefined;
  } catch (err) {
    return `it does not compile: ${String(err.errors?.[0]?.text ?? err.message)}`;
  }
}

/**
 * tslab's converter with our patches (patches/tslab+1.0.22.patch says what each does and why),
 * applied as a unified diff by jsdiff's applyPatch when the kernel is bundled: a tslab whose
 * converter no longer matches the patch's context fails the build instead of misbehaving.
 */
function tslabEmitOnError(root) {
  const patchFile = join(root, 'patches/tslab+1.0.22.patch');
  return {
    name: 'tslab-converter-patches',
    setup(build) {
      build.onLoad({ filter: /tslab[\\/]dist[\\/]converter\.js$/ }, (args) => {
        const patched = applyPatch(readFileSync(args.path, 'utf8'), readFileSync(patchFile, 'utf8'));
        if (patched === false) {
          return { errors: [{ text: `${patchFile} does not apply to ${args.path} (another tslab version?): update the patch` }] };
        }
        return { contents: patched, loader: 'js' };
      });
    },
  };
}

/** A process-wide error handler being registered, in plain or minified code (any receiver). */
export const REGISTERS_ERROR_HANDLER =
  /\b(?:on|once|addListener|prependListener|prependOnceListener)["'\]]*\(\s*["'](?:uncaughtException|unhandledRejection)["']/;

/**
 * Emscripten's Node glue (tfjs-backend-wasm/wasm-out/*.js, two builds of it bundled) registers
 * `process.on('uncaughtException')` and `process.on('unhandledRejection')` handlers that
 * rethrow: any stray error in the process (a cell's timer that throws, a promise nobody
 * awaits) then ends it with exit code 7, and a kernel loses every variable. The kernel and the
 * CLI decide themselves what a stray error does, so the registrations are cut out, keyed on
 * their exact text: a glue file that still registers one after the patch fails the
 * build (test/unit/kernel/bundle-handlers.test.ts checks the bundles too).
 */
function wasmGlueHandlers() {
  // (the glue also lists and later removes the listeners it added: harmless, left alone)
  const handlers =
    'process["on"]("uncaughtException",function(ex){if(!(ex instanceof ExitStatus)){throw ex}});' +
    'process["on"]("unhandledRejection",function(reason){throw reason});';
  return {
    name: 'wasm-glue-process-handlers',
    setup(build) {
      build.onLoad({ filter: /tfjs-backend-wasm[\\/]wasm-out[\\/][^\\/]+\.js$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        if (!REGISTERS_ERROR_HANDLER.test(text)) return undefined;
        text = text.split(handlers).join('');
        if (REGISTERS_ERROR_HANDLER.test(text)) {
          return {
            errors: [{ text: `${args.path} registers process error handlers in a new way: update wasmGlueHandlers in src/kernel/build/kernel-build.mjs` }],
          };
        }
        return { contents: text, loader: 'js' };
      });
    },
  };
}

/** Declaration-only packages the converter needs to check cells that use tfjs or node APIs. */
const TYPE_PACKAGES = [
  '@types/node',
  '@types/seedrandom',
  '@types/long',
  '@types/offscreencanvas',
  '@webgpu/types',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-converter',
  '@tensorflow/tfjs-data',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-webgl',
];

function copyDeclarations(from, to) {
  for (const entry of readdirSync(from)) {
    if (entry === 'node_modules') continue;
    const src = join(from, entry);
    const st = statSync(src);
    if (st.isDirectory()) copyDeclarations(src, join(to, entry));
    else if (entry.endsWith('.d.ts') || entry === 'package.json') {
      mkdirSync(to, { recursive: true });
      copyFileSync(src, join(to, entry));
    }
  }
}

/** Writes dist/types (see the file comment). Never fails the build: cells must still run. */
export function buildKernelTypes(root, dist) {
  const out = join(dist, 'types');
  rmSync(out, { recursive: true, force: true });
  const tsLib = join(root, 'node_modules/@tslab/typescript-for-tslab/lib');
  const libOut = join(out, 'typescript/lib');
  mkdirSync(libOut, { recursive: true });
  for (const f of readdirSync(tsLib)) if (/^lib\..*\.d\.ts$/.test(f)) copyFileSync(join(tsLib, f), join(libOut, f));
  for (const pkg of TYPE_PACKAGES) {
    const dir = join(root, 'node_modules', pkg);
    if (existsSync(dir)) copyDeclarations(dir, join(out, 'node_modules', pkg));
  }
  const cellTypes = join(out, 'node_modules/@types/vae-lab-cell');
  mkdirSync(cellTypes, { recursive: true });
  copyFileSync(join(root, 'src/kernel/build/cell-globals.d.ts.txt'), join(cellTypes, 'index.d.ts'));
  // `tslab` and tfjs-node(-gpu) as the kernel gives them to cells (src/kernel/tslab.ts, compat.ts).
  const tslabTypes = join(out, 'node_modules/tslab');
  mkdirSync(tslabTypes, { recursive: true });
  copyFileSync(join(root, 'src/kernel/build/tslab.d.ts.txt'), join(tslabTypes, 'index.d.ts'));
  writeFileSync(join(tslabTypes, 'package.json'), JSON.stringify({ name: 'tslab', types: 'index.d.ts' }) + '\n');
  for (const name of ['tfjs-node', 'tfjs-node-gpu']) {
    const dir = join(out, 'node_modules/@tensorflow', name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(root, 'src/kernel/build/tfjs-node.d.ts.txt'), join(dir, 'index.d.ts'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@tensorflow/${name}`, types: 'index.d.ts' }) + '\n');
  }
  const labOut = join(out, 'node_modules/vae-lab');
  let problem;
  if (!existsSync(join(root, OPTIONAL.lab))) problem = `${OPTIONAL.lab} does not exist yet`;
  else {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'src/kernel/build/tsconfig.lab-types.json'), '--outDir', labOut], {
      cwd: root,
      encoding: 'utf8',
    });
    if (!existsSync(join(labOut, 'lab/index.d.ts'))) problem = `tsc failed: ${(r.stdout + r.stderr).split('\n').slice(0, 3).join(' ')}`;
  }
  if (problem) {
    // A shorthand ambient module: every import from 'vae-lab' is `any`; cells still run.
    rmSync(labOut, { recursive: true, force: true });
    const fallback = join(out, 'node_modules/@types/vae-lab-untyped');
    mkdirSync(fallback, { recursive: true });
    writeFileSync(join(fallback, 'index.d.ts'), `// ${problem}\ndeclare module 'vae-lab';\n`);
    writeFileSync(join(out, 'vae-lab-types-missing.txt'), problem);
    console.warn(`build: vae-lab types unavailable in cells (${problem})`);
  } else {
    writeFileSync(join(labOut, 'package.json'), JSON.stringify({ name: 'vae-lab', types: 'lab/index.d.ts' }) + '\n');
  }
}
