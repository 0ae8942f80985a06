import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeLabel, statusText, statusTooltip } from '../../../src/extension/runtimeLabel';

test('wasm with threads shows the thread count', () => {
  assert.equal(runtimeLabel({ backend: 'wasm', device: 'CPU, 2 threads', threads: 2 }), 'tfjs: wasm (2 threads)');
  assert.equal(runtimeLabel({ backend: 'cpu', device: 'CPU', threads: 1 }), 'tfjs: cpu (1 thread)');
});

test('a GPU device is named, whatever the thread count', () => {
  assert.equal(runtimeLabel({ backend: 'tensorflow', device: 'GPU (NVIDIA H100)', threads: 16 }), 'tfjs: tensorflow GPU (NVIDIA H100)');
});

test('before the kernel reports a runtime the label says so', () => {
  assert.equal(runtimeLabel(undefined), 'tfjs: …');
  assert.match(statusText(undefined, 'starting'), /loading~spin.*tfjs: … · starting/);
});

test('state is part of the text and the tooltip lists skipped backends', () => {
  const rt = { backend: 'wasm', device: 'CPU', threads: 2, skipped: [{ backend: 'tensorflow', reason: 'tfjs-node not installed' }] };
  assert.match(statusText(rt, 'busy'), /tfjs: wasm \(2 threads\) · busy$/);
  const tip = statusTooltip(rt, 'idle', '24.1.0');
  assert.match(tip, /Node 24\.1\.0/);
  assert.match(tip, /Skipped tensorflow: tfjs-node not installed/);
});

test('webgpu shows the adapter and API the kernel reported, software renderer included', () => {
  assert.equal(
    runtimeLabel({ backend: 'webgpu', device: 'GPU (WebGPU: amd rdna-3, AMD Radeon RX 7900 XTX, Vulkan)' }),
    'tfjs: webgpu GPU (WebGPU: amd rdna-3, AMD Radeon RX 7900 XTX, Vulkan)',
  );
  const soft = 'CPU (WebGPU software renderer: llvmpipe, GL; slower than wasm, for checks only)';
  assert.equal(runtimeLabel({ backend: 'webgpu', device: soft }), `tfjs: webgpu ${soft}`);
});

test('the wasm path says when it runs without a native GEMM for this platform', () => {
  const r = { backend: 'wasm', device: 'CPU (wasm SIMD, 2 threads)', threads: 2, note: 'no native GEMM for darwin-arm64' };
  assert.equal(runtimeLabel(r), 'tfjs: wasm (2 threads, no native GEMM for darwin-arm64)');
  assert.equal(runtimeLabel({ backend: 'wasm', device: 'CPU (wasm SIMD, 2 threads)', threads: 2 }), 'tfjs: wasm (2 threads)');
});
