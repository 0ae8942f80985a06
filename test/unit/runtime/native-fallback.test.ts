// A platform with no prebuilt native GEMM (every .vsix target but linux-x64 and linux-arm64, see
// scripts/package.mjs) runs its products on the wasm kernels, and the status bar says why
// (RuntimeInfo.note, shown by src/extension/runtimeLabel.ts). The end-to-end case runs in a
// child Node that reports itself as darwin-arm64 before the lab loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { nativeNote } from '../../../src/lab/runtime/native-gemm';
import { runtimeLabel } from '../../../src/extension/runtimeLabel';

test('each reason the addon is not used becomes a short status-bar note, except the user’s own VAE_LAB_NATIVE=0', () => {
  assert.equal(nativeNote(''), undefined);
  assert.equal(nativeNote('VAE_LAB_NATIVE=0'), undefined);
  assert.equal(nativeNote('no native GEMM for win32-x64'), 'no native GEMM for win32-x64');
  assert.equal(nativeNote('vae_lab_gemm.node not built (npm run build:native)'), 'vae_lab_gemm.node not built');
  assert.equal(nativeNote('/x/vae_lab_gemm.node failed to load: GLIBC_2.38 not found'), 'native GEMM failed to load');
  assert.equal(nativeNote('this CPU has neither AVX-512 nor AVX2 with FMA'), 'no native GEMM for this CPU (no AVX2)');
});

test('darwin-arm64 (no prebuilt): initRuntime lands on wasm and the status bar says there is no native GEMM', () => {
  const script = [
    "Object.defineProperty(process, 'platform', { value: 'darwin' });",
    "Object.defineProperty(process, 'arch', { value: 'arm64' });",
    `const { initRuntime } = require(${JSON.stringify(join(__dirname, '../../../src/lab/runtime'))});`,
    `const { runtimeLabel } = require(${JSON.stringify(join(__dirname, '../../../src/extension/runtimeLabel'))});`,
    "initRuntime('wasm', { threads: 1 }).then((info) => { console.log(JSON.stringify({ info, label: runtimeLabel(info) })); process.exit(0); });",
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', env: { ...process.env, VAE_LAB_NATIVE: '' } });
  const { info, label } = JSON.parse(out.trim().split('\n').pop()!) as { info: { backend: string; device: string; note?: string }; label: string };
  assert.equal(info.backend, 'wasm');
  assert.doesNotMatch(info.device, /native/);
  assert.equal(info.note, 'no native GEMM for darwin-arm64');
  assert.equal(label, 'tfjs: wasm (1 thread, no native GEMM for darwin-arm64)');
  assert.equal(label, runtimeLabel(info as Parameters<typeof runtimeLabel>[0]));
});
