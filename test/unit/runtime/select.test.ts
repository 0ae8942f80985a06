// Backend selection order and errors, with loaders that succeed or fail (no GPU needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend, BackendLoaders, CandidateName } from '../../../src/lab/runtime/select';
import { BackendUnavailableError } from '../../../src/lab/runtime/errors';

/** Loaders where the named ones work; records the order they were tried in. */
function fakes(working: CandidateName[]): { loaders: BackendLoaders; tried: CandidateName[] } {
  const tried: CandidateName[] = [];
  const make = (name: CandidateName) => async () => {
    tried.push(name);
    if (!working.includes(name)) throw new Error(`${name} not installed`);
    const backend = name === 'tensorflow-gpu' ? 'tensorflow' : name === 'webgpu-software' ? 'webgpu' : name;
    return { backend, device: `dev:${name}` };
  };
  const loaders = {
    'tensorflow-gpu': make('tensorflow-gpu'),
    webgpu: make('webgpu'),
    'webgpu-software': make('webgpu-software'),
    tensorflow: make('tensorflow'),
    wasm: make('wasm'),
    cpu: make('cpu'),
  };
  return { loaders, tried };
}

test('auto takes the GPU when it loads and sees a device', async () => {
  const { loaders, tried } = fakes(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  const info = await selectBackend('auto', loaders);
  assert.deepEqual(info, { backend: 'tensorflow', device: 'dev:tensorflow-gpu' });
  assert.deepEqual(tried, ['tensorflow-gpu']);
});

test('auto falls through gpu -> webgpu -> tensorflow -> wasm -> cpu, recording why', async () => {
  let { loaders, tried } = fakes(['tensorflow', 'wasm', 'cpu']);
  assert.equal((await selectBackend('auto', loaders)).device, 'dev:tensorflow');
  ({ loaders, tried } = fakes(['wasm', 'cpu']));
  const info = await selectBackend('auto', loaders);
  assert.equal(info.backend, 'wasm');
  assert.deepEqual(tried, ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm']);
  assert.deepEqual(info.skipped, [
    { backend: 'tensorflow-gpu', reason: 'tensorflow-gpu not installed' },
    { backend: 'webgpu', reason: 'webgpu not installed' },
    { backend: 'tensorflow', reason: 'tensorflow not installed' },
  ]);
  ({ loaders } = fakes(['cpu']));
  const cpu = await selectBackend('auto', loaders);
  assert.equal(cpu.backend, 'cpu');
  assert.equal(cpu.skipped?.length, 4);
});

test('auto prefers a CUDA tfjs-node-gpu to a WebGPU adapter, and a WebGPU adapter to native CPU TensorFlow', async () => {
  const all = fakes(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
  assert.equal((await selectBackend('auto', all.loaders)).device, 'dev:tensorflow-gpu');
  const noCuda = fakes(['webgpu', 'webgpu-software', 'tensorflow', 'wasm', 'cpu']);
  const info = await selectBackend('auto', noCuda.loaders);
  assert.deepEqual(info, { backend: 'webgpu', device: 'dev:webgpu', skipped: [{ backend: 'tensorflow-gpu', reason: 'tensorflow-gpu not installed' }] });
  assert.deepEqual(noCuda.tried, ['tensorflow-gpu', 'webgpu']);
});

test('auto never takes a software WebGPU adapter; forcing webgpu does, and records why no hardware one', async () => {
  const soft = fakes(['webgpu-software', 'wasm', 'cpu']);
  assert.equal((await selectBackend('auto', soft.loaders)).backend, 'wasm');
  assert.ok(!soft.tried.includes('webgpu-software'));
  const forced = fakes(['webgpu-software', 'wasm', 'cpu']);
  const info = await selectBackend('webgpu', forced.loaders);
  assert.equal(info.backend, 'webgpu');
  assert.equal(info.device, 'dev:webgpu-software');
  assert.deepEqual(info.skipped, [{ backend: 'webgpu', reason: 'webgpu not installed' }]);
  assert.deepEqual(forced.tried, ['webgpu', 'webgpu-software']);
  const hw = fakes(['webgpu', 'webgpu-software']);
  assert.equal((await selectBackend('webgpu', hw.loaders)).device, 'dev:webgpu');
  assert.deepEqual(hw.tried, ['webgpu']);
});

test('forcing webgpu with no adapter at all throws, and says what to install; it never falls back to wasm', async () => {
  const { loaders, tried } = fakes(['wasm', 'cpu']);
  await assert.rejects(selectBackend('webgpu', loaders), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError);
    assert.equal(e.choice, 'webgpu');
    assert.match(e.message, /npm install webgpu@0\.6\.2/);
    assert.match(e.message, /libegl-mesa0/);
    return true;
  });
  assert.deepEqual(tried, ['webgpu', 'webgpu-software']);
});

test('a forced backend never falls back: it throws a typed error that says what to do', async () => {
  const { loaders, tried } = fakes(['wasm', 'cpu']);
  await assert.rejects(selectBackend('tensorflow', loaders), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError);
    assert.equal(e.choice, 'tensorflow');
    assert.match(e.message, /npm install @tensorflow\/tfjs-node@4\.22\.0/);
    assert.match(e.message, /Install GPU Runtime/);
    return true;
  });
  assert.deepEqual(tried, ['tensorflow-gpu', 'tensorflow']);
  await assert.rejects(selectBackend('wasm', fakes(['cpu']).loaders), BackendUnavailableError);
});

test('forcing tensorflow accepts the CPU package when there is no GPU', async () => {
  const info = await selectBackend('tensorflow', fakes(['tensorflow']).loaders);
  assert.equal(info.device, 'dev:tensorflow');
});

test('forced wasm and cpu try only themselves', async () => {
  const w = fakes(['tensorflow-gpu', 'wasm', 'cpu']);
  assert.equal((await selectBackend('wasm', w.loaders)).backend, 'wasm');
  assert.deepEqual(w.tried, ['wasm']);
  const c = fakes(['tensorflow-gpu', 'wasm', 'cpu']);
  assert.equal((await selectBackend('cpu', c.loaders)).backend, 'cpu');
  assert.deepEqual(c.tried, ['cpu']);
});

test('an unknown choice is a clear error', async () => {
  await assert.rejects(
    selectBackend('gpu' as never, fakes(['cpu']).loaders),
    /Unknown backend 'gpu'\. Did you mean 'cpu'\? Known: auto, tensorflow, webgpu, wasm, cpu\./,
  );
});
