/**
 * "Train CR-VAE": the command's options, their validation, the run folder name, the sweep specs
 * it hands to `vae-lab sweep run` and the lines it shows while they run. Pure (no vscode, no
 * tfjs): the unit tests run it directly, and the extension host never loads the lab.
 */
import { presets as crPresets } from '../../lab/experiments/cr-vae/presets';
import { runNames } from './resultsNotebook';

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

/** A sweep spec as `vae-lab sweep run` reads it (issue 26): `base` plus every combination of `grid`. */
export interface SweepSpec {
  name: string;
  command: 'train';
  base: Record<string, string | number | boolean>;
  grid: Record<string, (string | number | boolean)[]>;
}

/** Folder name (runNames) and table label (the lab's crVae.label) of the CR model and the baseline. */
export function runLabels(o: Pick<TrainCrVaeOptions, 'model' | 'beta'>): { cr: string; base: string } {
  const base = o.model === 'beta-vae' ? `beta-VAE (${o.beta})` : o.model === 'iwae' ? 'IWAE' : 'VAE';
  return { cr: o.model === 'beta-vae' ? `beta-CR-VAE (${o.beta})` : `CR-${base}`, base };
}

/**
 * The sweeps Train CR-VAE runs: one per model (the CR model, then the baseline when chosen),
 * each one job of `vae-lab train` with these choices as its flags. One sweep per model, not one
 * grid over `cr`, because the CR model's flags (--eta) are not the baseline's: a grid applies
 * the same base to every combination. Both run on the local executor, side by side.
 */
export function sweepSpecs(o: TrainCrVaeOptions): { name: string; label: string; spec: SweepSpec }[] {
  const names = runNames(o);
  const labels = runLabels(o);
  const base: SweepSpec['base'] = {
    model: o.model,
    dataset: typeof o.dataset === 'string' ? o.dataset : o.dataset.folder,
    preset: o.preset,
  };
  if (o.beta !== undefined) base.beta = o.beta;
  if (o.epochs !== undefined) base.epochs = o.epochs;
  if (o.trainExamples !== undefined) base['train-examples'] = o.trainExamples;
  if (o.evalExamples !== undefined) base.examples = o.evalExamples;
  if (o.K !== undefined) base.K = o.K;
  const cr: SweepSpec['base'] = { ...base, cr: true, ...(o.eta !== undefined ? { eta: o.eta } : {}) };
  // The grid: one seed (0, the CLI's default), so each sweep is one job.
  const grid = { seed: [0] };
  return [
    { name: names.cr, label: labels.cr, spec: { name: names.cr, command: 'train', base: cr, grid } },
    ...(o.baseline ? [{ name: names.base, label: labels.base, spec: { name: names.base, command: 'train' as const, base, grid } }] : []),
  ];
}

/** What the progress events say of one job, in a few words ("epoch 2/5, step 40/100, loss 101.23"). */
export function jobLine(j: {
  state: string;
  progress: { step?: number; totalSteps?: number; epoch?: number; epochs?: number; phase?: string; terms?: Record<string, number> };
}): string {
  const p = j.progress;
  if (j.state === 'queued') return 'queued';
  if (j.state !== 'running') return j.state;
  const parts: string[] = [];
  if (p.epoch !== undefined) parts.push(`epoch ${p.epoch}${p.epochs ? `/${p.epochs}` : ''}`);
  if (p.step !== undefined) parts.push(`step ${p.step}${p.totalSteps ? `/${p.totalSteps}` : ''}`);
  if (typeof p.terms?.loss === 'number') parts.push(`loss ${p.terms.loss.toFixed(2)}`);
  if (p.phase && p.phase !== 'train' && (p.phase !== 'done' || !parts.length))
    parts.push(p.phase === 'evaluate' ? 'scoring NLL / MI / AU on test and t-Test…' : p.phase);
  return parts.join(', ') || 'starting…';
}

/**
 * What to tell the user when a training job fails, from its error (the job's error event, its
 * state's reason, or the end of its log): each says what to do.
 */
export function explainFailure(label: string, error: string): string {
  const first = error.trim().split('\n').pop() ?? '';
  if (/out of memory|heap limit|allocation failed|SIGKILL/i.test(error)) {
    return `${label}: the training process stopped (${first}). If it ran out of memory, choose the quick preset or fewer epochs; to use the paper preset, run it on a machine with a GPU runtime ("VAE Lab: Install GPU Runtime").`;
  }
  if (/DataNotFoundError|not found/i.test(error) && /data|IDX|MNIST/i.test(error)) return `${label}: ${first} Then run "VAE Lab: Train CR-VAE" again.`;
  if (/NonFiniteLossError|non-finite/i.test(error)) return `${label}: ${first} Try a smaller eta or the quick preset; the last good checkpoint is kept.`;
  return `${label} failed: ${first || 'no error message'}. Its log (Show Log in the VAE Lab Runs view) has the details.`;
}
