/**
 * The lab's errors: one base (LabError) named after the concrete class, an unknown-name error
 * that suggests the nearest name, and every error class the lab defines on that base.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { editDistance, InvalidArgumentError, LabError, nearest, UnknownNameError } from '../../../src/lab/core/errors';
import { CheckpointError, NonFiniteLossError } from '../../../src/lab/train/errors';
import { MsSsimShapeError } from '../../../src/lab/metrics/msssim';
import { UnknownDatasetError } from '../../../src/lab/experiments/label-relevant/data';
import { buildModel } from '../../../src/lab/models';
import { buildEncoder } from '../../../src/lab/nets';
import { logLikelihood } from '../../../src/lab/models/likelihood';
import * as tf from '../../../src/lab/tf';

const root = join(__dirname, '../../..');

test('editDistance and nearest: known answers', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('flaw', 'lawn'), 2);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('abc', ''), 3);
  assert.equal(editDistance('vae', 'vae'), 0);
  assert.equal(editDistance('vea', 'vae'), 2);
  assert.equal(nearest('beta_vae', ['vae', 'beta-vae']), 'beta-vae');
  assert.equal(nearest('iwea', ['vae', 'iwae', 'beta-vae']), 'iwae');
  assert.equal(nearest('fashion', ['mnist', 'fashion-mnist']), undefined, '6 edits is past a typo');
  assert.equal(nearest('x', ['vae', 'iwae']), undefined);
  assert.equal(nearest('ab', ['ax', 'ay']), 'ax', 'ties go to the first listed');
  assert.equal(nearest('a', []), undefined);
});

test('UnknownNameError suggests the nearest name and lists them all', () => {
  const e = new UnknownNameError('model', 'vea', ['vae', 'iwae', 'beta-vae']);
  assert.equal(e.message, "Unknown model 'vea'. Did you mean 'vae'? Known: vae, iwae, beta-vae.");
  assert.equal(e.suggestion, 'vae');
  assert.equal(e.name, 'UnknownNameError');
  assert.ok(e instanceof LabError && e instanceof Error);
  const far = new UnknownNameError('preset', 'enormous', ['quick', 'paper'], 'Add one to presets.');
  assert.equal(far.message, "Unknown preset 'enormous'. Known: quick, paper. Add one to presets.");
  assert.equal(far.suggestion, undefined);
  assert.equal(new UnknownNameError('backend', 'x', []).message, "Unknown backend 'x'. Known: none.");
  assert.equal(
    new UnknownNameError('command', 'trian', ['train', 'eval'], '\nusage: ...').message,
    "Unknown command 'trian'. Did you mean 'train'? Known: train, eval.\nusage: ...",
  );
});

test('the registries throw it: model kinds, net kinds, likelihoods and the label-relevant data sets', () => {
  assert.throws(
    () => buildModel({ kind: 'iwea' } as never),
    (e: unknown) => e instanceof UnknownNameError && e.suggestion === 'iwae' && /registerModel/.test(e.message),
  );
  assert.throws(
    () => buildEncoder({ kind: 'conv_small' } as never, { inputShape: [8, 8, 1], latentDim: 2 }),
    (e: unknown) => e instanceof UnknownNameError && e.suggestion === 'conv-small',
    'an unknown net kind is refused, not built as the WAE net',
  );
  const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
  assert.throws(
    () => logLikelihood({ kind: 'bernouli' } as never, x, x),
    (e: unknown) => e instanceof UnknownNameError && e.suggestion === 'bernoulli',
  );
  x.dispose();
  const d = new UnknownDatasetError('minst');
  assert.ok(d instanceof UnknownNameError);
  assert.equal(d.name, 'UnknownDatasetError');
  assert.match(d.message, /Did you mean 'mnist'\? Known: moons, mnist, fashion-mnist\./);
});

test("an error's name is its own class's, through every level of subclassing", () => {
  assert.equal(new CheckpointError('/x', 'gone').name, 'CheckpointError');
  assert.equal(new NonFiniteLossError(3, 'elbo', 'loss', NaN).name, 'NonFiniteLossError');
  const s = new MsSsimShapeError('shapes differ');
  assert.equal(s.name, 'MsSsimShapeError');
  assert.ok(s instanceof InvalidArgumentError && s instanceof LabError);
  class Custom extends InvalidArgumentError {}
  assert.equal(new Custom('m').name, 'Custom');
  assert.equal(String(new InvalidArgumentError('bad n')), 'InvalidArgumentError: bad n');
  const cause = new Error('disk full');
  assert.equal(new LabError('write failed', { cause }).cause, cause);
});

test('every error class in src/lab extends LabError (none extends Error directly)', () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(root, 'src/lab'));
  const direct = files
    .flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/class (\w+) extends (Error|RangeError|TypeError)\b/g)].map((m) => `${f.slice(root.length + 1)}: ${m[1]}`),
    )
    .filter((s) => !s.endsWith(': LabError'));
  assert.deepEqual(direct, []);
});

test('names survive a minified build (esbuild keepNames, as scripts/build.mjs sets)', async () => {
  const out = await esbuild.build({
    stdin: {
      contents: "export { CheckpointError } from './src/lab/train/errors'; export { UnknownNameError } from './src/lab/core/errors';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    minify: true,
    keepNames: true,
    write: false,
    logLevel: 'silent',
  });
  const mod = { exports: {} as Record<string, new (...a: never[]) => Error> };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, require);
  const { CheckpointError: C, UnknownNameError: U } = mod.exports as unknown as {
    CheckpointError: typeof CheckpointError;
    UnknownNameError: typeof UnknownNameError;
  };
  assert.equal(new C('/x', 'gone').name, 'CheckpointError');
  assert.equal(new U('model', 'vea', ['vae']).name, 'UnknownNameError');
  const build = readFileSync(join(root, 'scripts/build.mjs'), 'utf8');
  assert.match(build, /keepNames: true/);
});
