/**
 * "Train CR-VAE": the command's options, their validation, the run folder name and the small
 * program the command executes in its own kernel process. Pure (no vscode, no tfjs): the unit
 * tests run it directly, and the extension host never loads the lab.
 */
import { MIME_TRAIN_PROGRESS } from '../../common/mime';
import { presets as crPresets } from '../../lab/experiments/cr-vae/presets';

export type TrainDataset = 'mnist' | 'fashion-mnist' | { folder: string };
export type TrainBaseModel = 'vae' | 'iwae' | 'beta-vae';

/** What the quick picks choose (or a test passes to the command directly). */
export interface TrainCrVaeOptions {
  dataset: TrainDataset;
  model: TrainBaseModel;
  /** beta-VAE only. */
  beta?: number;
  /** Weight of the consistency KL; undefined = the paper's 0.1 (0.1 * beta for beta-VAE). */
  eta?: number;
  /** quick: a smoke test; laptop: all the data, long enough to test the claims on a CPU; paper: the paper's nets, a GPU. */
  preset: 'quick' | 'laptop' | 'paper';
  /** undefined = the preset's. */
  epochs?: number;
  /** Also train the base model without CR. */
  baseline: boolean;
  /** Training / evaluation sizes (tests use tiny runs; the palette leaves them to the preset). */
  trainExamples?: number;
  evalExamples?: number;
  K?: number;
}

export const DEFAULT_OPTIONS: TrainCrVaeOptions = { dataset: 'mnist', model: 'vae', preset: 'quick', baseline: true };

/** A preset pick's description, read from the lab's preset itself so the picks say what will run. */
export function presetDescription(name: TrainCrVaeOptions['preset'], note: string): string {
  const p = crPresets[name];
  const net = p.net.kind === 'mlp' ? `MLP [${p.net.hidden.join(', ')}]` : p.net.kind === 'wae' ? "the paper's WAE conv nets" : p.net.kind;
  const images = p.trainExamples ? `${p.trainExamples.toLocaleString('en-US')} images` : 'all training images';
  return `${net}, latent ${p.latentDim}, ${images}, ${p.epochs} epochs: ${note}`;
}

const isPosInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;

/**
 * Checks options that come from the palette, from globalState (an older version may have
 * stored something else) or from a caller; returns the problems, each saying what to change.
 */
export function validateOptions(o: unknown): { ok: true; options: TrainCrVaeOptions } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  if (typeof o !== 'object' || o === null) return { ok: false, errors: ['options must be an object'] };
  const v = o as Record<string, unknown>;
  const ds = v.dataset;
  if (
    !(
      ds === 'mnist' ||
      ds === 'fashion-mnist' ||
      (typeof ds === 'object' && ds !== null && typeof (ds as { folder?: unknown }).folder === 'string' && (ds as { folder: string }).folder.length > 0)
    )
  ) {
    errors.push(`dataset must be 'mnist', 'fashion-mnist' or { folder: '/path/to/idx-files' }`);
  }
  if (!['vae', 'iwae', 'beta-vae'].includes(v.model as string)) errors.push(`model must be 'vae', 'iwae' or 'beta-vae'`);
  if (v.model === 'beta-vae' && !(typeof v.beta === 'number' && Number.isFinite(v.beta) && v.beta > 0))
    errors.push('beta must be a number > 0 (the paper uses 0.5 and 10)');
  if (v.model !== 'beta-vae' && v.beta !== undefined) errors.push('beta applies to beta-VAE only');
  if (v.eta !== undefined && !(typeof v.eta === 'number' && Number.isFinite(v.eta) && v.eta >= 0))
    errors.push('eta must be a number >= 0 (the paper: 0.1; 0 = augmentation only)');
  if (!['quick', 'laptop', 'paper'].includes(v.preset as string)) errors.push(`preset must be 'quick', 'laptop' or 'paper'`);
  if (v.epochs !== undefined && !(isPosInt(v.epochs) && (v.epochs as number) <= 10_000)) errors.push('epochs must be a whole number from 1 to 10000');
  if (typeof v.baseline !== 'boolean') errors.push('baseline must be true or false');
  for (const k of ['trainExamples', 'evalExamples', 'K'] as const) if (v[k] !== undefined && !isPosInt(v[k])) errors.push(`${k} must be a whole number > 0`);
  return errors.length ? { ok: false, errors } : { ok: true, options: v as unknown as TrainCrVaeOptions };
}

/** Parses the epochs input box: '' = the preset's; returns an error text or the number. */
export function parseEpochs(text: string): { epochs?: number; error?: string } {
  const t = text.trim();
  if (!t) return {};
  const n = Number(t);
  return isPosInt(n) && n <= 10_000 ? { epochs: n } : { error: "Enter a whole number from 1 to 10000, or leave empty for the preset's." };
}

/** Parses a number input (beta, eta) that must be finite and > min (or >= when inclusive). */
export function parsePositive(text: string, what: string, allowZero = false): { value?: number; error?: string } {
  const n = Number(text.trim());
  if (!text.trim() || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) return { error: `${what} must be a number ${allowZero ? '>= 0' : '> 0'}.` };
  return { value: n };
}

/** Table label of the CR model ('CR-VAE', 'beta-CR-VAE (10)'), as the paper writes it. */
export function describe(o: TrainCrVaeOptions): string {
  const model = o.model === 'beta-vae' ? `beta-CR-VAE (${o.beta})` : o.model === 'iwae' ? 'CR-IWAE' : 'CR-VAE';
  const ds = typeof o.dataset === 'string' ? o.dataset : o.dataset.folder;
  return `${model} on ${ds}, ${o.preset} preset${o.epochs ? `, ${o.epochs} epochs` : ''}${o.eta !== undefined ? `, eta ${o.eta}` : ''}${o.baseline ? ', with baseline' : ''}`;
}

/**
 * Run folder `vae-lab-runs/<yyyy-mm-dd-hhmm>-<model>` that does not exist yet (a suffix -2,
 * -3, ... otherwise): a run never overwrites an earlier one.
 */
export function runFolderName(now: Date, o: Pick<TrainCrVaeOptions, 'model' | 'beta'>, exists: (name: string) => boolean): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}`;
  const model = o.model === 'beta-vae' ? `beta${o.beta}-crvae` : o.model === 'iwae' ? 'criwae' : 'crvae';
  const base = `vae-lab-runs/${stamp}-${model}`;
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (!exists(name)) return name;
  }
}

/** The options of the lab's `experiments.crVae.run` (src/lab/experiments/cr-vae/train.ts) for these choices. */
export function labOptions(o: TrainCrVaeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {
    dataset: typeof o.dataset === 'string' ? o.dataset : o.dataset.folder,
    model: o.model,
    preset: o.preset,
    baseline: o.baseline,
    outDir: '.',
  };
  for (const k of ['beta', 'eta', 'epochs', 'trainExamples', 'evalExamples', 'K'] as const) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/**
 * The program the command runs in its kernel (the kernel's cwd is the run folder): trains via
 * the lab, reports progress by updating one MIME_TRAIN_PROGRESS display in place, keeps each
 * model's training curves (the lab's live chart: drawn in the command's panel while it trains, then
 * saved into the results notebook; updated at most every 2 s), and writes
 * results.json atomically. Cancelling interrupts the cell; the trainer stops between steps.
 */
export function trainingProgram(o: TrainCrVaeOptions): string {
  return `import { experiments, liveChart, type LiveChart } from 'vae-lab';
import { writeFileSync, renameSync } from 'node:fs';
const options: experiments.crVae.RunOptions = ${JSON.stringify(labOptions(o))};
const text = (p: experiments.crVae.Progress) => p.phase === 'train' ? \`\${p.label}: epoch \${p.epoch}/\${p.epochs}, step \${p.step}/\${p.totalSteps}, loss \${p.loss?.toFixed(2)}\` : \`\${p.phase} \${p.label ?? ''}\`;
const progress = display.mime({ '${MIME_TRAIN_PROGRESS}': { phase: 'load' }, 'text/plain': 'loading data' });
let last = 0;
const charts: Record<string, LiveChart> = {};
const summary = await experiments.crVae.run({ ...options, signal }, {
  onProgress(p) {
    const now = Date.now();
    if (p.phase === 'train' && p.step !== p.totalSteps && now - last < 250) return;
    last = now;
    progress.update({ '${MIME_TRAIN_PROGRESS}': p, 'text/plain': text(p) });
  },
  trainer: (label) => (charts[label] = liveChart({ title: \`\${label}: training curves\`, throttleMs: 2000 })),
});
const result = { ...summary, runs: summary.runs.map((r) => ({ ...r, curves: charts[r.label]?.bundle() })), options: ${JSON.stringify(o)} };
writeFileSync('results.json.tmp', JSON.stringify(result, null, 1));
renameSync('results.json.tmp', 'results.json');
progress.update({ '${MIME_TRAIN_PROGRESS}': { phase: 'done' }, 'text/plain': 'done' });
`;
}

/** Program that loads a checkpoint in the kernel and prints its step (checks that it is intact after a cancel). */
export function checkpointCheckProgram(dir: string): string {
  return `import { loadCheckpoint } from 'vae-lab';
const { model, state } = await loadCheckpoint(${JSON.stringify(dir)});
model.dispose();
console.log(JSON.stringify({ step: state.step, epoch: state.epoch }));
`;
}

/** The progress payload of a kernel display message, if it is one. */
export function progressOf(m: { type: string; data?: Record<string, unknown> }): Record<string, unknown> | undefined {
  if (m.type !== 'display' || !m.data) return undefined;
  const p = m.data[MIME_TRAIN_PROGRESS];
  return typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : undefined;
}

/** One line for the progress notification. */
export function progressLine(p: Record<string, unknown>): string {
  const run = p.runs && (p.runs as number) > 1 ? ` (${p.run}/${p.runs})` : '';
  switch (p.phase) {
    case 'load':
      return 'Loading data…';
    case 'train':
      return `${p.label}${run}: epoch ${p.epoch}/${p.epochs}, loss ${typeof p.loss === 'number' ? p.loss.toFixed(2) : '?'}`;
    case 'evaluate':
      return `${p.label}${run}: scoring NLL / MI / AU on test and t-Test…`;
    case 'done':
      return 'Writing the results notebook…';
    default:
      return String(p.phase);
  }
}

/**
 * What to tell the user when the training cell fails, by the kernel's error name/message:
 * each says what to do.
 */
export function explainFailure(ename: string, evalue: string): string {
  if (ename === 'KernelDiedError' || /out of memory|heap limit|allocation failed/i.test(evalue)) {
    return `The training kernel stopped (${evalue.split('\n')[0]}). If it ran out of memory, choose the quick preset or fewer epochs; to use the paper preset, run it on a machine with a GPU runtime ("VAE Lab: Install GPU Runtime").`;
  }
  if (ename === 'DataNotFoundError') return `${evalue} Then run "VAE Lab: Train CR-VAE" again.`;
  if (ename === 'NonFiniteLossError') return `${evalue} Try a smaller eta or the quick preset; the last good checkpoint is kept.`;
  return `Training failed: ${ename}: ${evalue}. See "VAE Lab: Show Kernel Log" for details.`;
}
