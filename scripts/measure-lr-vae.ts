/**
 * Measurements behind the label-relevant VAE's scoring and presets (run by hand, not in CI):
 *   npx tsx scripts/measure-lr-vae.ts classifier      train (or load) the cached MNIST scoring classifier; test accuracy, wall time
 *   npx tsx scripts/measure-lr-vae.ts cvae [epochs]   train a CVAE on all 60k MNIST images; class agreement by that classifier
 *   npx tsx scripts/measure-lr-vae.ts cvae-gan [epochs]  the same for cVAE-GAN (D and C: MLPs [256])
 *   npx tsx scripts/measure-lr-vae.ts steps <kind> [steps] [preset] [moons]  ms per training step of one of
 *       the four models at a preset's MNIST (or moons) sizes (default laptop), after 5 warm-up steps; plus
 *       the cost of one scoring pass at the preset's sample and pair counts
 * Each prints one JSON line. Wrap in `flock /tmp/vae-lab-heavy.lock` on a shared machine.
 */
import { initRuntime, describeRuntime } from '../src/lab/runtime';
import { loadMnist } from '../src/lab/data/sources';
import { cachedScoringClassifier } from '../src/lab/metrics/scoringClassifier';
import { classAgreement, generatorScores } from '../src/lab/metrics/inception';
import { ConditionalVAE } from '../src/lab/models/cvae';
import { Trainer } from '../src/lab/train/trainer';
import { labelRelevant } from '../src/lab/experiments';

async function main(): Promise<void> {
  const [what = 'classifier', arg, arg2] = process.argv.slice(2);
  const info = await initRuntime('auto');
  const mnist = loadMnist();
  const t0 = Date.now();
  const clf = await cachedScoringClassifier(mnist.train, mnist.test, 10);
  const out: Record<string, unknown> = {
    runtime: describeRuntime(info),
    classifier: { testAccuracy: clf.testAccuracy, trainSeconds: clf.trainSeconds, loaded: clf.loaded, dir: clf.dir, seconds: (Date.now() - t0) / 1000 },
  };
  if (what === 'cvae' || what === 'cvae-gan') {
    const epochs = Number(arg ?? 1);
    const gan = what === 'cvae-gan' ? { gan: { hidden: [256] } } : {};
    const m = new ConditionalVAE({
      kind: what,
      inputShape: [28, 28, 1],
      classes: 10,
      latentDim: 16,
      net: { kind: 'mlp', hidden: [256] },
      learningRate: 1e-3,
      ...gan,
    });
    const t1 = Date.now();
    await new Trainer({ epochs, batchSize: 64, seed: 0 }).fit(m, mnist.train);
    out[what] = { epochs, trainSeconds: (Date.now() - t1) / 1000, classAgreement: await classAgreement(m, clf.classifier, { perClass: 200, seed: 1 }) };
  }
  if (what === 'steps') {
    const kind = (arg ?? 'lr-vae-gan') as labelRelevant.ConditionalKind;
    const steps = Number(arg2 ?? 40);
    const presetName = (process.argv[5] ?? 'laptop') as keyof typeof labelRelevant.presets;
    const onMoons = process.argv[6] === 'moons';
    const preset = labelRelevant.presets[presetName][onMoons ? 'moons' : 'images'];
    const data = onMoons ? labelRelevant.loadData('moons', preset) : labelRelevant.loadData('mnist', preset);
    const m = labelRelevant.build(labelRelevant.modelConfig(kind, data, preset));
    await new Trainer({ steps: 5, batchSize: preset.batchSize, seed: 0 }).fit(m, data.train);
    const t1 = Date.now();
    await new Trainer({ steps, batchSize: preset.batchSize, seed: 1, sanityCheck: false }).fit(m, data.train);
    const msPerStep = (Date.now() - t1) / steps;
    const t2 = Date.now();
    if (onMoons) labelRelevant.score(m, data, (await labelRelevant.scoringClassifier(data)).classifier, preset);
    else generatorScores(m, clf.classifier, { perClass: preset.perClass, seed: 3, diversity: { pairs: preset.pairs } });
    const scoreSeconds = (Date.now() - t2) / 1000;
    const stepsPerEpoch = Math.floor(data.train.n / preset.batchSize);
    out.steps = {
      kind,
      preset: presetName,
      msPerStep,
      stepsPerEpoch,
      secondsPerEpoch: (msPerStep * stepsPerEpoch) / 1000,
      scoreSeconds,
      perClass: preset.perClass,
      pairs: preset.pairs,
    };
    m.dispose();
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
