import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/lab';
import { useCpu } from '../lab/helpers';

before(useCpu);

test('CLI: lr-vae --gan on the moons writes metrics.json (IS from the lab classifier, coverage) and a checkpoint', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lrvae-cli-'));
  const log = console.log;
  const lines: string[] = [];
  console.log = (s: string) => lines.push(s);
  try {
    const code = await main([
      'train',
      '--model',
      'lr-vae',
      '--gan',
      '--dataset',
      'moons',
      '--epochs',
      '1',
      '--train-examples',
      '384',
      '--backend',
      'cpu',
      '--out',
      out,
    ]);
    assert.equal(code, 0);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    assert.equal(m.model, 'lr-vae-gan');
    assert.ok(m.scores.inceptionScore >= 1 && m.scores.inceptionScore <= 3);
    assert.ok(m.scores.moons.coverage >= 0 && m.scores.moons.coverage <= 1);
    assert.match(m.classifier.note, /Inception/);
    assert.equal(m.config.model.gan.hidden.length, 3);
    assert.ok(existsSync(join(out, 'model', 'config.json')) && existsSync(join(out, 'model', 'discriminator', 'model.json')));
    assert.match(lines.join('\n'), /IS .*coverage/);
  } finally {
    console.log = log;
    rmSync(out, { recursive: true, force: true });
  }
});

test('CLI: misuse is a usage error (exit 2) that says what to do', async () => {
  const err = console.error;
  const msgs: string[] = [];
  console.error = (s: string) => msgs.push(s);
  try {
    assert.equal(await main(['train', '--model', 'cvae', '--gan', '--dataset', 'moons', '--out', '/tmp/never']), 2);
    assert.match(msgs.join('\n'), /--model cvae-gan/);
    assert.equal(await main(['train', '--model', 'lr-vae', '--dataset', 'cifar', '--out', '/tmp/never']), 2);
    assert.match(msgs.join('\n'), /Known: moons, mnist, fashion-mnist/);
  } finally {
    console.error = err;
  }
});
