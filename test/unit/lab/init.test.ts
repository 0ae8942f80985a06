/**
 * Seeded initial weights (src/lab/nets/init.ts): a net or model built twice from one seed has
 * the same weights, another seed gives other weights, and a short training from one seed gives
 * the same losses twice (cpu backend), so paired-by-seed comparisons see no init noise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../../src/lab/tf';
import { buildDecoder, buildEncoder, netVariables, type NetConfig, type NetShape } from '../../../src/lab/nets';
import { initRng } from '../../../src/lab/nets/init';
import { buildModel } from '../../../src/lab/models';
import { ConditionalVAE, type CvaeConfig } from '../../../src/lab/models/cvae';
import type { FactorVaeConfig } from '../../../src/lab/models/factorVae';
import { buildConvClassifier } from '../../../src/lab/metrics/inception';
import type { Trainable } from '../../../src/lab/core/types';
import { Trainer } from '../../../src/lab/train/trainer';
import { blobs, tinyVae, useCpu } from './helpers';

type Weights = Float32Array[];

const weightsOf = (vs: tf.Variable[]): Weights => vs.map((v) => v.dataSync() as Float32Array).map((a) => a.slice());

/** Largest |a - b| over two weight lists of one architecture. */
function maxAbsDiff(a: Weights, b: Weights): number {
  assert.equal(a.length, b.length, 'the two builds have different numbers of weights');
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

/** Build with `make`, read the weights, free the nets. */
function weights(make: () => { vars: tf.Variable[]; dispose(): void }): Weights {
  const built = make();
  const w = weightsOf(built.vars);
  built.dispose();
  return w;
}

const netPair = (cfg: NetConfig, s: NetShape, seed: number) => () => {
  const rng = initRng(seed);
  const enc = buildEncoder(cfg, s, rng),
    dec = buildDecoder(cfg, s, rng);
  return {
    vars: [...netVariables(enc), ...netVariables(dec)],
    dispose: () => (enc.dispose(), dec.dispose()),
  };
};

const model = (build: () => Trainable & { dispose(): void }) => () => {
  const m = build();
  return { vars: m.variables(), dispose: () => m.dispose() };
};

/** Same seed: identical; other seed: every kernel differs (biases start at constants, so only the kernels are compared there). */
function assertSeeded(what: string, make: (seed: number) => () => { vars: tf.Variable[]; dispose(): void }): void {
  const a = weights(make(3)),
    b = weights(make(3)),
    c = weights(make(4));
  assert.equal(maxAbsDiff(a, b), 0, `${what}: two builds from seed 3 differ`);
  assert.ok(maxAbsDiff(a, c) > 0, `${what}: seeds 3 and 4 give the same weights`);
  // Each layer draws its own seed: no two kernels of one shape start equal.
  const seen = new Map<string, Float32Array[]>();
  for (const w of a.filter((x) => new Set(x).size > 2)) {
    const same = seen.get(String(w.length)) ?? [];
    for (const o of same) assert.ok(maxAbsDiff([w], [o]) > 0, `${what}: two layers share one initial kernel`);
    seen.set(String(w.length), [...same, w]);
  }
}

const nets: [string, NetConfig, NetShape][] = [
  ['mlp', { kind: 'mlp', hidden: [16, 16] }, { inputShape: [4, 4, 1], latentDim: 16 }],
  ['conv-small', { kind: 'conv-small', filters: [4, 8] }, { inputShape: [8, 8, 1], latentDim: 2 }],
  ['dsprites', { kind: 'dsprites', filters: [2, 2, 4, 4], hidden: 8 }, { inputShape: [32, 32, 1], latentDim: 2 }],
];

for (const [name, cfg, s] of nets) {
  test(`initial weights: the ${name} encoder/decoder pair is a function of its seed`, async () => {
    await useCpu();
    assertSeeded(name, (seed) => netPair(cfg, s, seed));
  });
}

const cvae = (seed: number): CvaeConfig => ({
  kind: 'cvae-gan',
  inputShape: [8, 8, 1],
  classes: 4,
  latentDim: 2,
  net: { kind: 'mlp', hidden: [16] },
  gan: { hidden: [8] },
  seed,
});

const factor = (seed: number): FactorVaeConfig => ({
  kind: 'factor-vae',
  inputShape: [8, 8, 1],
  latentDim: 2,
  net: { kind: 'conv-small', filters: [4, 4] },
  gamma: 10,
  discriminator: { width: 8, depth: 2 },
  seed,
});

test('initial weights: VAE, CR-VAE, FactorVAE, cVAE-GAN and the score classifier follow their seed', async () => {
  await useCpu();
  assertSeeded('vae', (seed) => model(() => buildModel(tinyVae('vae', { seed }))));
  assertSeeded('factor-vae', (seed) => model(() => buildModel(factor(seed))));
  assertSeeded('cvae-gan (encoder, decoder, discriminator, classifier)', (seed) => model(() => new ConditionalVAE(cvae(seed))));
  assertSeeded('conv score classifier', (seed) => () => {
    const net = buildConvClassifier([8, 8, 1], 4, { kind: 'conv', filters: [4, 4], dense: 8 }, seed);
    return { vars: netVariables(net), dispose: () => net.dispose() };
  });
  // A seed on the CR wrapper seeds its base: CR-VAE and VAE of one seed start from the same weights.
  const vae = weights(model(() => buildModel(tinyVae('vae', { seed: 5 }))));
  const cr = weights(model(() => buildModel({ kind: 'cr', base: tinyVae('vae'), options: {}, seed: 5 })));
  assert.equal(maxAbsDiff(vae, cr), 0, 'CR-VAE and VAE of seed 5 start from different weights');
});

/** Per-step loss terms of a short training (4 steps of 8 blobs) of a freshly built model. */
async function losses(build: () => Trainable & { dispose(): void }): Promise<number[]> {
  const m = build();
  try {
    const r = await new Trainer({ steps: 4, batchSize: 8, seed: 7 }).fit(m, blobs(32, 2));
    return r.history.flatMap((h) =>
      Object.keys(h.terms)
        .sort()
        .map((k) => h.terms[k]),
    );
  } finally {
    m.dispose();
  }
}

test('training: a short run from one seed gives the same losses twice (mlp VAE, conv VAE, cVAE)', async () => {
  await useCpu();
  const builds: [string, (seed: number) => Trainable & { dispose(): void }][] = [
    ['mlp vae', (seed) => buildModel(tinyVae('vae', { seed }))],
    ['conv vae', (seed) => buildModel(tinyVae('vae', { seed, net: { kind: 'conv-small', filters: [4, 4] } }))],
    ['cvae', (seed) => new ConditionalVAE({ ...cvae(seed), kind: 'cvae', gan: undefined })],
  ];
  for (const [name, build] of builds) {
    const a = await losses(() => build(1)),
      b = await losses(() => build(1)),
      c = await losses(() => build(2));
    assert.ok(a.length >= 4 && a.every(Number.isFinite), `${name}: no finite losses`);
    assert.deepEqual(a, b, `${name}: two runs from seed 1 gave different losses`);
    assert.notDeepEqual(a, c, `${name}: seeds 1 and 2 gave the same losses`);
  }
});
