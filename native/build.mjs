// npm run build:native: builds native/build/Release/vae_lab_gemm.node with node-gyp (npm ships
// it; g++ or clang and make are needed). Node's headers are taken from this Node's own install
// where it has them (Debian's nodejs, the official tarballs), so no download is needed; elsewhere
// node-gyp fetches them for this Node version.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = dirname(dirname(process.execPath));
const args = ['rebuild', '--directory', here];
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const gyp = process.env.npm_config_node_gyp;
const r = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit' })
  : spawnSync('node-gyp', args, { stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.error('native build failed: the lab runs without it (wasm products). Needs a C++17 compiler, make and python3.');
}
process.exit(r.status ?? 1);
