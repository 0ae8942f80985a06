/**
 * CR-VAE, score: the paper's NLL / MI / AU (metrics/evaluate.ts) on the test images and on
 * their t-Test copies, the NLL of as many training images (the overfitting precondition), and
 * the paper's own MNIST numbers to compare with.
 */
import type { EvalResult } from '../../metrics/evaluate';
import { evaluate } from '../../metrics/evaluate';
import type { DensityModel } from '../../models/types';
import type { CrData } from './data';
import { label, type CrModelSpec } from './build';

/** Scores of one model. */
export interface CrScores {
  test: EvalResult;
  tTest: EvalResult;
  /** The same scores on training images (`trainEval`): train NLL for the overfitting precondition. */
  train?: EvalResult;
}

/** NLL (K importance samples) on the evaluation subset, MI and AU over the M images of `latent`, on test and on t-Test. */
export async function score(
  model: DensityModel,
  d: Pick<CrData, 'test' | 'tTest' | 'latent' | 'K' | 'M'> & { trainEval?: CrData['trainEval'] },
): Promise<CrScores> {
  return {
    test: await evaluate(model, d.test, { K: d.K, latent: d.latent.test, M: d.M }),
    tTest: await evaluate(model, d.tTest, { K: d.K, latent: d.latent.tTest, M: d.M }),
    // the training images' NLL with the same K (MI and AU over those images only: cheap, unused)
    ...(d.trainEval ? { train: await evaluate(model, d.trainEval, { K: d.K }) } : {}),
  };
}

/** The CR-VAE paper's MNIST rows (Table 1; "VAE + Aug" from Table 4). NLL in nats. */
export const PAPER_MNIST: { label: string; nllTest: number; nllTTest: number; au: number }[] = [
  { label: 'VAE', nllTest: 83.7, nllTTest: 338.7, au: 36 },
  { label: 'CR-VAE', nllTest: 81.2, nllTTest: 129.5, au: 47 },
  { label: 'IWAE', nllTest: 81.7, nllTTest: 318.0, au: 39 },
  { label: 'CR-IWAE', nllTest: 79.7, nllTTest: 124.8, au: 50 },
  { label: 'beta-VAE (0.5)', nllTest: 92.6, nllTTest: 285.3, au: 50 },
  { label: 'beta-CR-VAE (0.5)', nllTest: 85.7, nllTTest: 123.4, au: 50 },
  { label: 'beta-VAE (10)', nllTest: 126.1, nllTTest: 361.3, au: 8 },
  { label: 'beta-CR-VAE (10)', nllTest: 126.2, nllTTest: 225.8, au: 10 },
  { label: 'VAE + Aug', nllTest: 82.8, nllTTest: 131.3, au: 42 },
];

/** The paper's row for a model (MNIST only; undefined when the paper has none, e.g. another beta). */
export function paperRow(spec: Pick<CrModelSpec, 'model' | 'beta' | 'variant'>, dataset = 'mnist') {
  if (dataset !== 'mnist') return undefined;
  return PAPER_MNIST.find((r) => r.label === label(spec));
}
