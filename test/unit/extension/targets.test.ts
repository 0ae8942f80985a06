/**
 * The per-platform .vsix files (scripts/package.mjs) carry their own native parts and nothing
 * of another platform's: dawn.node from the npm `webgpu` package for that platform (darwin:
 * the universal build), the native GEMM prebuilt only for linux-x64, and the same bundles,
 * wasm binaries and localized manifest strings in all. Listings through `unzip -l`. Each
 * target's file is checked where it was built (`npm run package:targets`; scripts/test.sh
 * builds the non-native ones from the main e2e's production build).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const TARGETS: Record<string, { webgpu: string; native: boolean }> = {
  'linux-x64': { webgpu: 'linux-x64', native: true },
  'linux-arm64': { webgpu: 'linux-arm64', native: false },
  'darwin-x64': { webgpu: 'darwin-universal', native: false },
  'darwin-arm64': { webgpu: 'darwin-universal', native: false },
  'win32-x64': { webgpu: 'win32-x64', native: false },
  'win32-arm64': { webgpu: 'win32-arm64', native: false },
};

function listing(file: string): string[] {
  return execFileSync('unzip', ['-Z1', file], { encoding: 'utf8', maxBuffer: 1 << 24 })
    .split('\n')
    .filter(Boolean);
}

describe('per-platform .vsix contents', () => {
  for (const [target, want] of Object.entries(TARGETS)) {
    const file = join(root, 'dist', `vae-lab-${target}.vsix`);
    it(
      `${target}: its own dawn.node${want.native ? ' and native GEMM' : ', no native GEMM (wasm path)'}`,
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
        assert.deepEqual(gemm, want.native ? [`extension/dist/prebuilds/${target}/vae_lab_gemm.node`] : []);
        const manifest = execFileSync('unzip', ['-p', file, 'extension.vsixmanifest'], { encoding: 'utf8' });
        assert.match(manifest, new RegExp(`TargetPlatform="${target}"`));
      },
    );
  }
});
