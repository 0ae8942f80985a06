// npm run build:native: builds native/build/Release/vae_lab_gemm.node with node-gyp (npm ships
// it; g++ or clang and make are needed). Node's headers are taken from this Node's own install
// where it has them (Debian's nodejs, the official tarballs), so no download is needed; elsewhere
// node-gyp fetches them for this Node version.
//
// node native/build.mjs --arch=arm64 (scripts/package.mjs runs it for the linux-arm64 .vsix):
// cross-builds native/build-arm64/build/Release/vae_lab_gemm.node with Debian's
// g++-aarch64-linux-gnu (scripts/setup-test-env.sh installs it). N-API's headers are the same
// for every architecture, so this Node's own serve. The sources are copied into build-arm64/ so
// the cross build has its own build folder and leaves the x64 one alone. On aarch64 it is gemm.cc's
// portable kernel (NEON through GCC's vectorizer).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = dirname(dirname(process.execPath));
const arch = process.argv.find((a) => a.startsWith('--arch='))?.slice('--arch='.length);
if (arch && arch !== 'arm64') {
  console.error(`native build: --arch=${arch} is not supported; --arch=arm64 cross-builds for linux-arm64`);
  process.exit(2);
}

/** The cross toolchain's programs, or null (with why) where it is not installed. */
function crossEnv() {
  const triple = 'aarch64-linux-gnu';
  const cxx = `${triple}-g++`;
  if (spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(`native build: ${cxx} not found; install Debian's g++-aarch64-linux-gnu (scripts/setup-test-env.sh does)`);
    return null;
  }
  return { ...process.env, CC: `${triple}-gcc`, CXX: cxx, LINK: cxx, AR: `${triple}-ar`, CC_host: 'gcc', CXX_host: 'g++' };
}

let dir = here;
let env = process.env;
if (arch) {
  if (process.platform !== 'linux') {
    console.error('native build: the arm64 cross build runs on Linux only');
    process.exit(2);
  }
  const cross = crossEnv();
  if (!cross) process.exit(1);
  env = cross;
  dir = join(here, 'build-arm64');
  mkdirSync(dir, { recursive: true });
  for (const f of ['binding.gyp', 'gemm.cc', 'ops.cc', 'parallel.h']) copyFileSync(join(here, f), join(dir, f));
}
const args = ['rebuild', '--directory', dir];
if (arch) args.push(`--arch=${arch}`);
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const gyp = process.env.npm_config_node_gyp;
const r = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit', env })
  : spawnSync('node-gyp', args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.error(
    arch
      ? 'native arm64 cross build failed: the linux-arm64 .vsix ships the wasm path only. Needs g++-aarch64-linux-gnu, make and python3.'
      : 'native build failed: the lab runs without it (wasm products). Needs a C++17 compiler, make and python3.',
  );
}
process.exit(r.status ?? 1);
