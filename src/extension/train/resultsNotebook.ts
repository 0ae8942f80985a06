/**
 * The results notebook "Train CR-VAE" writes into its run folder: nbformat 4, TypeScript,
 * metadata that makes VS Code offer the VAE Lab kernel. Its cells read results.json (the
 * scores computed right after training), load the trained checkpoints and show them with the
 * lab's show.* API. The command executes it once (runNotebook) so it opens with real outputs.
 * Pure: no vscode, no lab.
 */
import type { TrainCrVaeOptions } from './options';

export interface NbCell {
  cell_type: 'markdown' | 'code';
  source: string[];
  metadata: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
}

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NbCell[];
}

/** Metadata shared with the bundled notebooks: VS Code offers the VAE Lab kernel for it. */
export const NOTEBOOK_METADATA = {
  kernelspec: { display_name: 'VAE Lab (TypeScript)', language: 'typescript', name: 'vae-lab' },
  language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
};

const lines = (s: string): string[] => s.match(/[^\n]*\n|[^\n]+$/g) ?? [];
const md = (s: string): NbCell => ({ cell_type: 'markdown', source: lines(s), metadata: {} });
const code = (s: string): NbCell => ({
  cell_type: 'code',
  source: lines(s),
  metadata: { vscode: { languageId: 'typescript' } },
  outputs: [],
  execution_count: null,
});

/** Run folder names of the CR model and the baseline, as the lab writes them (crRunName). */
export function runNames(o: Pick<TrainCrVaeOptions, 'model' | 'beta'>): { cr: string; base: string } {
  const base = o.model === 'beta-vae' ? `beta-vae-${o.beta}` : o.model;
  return { cr: `cr-${base}`, base };
}

/** Index of the cell that loads the checkpoints. */
export const LOAD_CELL = 3;

/**
 * After the opened results notebook ran in the live kernel (every cell: the checkpoints
 * loaded, the traversal registered for live decoding): 'ok' when each code cell succeeded
 * (save the notebook), 'failed' when one failed or never ran (put back the saved outputs of
 * the headless run instead). `success` is the cell's executionSummary.success.
 */
export function liveRunVerdict(cells: { code: boolean; success?: boolean }[]): 'ok' | 'failed' {
  return cells.every((c) => !c.code || c.success === true) ? 'ok' : 'failed';
}

export function buildResultsNotebook(o: TrainCrVaeOptions, title: string): Notebook {
  const names = runNames(o);
  const ds = typeof o.dataset === 'string' ? o.dataset : o.dataset.folder;
  const panels = o.baseline
    ? `[{ title: labelOf('${names.base}'), model: base! }, { title: labelOf('${names.cr}'), model: model }]`
    : `[{ title: labelOf('${names.cr}'), model: model }]`;
  const cells: NbCell[] = [
    md(
      `# ${title}\n\nWritten by **VAE Lab: Train CR-VAE**. The checkpoints are in the folders next to this notebook ` +
        `(\`${names.cr}/model\`${o.baseline ? `, \`${names.base}/model\`` : ''}); \`results.json\` holds the scores computed right after training ` +
        `on the test set and on the t-Test set (each test image warped once: translation ±4 px, rotation ±30°, scale 0.75–1.25). ` +
        `NLL by importance sampling (K samples), MI over M examples (bounded by log M), AU: dims with Cov_x(E[z_d|x]) > 0.01.`,
    ),
    code(
      `import { readFileSync } from 'node:fs';\nconst results = JSON.parse(readFileSync('results.json', 'utf8'));\n` +
        `const labelOf = (name: string): string => results.runs.find((r: any) => r.name === name)?.label ?? name;\n` +
        `display.markdown(\`Data set **\${results.dataset}**, preset **\${results.preset}**: \${results.epochs} epochs on \${results.trainExamples} images; ` +
        `scored on \${results.evalExamples} test / t-Test images, K = \${results.K}, M = \${results.M}.\`);`,
    ),
    md(
      `## Scores beside the paper\n\nThe paper's columns are CR-VAE Table 1 (MNIST, its WAE conv nets, 100 epochs, all data), also shown for other data sets as a reference. ` +
        `The quick preset trains a small MLP on a subset for a few epochs, so compare the *direction* of the effect ` +
        `(CR lowers the t-Test NLL and keeps more active units), not the absolute numbers. One run per model cannot separate an effect from ` +
        `seed noise: the bundled notebook cr-vae.ipynb at the laptop preset trains several seeds and tests each claim with paired differences.`,
    ),
    code(
      `import { experiments, loadCheckpoint, show, tf } from 'vae-lab';\n` +
        `display.markdown(experiments.crVae.resultsMarkdown(results.runs));\n` +
        `// The verdicts of the bundled notebook, from the same scores; one seed gives no standard error, so each reads inconclusive.\n` +
        `const scores = results.runs.map((r: any) => experiments.crVae.scoreOf(r.label, 0, r.test, r.tTest));\n` +
        `const claims = experiments.crVae.applicableClaims(results.runs.map((r: any) => r.label));\n` +
        `if (claims.length) display.markdown(experiments.crVae.verdictMarkdown(experiments.crVae.verdicts(scores, claims), { preset: results.preset }));\n` +
        `const { model } = await loadCheckpoint('${names.cr}/model');\n` +
        (o.baseline ? `const base = (await loadCheckpoint('${names.base}/model')).model;\n` : `const base = undefined;\n`) +
        `const data = await experiments.crVae.loadData({ dataset: results.options.dataset.folder ?? results.options.dataset, preset: results.preset, evalExamples: 256, latentExamples: 256 });\n` +
        `// At most 256 pairs, and never more than the evaluation set holds (a small user data set may have fewer).\n` +
        `const idx = Int32Array.from({ length: Math.min(256, data.test.n) }, (_, i) => i);\n` +
        `const { x, y } = data.test.batch(idx);\nconst xt = data.tTest.batch(idx).x;\n` +
        `console.log(\`loaded ${names.cr}/model\${base ? ' and ${names.base}/model' : ''}; \${x.shape[0]} test images and their t-Test versions\`);`,
    ),
    md(
      '## Training curves\n\nPer-step terms (loss, reconstruction, KL, the bound on x~, the consistency KL) and per-epoch means, as the live chart drew them during training.',
    ),
    code(`for (const r of results.runs) if (r.curves) display.mime(r.curves);`),
    md("## Reconstructions\n\nTop: test images; bottom: the CR model's reconstructions (posterior mean through the decoder). Then the same for t-Test images."),
    code(
      `const [x16, xt16] = [tf.slice(x, [0, 0, 0, 0], [16, -1, -1, -1]), tf.slice(xt, [0, 0, 0, 0], [16, -1, -1, -1])];\n` +
        `await show.reconstructions(model, x16);\nawait show.reconstructions(model, xt16);\ntf.dispose([x16, xt16]);`,
    ),
    md('## Latent traversal\n\nOne test image, each latent dimension (ordered by KL to the prior) swept while the others stay at the posterior mean.'),
    code(`const x1 = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]);\nawait show.traversal(model, x1);\nx1.dispose();`),
    md(
      '## Consistency arrows (Figure 1)\n\nEach arrow joins z(x) (a test image) to z(x~) (its t-Test version), PCA of z(x), coloured by class. ' +
        'CR should shorten the arrows: the encoder maps an image and its transformed copy to nearby codes.',
    ),
    code(`await show.arrows(${panels}, x, xt, y ?? new Int32Array(x.shape[0]));`),
  ];
  return { nbformat: 4, nbformat_minor: 5, metadata: { ...NOTEBOOK_METADATA, vaeLab: { trainCrVae: { options: o, dataset: ds } } }, cells };
}
