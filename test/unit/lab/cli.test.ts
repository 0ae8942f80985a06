import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editDistance, nearest, parseFlags, UsageError, type FlagSpec } from '../../../src/cli/args';
import { main } from '../../../src/cli/lab';
import { encodeIdx } from '../../../src/lab/data/idx';
import { presets } from '../../../src/lab/experiments/cr-vae/presets';
import { blobs } from './helpers';

const specs: FlagSpec[] = [
  { name: 'model', type: 'string', choices: ['vae', 'iwae', 'beta-vae'], help: '' },
  { name: 'epochs', type: 'number', help: '' },
  { name: 'cr', type: 'boolean', help: '' },
];

test('flags: values, = form, booleans; typos suggest the nearest flag or choice', () => {
  assert.deepEqual(parseFlags(['--model', 'iwae', '--epochs=3', '--cr'], specs), { model: 'iwae', epochs: 3, cr: true });
  assert.throws(() => parseFlags(['--epoch', '3'], specs), (e: unknown) => e instanceof UsageError && /did you mean --epochs\?/.test(e.message));
  assert.throws(() => parseFlags(['--model', 'iwea'], specs), /did you mean 'iwae'/);
  assert.throws(() => parseFlags(['--epochs', 'ten'], specs), /must be a number/);
  assert.throws(() => parseFlags(['--epochs'], specs), /needs a value/);
  assert.throws(() => parseFlags(['--zzzzzzzz'], specs), (e: unknown) => e instanceof UsageError && !/did you mean/.test(e.message));
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(nearest('beta_vae', ['vae', 'beta-vae']), 'beta-vae');
});

test('CLI: bad usage exits 2 with a message; train + eval end to end on a tiny folder of IDX files', async () => {
  const errors: string[] = [];
  const origErr = console.error, origLog = console.log;
  console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
  console.log = () => {};
  try {
    assert.equal(await main(['trian']), 2);
    assert.match(errors.join('\n'), /did you mean 'train'/);
    assert.equal(await main(['train', '--out', '/tmp/x', '--eta', '0.2']), 2);
    assert.match(errors.join('\n'), /--eta needs --cr/);

    // A folder of the user's own IDX files (8x8 blobs), trained for one tiny epoch on cpu.
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const data = join(dir, 'data');
    const set = blobs(96);
    (await import('node:fs')).mkdirSync(data);
    writeFileSync(join(data, 'train-images-idx3-ubyte'), encodeIdx([96, 8, 8], set.images));
    writeFileSync(join(data, 't10k-images-idx3-ubyte'), encodeIdx([32, 8, 8], set.images.subarray(0, 32 * 64)));
    presets.tiny = { ...presets.quick, net: { kind: 'mlp', hidden: [8] }, latentDim: 2, batchSize: 16, epochs: 1, trainExamples: 96, evalExamples: 32, K: 4 };
    const out = join(dir, 'run');
    const code = await main(['train', '--model', 'vae', '--cr', '--dataset', data, '--preset', 'tiny', '--backend', 'cpu', '--out', out]);
    assert.equal(code, 0, errors.join('\n'));
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    for (const part of ['test', 'tTest']) for (const k of ['nll', 'mi', 'au']) assert.equal(typeof m[part][k], 'number');
    assert.ok(m.test.nll > 0 && m.test.au <= 2);
    assert.equal(m.backend, 'cpu');
    assert.equal(m.config.model.kind, 'cr');
    assert.ok(existsSync(join(out, 'model', 'encoder', 'model.json')));
    const evalOut = join(dir, 'eval.json');
    assert.equal(await main(['eval', '--checkpoint', out, '--backend', 'cpu', '--out', evalOut]), 0, errors.join('\n'));
    const e = JSON.parse(readFileSync(evalOut, 'utf8'));
    assert.ok(Math.abs(e.test.nll - m.test.nll) < 1e-6, 'eval recomputes the same NLL (seeded)');
    assert.equal(e.tTest.au, m.tTest.au);
  } finally {
    console.error = origErr;
    console.log = origLog;
    delete presets.tiny;
  }
});
