// npm run package:targets [-- <target> ...]: one .vsix per platform (`vsce package --target`),
// each with only its own native parts, from one production build:
//   dist/webgpu/<dir>/dawn.node   the npm `webgpu` package's prebuilt Dawn for that platform
//   dist/prebuilds/<platform>-<arch>/vae_lab_gemm.node   the native GEMM, where one exists
// What webgpu 0.6.2 ships: linux-x64, linux-arm64, darwin-universal (x64 + arm64 in one file),
// win32-x64, win32-arm64. The native GEMM (native/gemm.cc) is built with node-gyp on Linux:
// linux-x64's (AVX-512/AVX2 kernels) natively, linux-arm64's (the portable kernel, NEON through
// GCC's vectorizer) with Debian's cross compiler g++-aarch64-linux-gnu (native/build.mjs
// --arch=arm64); where the cross build fails, linux-arm64 ships the wasm path only, with a
// warning. Every other target runs its products on the wasm path, and the status bar says so
// (src/lab/runtime/loaders.ts `note`).
// The .vsix files go to dist/vae-lab-<target>.vsix; test/unit/extension/targets.test.ts reads
// their listings. Usage: node scripts/package.mjs [--skip-build] [target ...] (default: all).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/**
 * vsce target -> the webgpu package's folder, and whether a native GEMM is built for it (and
 * which build: native/build.mjs's arguments and the addon it writes).
 */
const gemmX64 = { args: [], file: join(root, 'native/build/Release/vae_lab_gemm.node') };
const gemmArm64 = { args: ['--arch=arm64'], file: join(root, 'native/build-arm64/build/Release/vae_lab_gemm.node') };
export const TARGETS = {
  'linux-x64': { webgpu: 'linux-x64', native: gemmX64 },
  'linux-arm64': { webgpu: 'linux-arm64', native: gemmArm64 },
  'darwin-x64': { webgpu: 'darwin-universal', native: false },
  'darwin-arm64': { webgpu: 'darwin-universal', native: false },
  'win32-x64': { webgpu: 'win32-x64', native: false },
  'win32-arm64': { webgpu: 'win32-arm64', native: false },
};

const args = process.argv.slice(2);
const skipBuild = args.includes('--skip-build');
const wanted = args.filter((a) => !a.startsWith('--'));
const targets = wanted.length ? wanted : Object.keys(TARGETS);
for (const t of targets) if (!TARGETS[t]) throw new Error(`unknown target ${t}; known: ${Object.keys(TARGETS).join(', ')}`);

if (!skipBuild) execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--production', '--webgpu=none'], { cwd: root, stdio: 'inherit' });
/** A build is redone where it is missing or older than its sources (a stale addon never ships). */
const stale = (file) =>
  !existsSync(file) || ['gemm.cc', 'ops.cc', 'parallel.h', 'binding.gyp'].some((f) => statSync(join(root, 'native', f)).mtimeMs > statSync(file).mtimeMs);
for (const t of targets) {
  const { native } = TARGETS[t];
  if (!native || !stale(native.file)) continue;
  // Through npm, which hands native/build.mjs its bundled node-gyp.
  const r = spawnSync('npm', ['run', 'build:native', '--', ...native.args], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0 || stale(native.file)) console.warn(`package: the native GEMM did not build for ${t}; ${t} ships the wasm path only`);
}
const webgpuPkg = join(root, 'node_modules/webgpu');
const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
let failed = 0;
for (const t of targets) {
  const { webgpu, native } = TARGETS[t];
  rmSync(join(dist, 'webgpu'), { recursive: true, force: true });
  rmSync(join(dist, 'prebuilds'), { recursive: true, force: true });
  const from = join(webgpuPkg, 'dist', webgpu);
  if (existsSync(from)) {
    const out = join(dist, 'webgpu', webgpu);
    mkdirSync(out, { recursive: true });
    for (const f of readdirSync(from)) copyFileSync(join(from, f), join(out, f));
    copyFileSync(join(webgpuPkg, 'LICENSE.md'), join(dist, 'webgpu', 'LICENSE.md'));
  } else console.warn(`package: ${t}: no dawn.node in the webgpu package (${from}); webgpu will say it is not installed`);
  if (native && !stale(native.file)) {
    mkdirSync(join(dist, 'prebuilds', t), { recursive: true });
    copyFileSync(native.file, join(dist, 'prebuilds', t, 'vae_lab_gemm.node'));
  }
  const out = join(dist, `vae-lab-${t}.vsix`);
  const r = spawnSync(process.execPath, [vsce, 'package', '--target', t, '--no-dependencies', '-o', out], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
  else console.log(`package: ${t} -> ${out}`);
}
rmSync(join(dist, 'prebuilds'), { recursive: true, force: true });
process.exit(failed ? 1 : 0);
