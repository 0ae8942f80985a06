/**
 * The results notebook "Train CR-VAE" writes into its run folder: nbformat 4, TypeScript,
 * metadata that makes VS Code offer the VAE Lab kernel. Its cells read the runs' job folders
 * (metrics.json, the checkpoint, events.jsonl; one one-job sweep per model, see options.ts
 * sweepSpecs), load the trained checkpoints and show them with the lab's show.* API. The command
 * opens it once on the VAE Lab kernel and runs it there.
 * Pure: no vscode, no lab.
 */
import { runLabels, type TrainCrVaeOptions } from './options';

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

/** The runs the notebook reads, baseline first (the table's order): sweep folder and label. */
export function notebookRuns(o: TrainCrVaeOptions): { name: string; label: string }[] {
  const names = runNames(o);
  const labels = runLabels(o);
  return [...(o.baseline ? [{ name: names.base, label: labels.base }] : []), { name: names.cr, label: labels.cr }];
}

export function buildResultsNotebook(o: TrainCrVaeOptions, title: string): Notebook {
  const names = runNames(o);
  const ds = typeof o.dataset === 'string' ? o.dataset : o.dataset.folder;
  const panels = o.baseline
    ? `[{ title: byName('${names.base}').label, model: base! }, { title: byName('${names.cr}').label, model: model }]`
    : `[{ title: byName('${names.cr}').label, model: model }]`;
  const cells: NbCell[] = [
    md(
      `# ${title}\n\nWritten by **VAE Lab: Train CR-VAE**. Each model ran as a one-job sweep (\`vae-lab sweep run\`) in the folder of its name ` +
        `(\`${names.cr}/\`${o.baseline ? `, \`${names.base}/\`` : ''}); its job folder \`jobs/<id>/\` holds the checkpoint \`model/\`, the progress events \`events.jsonl\`, ` +
        `the log and \`metrics.json\`: the scores computed right after training on the test set and on the t-Test set (each test image warped once: translation ±4 px, rotation ±30°, scale 0.75–1.25). ` +
        `NLL by importance sampling (K samples), MI over M examples (bounded by log M), AU: dims with Cov_x(E[z_d|x]) > 0.01.`,
    ),
    code(
      `import { existsSync, readFileSync, readdirSync } from 'node:fs';\n` +
        `/** The job folder of a one-job sweep. */\n` +
        `const jobDir = (sweep: string): string => {\n` +
        `  const ids = existsSync(\`\${sweep}/jobs\`) ? readdirSync(\`\${sweep}/jobs\`).sort() : [];\n` +
        `  if (!ids.length) throw new Error(\`\${sweep}/jobs holds no job folder: run "VAE Lab: Train CR-VAE" again\`);\n` +
        `  return \`\${sweep}/jobs/\${ids[0]}\`;\n};\n` +
        `const runs = (${JSON.stringify(notebookRuns(o))} as { name: string; label: string }[]).map((r) => {\n` +
        `  const dir = jobDir(r.name);\n` +
        `  const metrics = JSON.parse(readFileSync(\`\${dir}/metrics.json\`, 'utf8'));\n` +
        `  return { ...r, dir, test: metrics.test, tTest: metrics.tTest, run: metrics.config.run, epochs: metrics.config.epochs as number };\n});\n` +
        `const byName = (name: string) => runs.find((r) => r.name === name)!;\n` +
        `const run = runs[0].run;\n` +
        `display.markdown(\`Data set **\${run.dataset}**, preset **\${run.preset}**: \${runs[0].epochs} epochs on \${run.trainExamples} images; ` +
        `scored on \${run.evalExamples} test / t-Test images, K = \${run.K}, M = \${run.M}.\`);`,
    ),
    md(
      `## Scores beside the paper\n\nThe paper's columns are CR-VAE Table 1 (MNIST, its WAE conv nets, 100 epochs, all data), also shown for other data sets as a reference. ` +
        `The quick preset trains a small MLP on a subset for a few epochs, so compare the *direction* of the effect ` +
        `(CR lowers the t-Test NLL and keeps more active units), not the absolute numbers. One run per model cannot separate an effect from ` +
        `seed noise: the bundled notebook cr-vae.ipynb at the laptop preset trains several seeds and tests each claim with paired differences.`,
    ),
    code(
      `import { experiments, loadCheckpoint, show, tf, viz } from 'vae-lab';\n` +
        `display.markdown(experiments.crVae.resultsMarkdown(runs));\n` +
        `// The verdicts of the bundled notebook, from the same scores; one seed gives no standard error, so each reads inconclusive.\n` +
        `const scores = runs.map((r) => experiments.crVae.scoreOf(r.label, 0, r.test, r.tTest));\n` +
        `const claims = experiments.crVae.applicableClaims(runs.map((r) => r.label));\n` +
        `if (claims.length) display.markdown(experiments.crVae.verdictMarkdown(experiments.crVae.verdicts(scores, claims), { preset: run.preset }));\n` +
        `const { model } = await loadCheckpoint(\`\${byName('${names.cr}').dir}/model\`);\n` +
        (o.baseline ? `const base = (await loadCheckpoint(\`\${byName('${names.base}').dir}/model\`)).model;\n` : `const base = undefined;\n`) +
        `const data = await experiments.crVae.loadData({ dataset: run.dataset, dataDir: run.dataDir, preset: run.preset, evalExamples: 256, latentExamples: 256 });\n` +
        `// At most 256 pairs, and never more than the evaluation set holds (a small user data set may have fewer).\n` +
        `const idx = Int32Array.from({ length: Math.min(256, data.test.n) }, (_, i) => i);\n` +
        `const { x, y } = data.test.batch(idx);\nconst xt = data.tTest.batch(idx).x;\n` +
        `console.log(\`loaded ${names.cr}\${base ? ' and ${names.base}' : ''}; \${x.shape[0]} test images and their t-Test versions\`);`,
    ),
    md(
      "## Training curves\n\nPer-step terms (loss, reconstruction, KL, the bound on x~, the consistency KL) and per-epoch means, read from each job's events.jsonl (the events the live panel drew).",
    ),
    code(
      `for (const r of runs) {\n` +
        `  const file = \`\${r.dir}/events.jsonl\`;\n` +
        `  if (!existsSync(file)) continue;\n` +
        `  const series = new viz.BoundedSeries(400);\n` +
        `  let step = 0;\n` +
        `  for (const line of readFileSync(file, 'utf8').split('\\n')) {\n` +
        `    let e: any;\n` +
        `    try { e = JSON.parse(line); } catch { continue; } // an empty or torn line\n` +
        `    if (e.type === 'step') series.add('step', (step = e.step), e.terms ?? {});\n` +
        `    else if (e.type === 'epoch') series.add('epoch', step, e.terms ?? {});\n` +
        `  }\n` +
        `  display.mime(viz.chartBundle(viz.trainingCurvesSpec(series.points(), { title: \`\${r.label}: training curves\` })));\n}`,
    ),
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
