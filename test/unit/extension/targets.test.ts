/**
 * The per-platform .vsix files (scripts/package.mjs) carry their own native parts and nothing
 * of another platform's: dawn.node from the npm `webgpu` package for that platform (darwin:
 * the universal build), the native GEMM prebuilt only for linux-x64 and linux-arm64 (cross-built
 * with g++-aarch64-linux-gnu), each an ELF shared object for its own machine, and the same
 * bundles, wasm binaries and localized manifest strings in all. Listings through `unzip -l`. Each
 * target's file is checked where it was built (`npm run package:targets`; scripts/test.sh
 * builds the non-native ones from the main e2e's production build).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
/** The ELF header's e_machine of the native GEMM a target carries (62 x86-64, 183 AArch64), or none. */
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const TARGETS: Record<string, { webgpu: string; machine?: number }> = {
  'linux-x64': { webgpu: 'linux-x64', machine: EM_X86_64 },
  'linux-arm64': { webgpu: 'linux-arm64', machine: EM_AARCH64 },
  'darwin-x64': { webgpu: 'darwin-universal' },
  'darwin-arm64': { webgpu: 'darwin-universal' },
  'win32-x64': { webgpu: 'win32-x64' },
  'win32-arm64': { webgpu: 'win32-arm64' },
};

/**
 * A 64-bit little-endian ELF shared object's e_machine: bytes 0-3 "\x7fELF", byte 4 (EI_CLASS)
 * 2 = 64-bit, byte 5 (EI_DATA) 1 = little-endian, e_type (u16 at 16) 3 = ET_DYN, e_machine (u16 at 18).
 */
function elfMachine(bytes: Buffer, what: string): number {
  assert.ok(bytes.length >= 64, `${what}: ${bytes.length} bytes, too short for an ELF header`);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], `${what}: not an ELF file`);
  assert.equal(bytes[4], 2, `${what}: not a 64-bit ELF`);
  assert.equal(bytes[5], 1, `${what}: not little-endian`);
  assert.equal(bytes.readUInt16LE(16), 3, `${what}: not a shared object`);
  return bytes.readUInt16LE(18);
}

function listing(file: string): string[] {
  return execFileSync('unzip', ['-Z1', file], { encoding: 'utf8', maxBuffer: 1 << 24 })
    .split('\n')
    .filter(Boolean);
}

describe('per-platform .vsix contents', () => {
  for (const [target, want] of Object.entries(TARGETS)) {
    const file = join(root, 'dist', `vae-lab-${target}.vsix`);
    it(
      `${target}: its own dawn.node${want.machine ? `, and a native GEMM for ELF machine ${want.machine}` : ', no native GEMM (wasm path)'}`,
      { skip: !existsSync(file) && 'not packaged here' },
      () => {
        const names = listing(file);
        const has = (n: string) => names.includes(`extension/${n}`);
        for (const n of ['dist/extension.js', 'dist/kernel.js', 'dist/wasm/tfjs-backend-wasm-simd.wasm', 'package.json', 'package.nls.json', 'LICENSE.txt']) {
          assert.ok(has(n) || (n === 'LICENSE.txt' && has('LICENSE')), `${target}: missing ${n}`);
        }
        const dawn = names.filter((n) => /dist\/webgpu\/[^/]+\/dawn\.node$/.test(n));
        assert.deepEqual(dawn, [`extension/dist/webgpu/${want.webgpu}/dawn.node`]);
        const gemm = names.filter((n) => n.endsWith('vae_lab_gemm.node'));
        const prebuilt = `extension/dist/prebuilds/${target}/vae_lab_gemm.node`;
        assert.deepEqual(gemm, want.machine ? [prebuilt] : []);
        if (want.machine) {
          const bytes = execFileSync('unzip', ['-p', file, prebuilt], { maxBuffer: 1 << 26 });
          assert.equal(elfMachine(bytes, `${target} ${prebuilt}`), want.machine, `${target}: the native GEMM is built for another machine`);
        }
        const manifest = execFileSync('unzip', ['-p', file, 'extension.vsixmanifest'], { encoding: 'utf8' });
        assert.match(manifest, new RegExp(`TargetPlatform="${target}"`));
      },
    );
  }
});
