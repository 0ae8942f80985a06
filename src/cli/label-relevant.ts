/**
 * `vae-lab train --model lr-vae [--gan] | cvae | cvae-gan --dataset moons|mnist|fashion-mnist`:
 * the label-relevant VAE experiment (lab/experiments/label-relevant). metrics.json holds
 * `scores` (inceptionScore ± inceptionScoreStd over 10 splits, diversity = mean 1 - MS-SSIM over
 * same-class pairs, classAgreement; for the moons: coverage, arcCoverage, onMoon, ySpread),
 * `trajectory` (the same scores after every epoch, when the preset asks for them), the scoring
 * classifier's test accuracy with a note that it stands in for the paper's Inception nets
 * (images: the cached conv net trained on all training images), the config, backend, seconds.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic';
import { experiments, tf } from '../lab';
import { describeRuntime, initRuntime } from '../lab/runtime';
import { prepareDataset } from '../lab/data/sources';
import { UnknownNameError } from '../lab/core/errors';
import { UsageError, type Flags } from './args';
import { phase, runCallbacks } from './progress';

const { labelRelevant } = experiments;

/** The models this command trains. */
export const LR_MODELS = ['lr-vae', 'cvae', 'cvae-gan'];

export async function trainLabelRelevant(flags: Flags): Promise<number> {
  if (!flags.out) throw new UsageError('--out DIR is required (metrics.json and model/ are written there)');
  if (flags.cr || flags.aug) throw new UsageError('--cr and --aug are CR-VAE options; the label-relevant VAE does not take them');
  const model = flags.model as string;
  if (flags.gan && model !== 'lr-vae') throw new UsageError(`--gan adds the pixel discriminator to lr-vae; for the baseline use --model cvae-gan`);
  const kind = (model === 'lr-vae' && flags.gan ? 'lr-vae-gan' : model) as experiments.labelRelevant.ConditionalKind;
  const dataset = (flags.dataset as string | undefined) ?? 'mnist';
  const datasets = ['moons', 'mnist', 'fashion-mnist'];
  if (!datasets.includes(dataset)) throw new UnknownNameError(`--dataset for ${model}`, dataset, datasets);
  const presetName = (flags.preset as string | undefined) ?? 'quick';
  const base = labelRelevant.presets[presetName as keyof typeof labelRelevant.presets]?.[dataset === 'moons' ? 'moons' : 'images'];
  if (!base) throw new UnknownNameError('--preset', presetName, Object.keys(labelRelevant.presets));
  const num = (k: string) => flags[k] as number | undefined;
  const preset = {
    ...base,
    epochs: num('epochs') ?? base.epochs,
    trainExamples: num('train-examples') ?? base.trainExamples,
    zs: num('zs') ?? base.zs,
    zu: num('zu') ?? num('latent') ?? base.zu,
    learningRate: num('lr') ?? base.learningRate,
  };
  const t0 = Date.now();
  const runtime = await initRuntime((flags.backend as 'auto' | 'wasm' | 'cpu' | undefined) ?? 'auto');
  const seed = num('seed') ?? 0;
  if (!flags['data-dir']) await prepareDataset(dataset);
  const data = labelRelevant.loadData(dataset, preset, seed, flags['data-dir'] as string | undefined);
  const config = labelRelevant.modelConfig(kind, data, preset, seed);
  const m = labelRelevant.build(config);
  const out = flags.out as string;
  mkdirSync(out, { recursive: true });
  const run = { dataset, preset: presetName, seed, trainExamples: data.train.n };
  console.error(`vae-lab: ${kind} on ${dataset} (${data.train.n} examples), ${preset.epochs} epochs, ${describeRuntime(runtime)}`);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  let scorer: experiments.labelRelevant.ConditionalScorer | undefined;
  try {
    // The classifier first: the per-epoch scores need it (from the cache on images, so seconds).
    scorer = await labelRelevant.scoringClassifier(data, { seed, signal: ac.signal });
    const clf = scorer.classifier;
    const trajectory: experiments.labelRelevant.TrajectoryPoint[] = [];
    const evaluate =
      preset.trajectoryPerClass === undefined
        ? undefined
        : async (epoch: number) => {
            const p = await labelRelevant.trajectoryPoint(m, data, clf, preset, epoch + 1, seed);
            trajectory.push(p);
            return { inceptionScore: p.inceptionScore, ...(p.diversity !== undefined ? { diversity: p.diversity } : {}) };
          };
    const r = await labelRelevant.train(m, data, preset, {
      seed,
      signal: ac.signal,
      callbacks: runCallbacks(out),
      checkpointDir: join(out, 'model'),
      extra: { run },
      evaluate,
    });
    console.error('vae-lab: scoring samples with the real-data classifier...');
    phase(out, 'evaluate', 'scoring samples');
    const scores = await labelRelevant.score(m, data, clf, preset, seed);
    const classifierAccuracy = scorer.testAccuracy;
    const metrics = {
      model: kind,
      dataset,
      scores,
      trajectory,
      classifier: { testAccuracy: classifierAccuracy, loaded: scorer.loaded, note: scorer.note },
      config: { model: config, run, epochs: preset.epochs, batchSize: preset.batchSize, perClass: preset.perClass, pairs: preset.pairs },
      lastTerms: r.history[r.history.length - 1]?.terms,
      backend: runtime.backend,
      device: runtime.device,
      seconds: (Date.now() - t0) / 1000,
      trainSeconds: r.seconds,
    };
    const file = join(out, 'metrics.json');
    writeFileAtomic(file, JSON.stringify(metrics, null, 2));
    const s = scores;
    console.log(
      `${kind} on ${dataset}: IS ${s.inceptionScore.toFixed(2)} ± ${s.inceptionScoreStd.toFixed(2)} (lab classifier, test acc ${classifierAccuracy.toFixed(3)})` +
        (s.diversity !== undefined ? `  diversity ${s.diversity.toFixed(4)}` : '') +
        (s.moons ? `  coverage ${s.moons.coverage.toFixed(3)}  on-moon ${s.moons.onMoon.toFixed(3)}  y-spread ${s.moons.ySpread.toFixed(2)}` : '') +
        `  class agreement ${s.classAgreement.toFixed(3)}\nbackend ${runtime.backend}, ${metrics.seconds.toFixed(0)} s`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    scorer?.classifier.dispose();
    m.dispose();
  }
}
