/**
 * Quiet where nothing is wrong: auto probes WebGPU only where a GPU device exists, so a command
 * on a machine without one prints none of Dawn's Vulkan warnings. The device check is tested on
 * made-up /dev listings; the command itself on this machine when it has no GPU device (CI).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpuDevicePresent } from '../../../src/lab/runtime/webgpu';
import { ensureBuilt, root } from '../kernel/helpers';

const devs = (dri: string[], dev: string[]) => (dir: string) => (dir === '/dev/dri' ? dri : dir === '/dev' ? dev : []);

describe('WebGPU is probed only where it could be chosen', () => {
  it('finds a GPU device from /dev (render node, NVIDIA, WSL); other platforms leave it to the probe', () => {
    assert.equal(gpuDevicePresent('linux', devs([], ['null', 'tty', 'zero'])), false);
    assert.equal(gpuDevicePresent('linux', devs(['card0'], [])), false, 'a display-only card has no render node');
    assert.equal(gpuDevicePresent('linux', devs(['card0', 'renderD128'], [])), true);
    assert.equal(gpuDevicePresent('linux', devs([], ['nvidia0', 'nvidiactl'])), true);
    assert.equal(gpuDevicePresent('linux', devs([], ['dxg'])), true);
    assert.equal(gpuDevicePresent('darwin', devs([], [])), true);
    assert.equal(gpuDevicePresent('win32', devs([], [])), true);
  });

  it('prints no Vulkan warning from a train command on a machine without a GPU', { skip: gpuDevicePresent() && 'this machine has a GPU device' }, () => {
    ensureBuilt();
    const out = mkdtempSync(join(tmpdir(), 'vae-lab-quiet-'));
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'dist/cli.js'),
        'train',
        '--model',
        'vae',
        '--preset',
        'quick',
        '--epochs',
        '1',
        '--train-examples',
        '64',
        '--K',
        '2',
        '--examples',
        '8',
        '--out',
        out,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    const text = r.stdout + r.stderr;
    assert.equal(r.status, 0, text);
    assert.match(text, /tfjs: \w+/, 'the start line names the runtime');
    assert.doesNotMatch(text, /Vulkan|BackendVk\.cpp|PhysicalDeviceVk|artificially reduced|dawn/i);
  });
});
