import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags, UsageError, type FlagSpec } from '../../../src/cli/args';
import { main } from '../../../src/cli/lab';
import { UnknownNameError } from '../../../src/lab/core/errors';
import { encodeIdx } from '../../../src/lab/data/idx';
import { presets } from '../../../src/lab/experiments/cr-vae/presets';
import { blobs } from './helpers';

const specs: FlagSpec[] = [
  { name: 'model', type: 'string', choices: ['vae', 'iwae', 'beta-vae'], help: '' },
  { name: 'epochs', type: 'number', range: { min: 1, integer: true }, help: '' },
  { name: 'lr', type: 'number', range: { min: 0, above: true, max: 1 }, help: '' },
  { name: 'cr', type: 'boolean', help: '' },
];

test('flags: values, = form, booleans; typos suggest the nearest flag or choice', () => {
  assert.deepEqual(parseFlags(['--model', 'iwae', '--epochs=3', '--cr'], specs), { model: 'iwae', epochs: 3, cr: true });
  assert.throws(
    () => parseFlags(['--epoch', '3'], specs),
    (e: unknown) => e instanceof UnknownNameError && e.suggestion === '--epochs' && /Did you mean '--epochs'\?/.test(e.message),
  );
  assert.throws(() => parseFlags(['--model', 'iwea'], specs), /Unknown --model 'iwea'\. Did you mean 'iwae'\? Known: vae, iwae, beta-vae\./);
  assert.throws(() => parseFlags(['--epochs', 'ten'], specs), /--epochs must be an integer >= 1, got 'ten'/);
  assert.throws(() => parseFlags(['--epochs'], specs), /needs a value/);
  assert.throws(
    () => parseFlags(['--zzzzzzzz'], specs),
    (e: unknown) => e instanceof UnknownNameError && !/Did you mean/.test(e.message),
  );
});

test('flags: numbers outside their range are usage errors that name the flag and the range', () => {
  assert.deepEqual(parseFlags(['--epochs', '1', '--lr', '1'], specs), { epochs: 1, lr: 1 });
  for (const [argv, why] of [
    [['--epochs', '-3'], /^--epochs must be an integer >= 1, got '-3'$/],
    [['--epochs', '0'], /--epochs must be an integer >= 1/],
    [['--epochs', '2.5'], /--epochs must be an integer >= 1/],
    [['--epochs='], /--epochs must be an integer >= 1, got ''/],
    [['--lr', '0'], /^--lr must be a number > 0 and <= 1, got '0'$/],
    [['--lr', '3'], /--lr must be a number > 0 and <= 1/],
    [['--lr', 'Infinity'], /--lr must be a number > 0 and <= 1/],
  ] as const) {
    assert.throws(
      () => parseFlags([...argv], specs),
      (e: unknown) => e instanceof UsageError && why.test(e.message),
      argv.join(' '),
    );
  }
});

test('CLI: every numeric flag of every command is range-checked before anything runs', async () => {
  const { commands } = await import('../../../src/cli/lab');
  const errors: string[] = [];
  const origErr = console.error;
  console.error = (...a: unknown[]) => {
    errors.push(a.join(' '));
  };
  try {
    for (const [cmd, c] of Object.entries(commands)) {
      for (const spec of c.flags()) {
        if (spec.type !== 'number') continue;
        const below = spec.range.above ? spec.range.min : spec.range.min - 1;
        errors.length = 0;
        assert.equal(await main([cmd, `--${spec.name}`, String(below)]), 2, `${cmd} --${spec.name} ${below}`);
        assert.match(errors.join('\n'), new RegExp(`--${spec.name} must be an? (integer|number) >`), `${cmd} --${spec.name}`);
      }
    }
    errors.length = 0;
    assert.equal(await main(['train', '--epochs', '-3', '--out', join(tmpdir(), 'never-written')]), 2);
    assert.match(errors.join('\n'), /--epochs must be an integer >= 1, got '-3'/);
  } finally {
    console.error = origErr;
  }
});

test('CLI: bad usage exits 2 with a message; train + eval end to end on a tiny folder of IDX files', async () => {
  const errors: string[] = [];
  const origErr = console.error,
    origLog = console.log;
  console.error = (...a: unknown[]) => {
    errors.push(a.join(' '));
  };
  console.log = () => {};
  try {
    assert.equal(await main(['trian']), 2);
    assert.match(errors.join('\n'), /Did you mean 'train'\?/);
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
    assert.equal(typeof m.device, 'string', 'metrics.json names the device, so a wall time says what it ran on');
    assert.match(errors.join('\n'), /tfjs: cpu — .+/, 'the start line names the device too');
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

test('flags through node:util parseArgs: booleans with a value, short and positional arguments refused', () => {
  const specs: FlagSpec[] = [
    { name: 'cr', type: 'boolean', help: '' },
    { name: 'out', type: 'string', help: '' },
    { name: 'epochs', type: 'number', range: { min: 1, integer: true }, help: '' },
  ];
  assert.deepEqual(parseFlags(['--cr=false', '--out', 'a b'], specs), { cr: false, out: 'a b' });
  assert.deepEqual(parseFlags(['--cr=yes', '--out=--x'], specs), { cr: true, out: '--x' });
  assert.throws(() => parseFlags(['-c'], specs), /unexpected argument '-c' \(flags start with --\)/);
  assert.throws(() => parseFlags(['run', '--cr'], specs), /unexpected argument 'run'/);
  assert.throws(() => parseFlags(['--epochs', '--cr'], specs), /--epochs needs a value/);
  assert.throws(() => parseFlags(['--epochs', '0'], specs), /--epochs must be an integer >= 1, got '0'/);
});
