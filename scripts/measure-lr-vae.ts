/**
 * Measurements behind the label-relevant VAE's scoring (run by hand, not in CI):
 *   npx tsx scripts/measure-lr-vae.ts classifier      train (or load) the cached MNIST scoring classifier; test accuracy, wall time
 *   npx tsx scripts/measure-lr-vae.ts cvae [epochs]   train a CVAE on all 60k MNIST images; class agreement by that classifier
 *   npx tsx scripts/measure-lr-vae.ts cvae-gan [epochs]  the same for cVAE-GAN (D and C: MLPs [256])
 * Both print one JSON line. Wrap in `flock /tmp/vae-lab-heavy.lock` on a shared machine.
 */
import { initRuntime, describeRuntime } from '../src/lab/runtime';
import { loadMnist } from '../src/lab/data/sources';
import { cachedScoringClassifier } from '../src/lab/metrics/scoringClassifier';
import { classAgreement } from '../src/lab/metrics/inception';
import { ConditionalVAE } from '../src/lab/models/cvae';
import { Trainer } from '../src/lab/train/trainer';

async function main(): Promise<void> {
  const [what = 'classifier', arg] = process.argv.slice(2);
  const info = await initRuntime('auto');
  const mnist = loadMnist();
  const t0 = Date.now();
  const clf = await cachedScoringClassifier(mnist.train, mnist.test, 10);
  const out: Record<string, unknown> = {
    runtime: describeRuntime(info), classifier: { testAccuracy: clf.testAccuracy, trainSeconds: clf.trainSeconds, loaded: clf.loaded, dir: clf.dir, seconds: (Date.now() - t0) / 1000 },
  };
  if (what === 'cvae' || what === 'cvae-gan') {
    const epochs = Number(arg ?? 1);
    const gan = what === 'cvae-gan' ? { gan: { hidden: [256] } } : {};
    const m = new ConditionalVAE({ kind: what, inputShape: [28, 28, 1], classes: 10, latentDim: 16, net: { kind: 'mlp', hidden: [256] }, learningRate: 1e-3, ...gan });
    const t1 = Date.now();
    await new Trainer({ epochs, batchSize: 64, seed: 0 }).fit(m, mnist.train);
    out[what] = { epochs, trainSeconds: (Date.now() - t1) / 1000, classAgreement: await classAgreement(m, clf.classifier, { perClass: 200, seed: 1 }) };
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
