/**
 * Command "VAE Lab: Train CR-VAE". Quick picks choose the data set, base model,
 * eta, preset and epochs (remembered in globalState); the runs (the CR model and, optionally,
 * the baseline) are jobs of the job engine: a sweep spec per model is written into the run
 * folder and `vae-lab sweep run` (the bundled CLI, on the kernels' Node) runs it on the local
 * executor. The host follows the jobs' state.json and events.jsonl (runs/follower.ts) for a
 * cancellable progress notification and the "CR-VAE training" panel beside the editor, which
 * draws each model's curves from its step events (kept with the final curves). Cancel asks the
 * engine to cancel, then ends the drivers' process groups. At the end a results notebook that
 * reads the job folders is written, opened once on the VAE Lab kernel, run there (the
 * checkpoints loaded, the traversal decoding live) and saved.
 *
 * Tests (and scripts) may pass the options object directly (the palette never does), or name a
 * JSON file of options in $VAE_LAB_TRAIN_OPTIONS (the code-server end-to-end test).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { writeFileAtomic } from '../../common/atomic';
import * as vscode from 'vscode';
import { CONTROLLER_ID } from '../controller';
import { ensureDataInHost } from '../dataDownload';
import { cliOptionsFor } from '../kernelOptions';
import { driveSweeps } from '../runs/drive';
import type { ExtensionServices } from '../services';
import {
  DEFAULT_OPTIONS,
  describe,
  explainFailure,
  jobLine,
  parseEpochs,
  parsePositive,
  presetDescription,
  runFolderName,
  sweepSpecs,
  validateOptions,
  type TrainCrVaeOptions,
} from '../train/options';
import { TrainingChartPanel } from '../train/chartPanel';
import { buildResultsNotebook, liveRunVerdict } from '../train/resultsNotebook';
import { presets as crPresets } from '../../lab/experiments/cr-vae/presets';

const STATE_KEY = 'vaeLab.trainCrVae.lastOptions';

/** What the command resolves with (for tests; the palette ignores it). */
export interface TrainCrVaeOutcome {
  status: 'done' | 'cancelled' | 'failed' | 'aborted';
  runDir?: string;
  notebook?: string;
  /** After a cancel: the checkpoint's step, read back by loading it in the kernel (undefined = none written yet). */
  checkpointStep?: number;
  message?: string;
}

export function registerTrainCrVae(services: ExtensionServices): vscode.Disposable {
  return vscode.commands.registerCommand('vaeLab.trainCrVae', async (given?: Partial<TrainCrVaeOptions> & { open?: boolean }) => {
    try {
      return await trainCrVaeCommand(services, given);
    } catch (e) {
      const message = (e as Error).message;
      services.log.error(`Train CR-VAE: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: {0}', message));
      return { status: 'failed', message } satisfies TrainCrVaeOutcome;
    }
  });
}

async function trainCrVaeCommand(services: ExtensionServices, given?: Partial<TrainCrVaeOptions> & { open?: boolean }): Promise<TrainCrVaeOutcome> {
  const { context, log } = services;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') {
    const message =
      'Train CR-VAE writes its checkpoints and results notebook into the workspace: open a folder first (File > Open Folder…), then run the command again.';
    void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: {0}', message));
    return { status: 'aborted', message };
  }
  const remembered = { ...DEFAULT_OPTIONS, ...context.globalState.get<Partial<TrainCrVaeOptions>>(STATE_KEY) };
  let chosen: TrainCrVaeOptions | undefined;
  // End-to-end tests preselect the quick picks: $VAE_LAB_TRAIN_OPTIONS names a JSON file of options, read per run.
  const preset = process.env.VAE_LAB_TRAIN_OPTIONS;
  if (!given && preset && existsSync(preset)) given = JSON.parse(readFileSync(preset, 'utf8')) as Partial<TrainCrVaeOptions> & { open?: boolean };
  if (given && typeof given === 'object' && 'dataset' in given) {
    const { open: _open, ...rest } = given;
    chosen = { ...DEFAULT_OPTIONS, ...rest } as TrainCrVaeOptions;
  } else {
    chosen = await pickOptions(validateOptions(remembered).ok ? remembered : DEFAULT_OPTIONS);
    if (!chosen) return { status: 'aborted', message: 'cancelled in the quick picks' };
  }
  const valid = validateOptions(chosen);
  if (!valid.ok) throw new Error(`invalid options: ${valid.errors.join('; ')}`);
  const options = valid.options;
  await context.globalState.update(STATE_KEY, options);
  if (typeof options.dataset === 'string') {
    const data = await ensureDataInHost(options.dataset, log);
    if (!data.ok) {
      if (data.cancelled) return { status: 'aborted', message: data.message };
      void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: {0}', data.message));
      return { status: 'failed', message: data.message };
    }
  }

  const root = folder.uri.fsPath;
  const rel = runFolderName(new Date(), options, (name) => existsSync(join(root, name)));
  const runDir = join(root, rel);
  mkdirSync(runDir, { recursive: true });
  log.info(`Train CR-VAE: ${describe(options)} -> ${runDir}`);

  // One one-job sweep per model (sweepSpecs says why), run by the bundled CLI on the local executor.
  const sweeps = sweepSpecs(options).map((s) => ({ ...s, out: join(runDir, s.name), specFile: join(runDir, `${s.name}.sweep.json`) }));
  for (const s of sweeps) writeFileAtomic(s.specFile, JSON.stringify(s.spec, null, 2) + '\n');
  const labelOf = (jobDir: string) => sweeps.find((s) => jobDir.startsWith(s.out + sep))?.label ?? basename(jobDir);
  const chart = TrainingChartPanel.open(context.extensionUri, 'CR-VAE training');
  chart.status(`Training ${describe(options)}: starting…`);
  const result = await driveSweeps({
    cli: { ...cliOptionsFor(context, vscode.Uri.file(runDir)), cwd: runDir },
    runs: sweeps.map((s) => ({ spec: s.specFile, out: s.out })),
    executor: 'local',
    title: vscode.l10n.t('VAE Lab: training {0}', describe(options)),
    log,
    line: (nodes) => nodes.map((n, i) => `${sweeps[i].label}: ${n.jobs[0] ? jobLine(n.jobs[0]) : 'starting…'}`).join(' · '),
    onUpdate: (follower, nodes) => {
      for (const c of follower.changedCharts((d) => `${labelOf(d)}: training curves`)) chart.chart(c.dir, c.spec);
      chart.status(nodes.map((n, i) => `${sweeps[i].label}: ${n.jobs[0] ? jobLine(n.jobs[0]) : 'starting…'}`).join(' · '));
    },
  });
  const jobs = result.sweeps.map((n, i) => ({ label: sweeps[i].label, job: n.jobs[0] }));
  if (result.status === 'cancelled') {
    chart.status('Training cancelled; the curves are those up to the cancel.', 'cancelled');
    return afterCancel(jobs[0]?.job?.dir, runDir, log);
  }
  if (result.status === 'failed') {
    const bad = jobs.find((j) => j.job?.state !== 'done');
    const logTail = bad?.job ? readTail(join(bad.job.dir, 'log.txt')) : '';
    const why = bad?.job?.progress.error ?? bad?.job?.status.reason ?? '';
    const failure = explainFailure(bad?.label ?? 'Training', [why, logTail || result.tail].filter(Boolean).join('\n'));
    log.error(`Train CR-VAE: ${failure}`);
    chart.status(`Training failed: ${failure}`, 'failed');
    void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: {0}', failure));
    return { status: 'failed', runDir, message: failure };
  }
  chart.status(`Trained ${describe(options)}. Results: ${rel}/results.ipynb`, 'done');

  // Results notebook: written beside the sweeps, opened once on the VAE Lab kernel, run there and saved.
  const nbPath = join(runDir, 'results.ipynb');
  writeFileAtomic(nbPath, JSON.stringify(buildResultsNotebook(options, `Train CR-VAE: ${describe(options)}`), null, 1) + '\n');
  let ran: 'ok' | 'failed' | 'not opened' = 'not opened';
  if (given?.open !== false) ran = await openResults(nbPath, log, chart.column === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
  void vscode.window.showInformationMessage(vscode.l10n.t('VAE Lab: CR-VAE trained. Checkpoints and results.ipynb are in {0}.', rel));
  return { status: ran === 'failed' ? 'failed' : 'done', runDir, notebook: nbPath };
}

/** The last ~2 KB of a log file ('' when there is none). */
function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}

/**
 * After a cancel: the CR model's last checkpoint, read from its trainer.json (written last and
 * atomically with the checkpoint folder, so its presence means the whole checkpoint is there).
 */
function afterCancel(jobDir: string | undefined, runDir: string, log: vscode.LogOutputChannel): TrainCrVaeOutcome {
  const file = jobDir ? join(jobDir, 'model', 'trainer.json') : undefined;
  let state: { step?: number; epoch?: number } | undefined;
  try {
    state = file ? (JSON.parse(readFileSync(file, 'utf8')) as { step?: number; epoch?: number }) : undefined;
  } catch {
    state = undefined;
  }
  if (!state) {
    const message = 'Training cancelled before the first epoch ended: no checkpoint was written.';
    void vscode.window.showInformationMessage(vscode.l10n.t('VAE Lab: {0}', message));
    return { status: 'cancelled', runDir, message };
  }
  const message = `Training cancelled. The checkpoint of epoch ${state.epoch} (step ${state.step}) is in ${join(jobDir!, 'model')}.`;
  log.info(message);
  void vscode.window.showInformationMessage(vscode.l10n.t('VAE Lab: {0}', message));
  return { status: 'cancelled', runDir, checkpointStep: state.step, message };
}

const TIMED_OUT = Symbol('timed out');
/** The live run may not hold the command (and its final message) forever. */
const LIVE_RUN_MS = 10 * 60_000;

/** `p`'s value, or TIMED_OUT after `ms` (p goes on; its result is then ignored). */
function within<T>(p: Thenable<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([Promise.resolve(p), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Opens the results notebook on the VAE Lab kernel and runs every cell there, once: the
 * checkpoints are then loaded in the live kernel, and the traversal output answers the
 * renderer's decode requests (only the kernel that ran show.traversal can). Saved afterwards when
 * every cell succeeded, so it is not left dirty; a failed cell's error stays in view.
 */
async function openResults(nbPath: string, log: vscode.LogOutputChannel, viewColumn: vscode.ViewColumn): Promise<'ok' | 'failed'> {
  const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(nbPath));
  // In a group the training panel is not in, so its final curves stay in view beside the notebook.
  await vscode.window.showNotebookDocument(doc, { viewColumn });
  await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: 'vae-lab.vae-lab' });
  log.info('Train CR-VAE: running the results notebook in the live kernel');
  try {
    // Resolves when the controller's execute handler is done with the batch (controller.ts enqueue).
    const ran = await within(
      vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: doc.cellCount }], document: doc.uri }),
      LIVE_RUN_MS,
    );
    if (ran === TIMED_OUT) log.warn(`Train CR-VAE: the live run of the results notebook took over ${LIVE_RUN_MS / 60_000} min; not saving it`);
  } catch (e) {
    log.error(`Train CR-VAE: running the results notebook in the live kernel: ${(e as Error).message}`);
  }
  const cells = doc.getCells().map((c) => ({ code: c.kind === vscode.NotebookCellKind.Code, success: c.executionSummary?.success }));
  log.info(`Train CR-VAE: live run of the results notebook: ${JSON.stringify(cells.filter((c) => c.code).map((c) => c.success))}`);
  if (liveRunVerdict(cells) === 'ok') {
    const saved = await within(doc.save(), 60_000);
    if (saved !== true) log.warn(`Train CR-VAE: could not save ${nbPath} (${saved === TIMED_OUT ? 'timed out' : 'refused'})`);
    log.info(`Train CR-VAE: saved ${nbPath} (dirty: ${doc.isDirty})`);
    return 'ok';
  }
  log.warn('Train CR-VAE: a results cell failed in the live kernel');
  void vscode.window.showWarningMessage(
    vscode.l10n.t(
      'VAE Lab: a cell of the results notebook failed; its error is in the notebook (see also "VAE Lab: Show Kernel Log"). Fix it or run the notebook again.',
    ),
  );
  return 'failed';
}

/** The quick picks; undefined when the user dismisses one. */
async function pickOptions(last: TrainCrVaeOptions): Promise<TrainCrVaeOptions | undefined> {
  type Item<T> = vscode.QuickPickItem & { value: T };
  const pick = async <T>(title: string, items: Item<T>[], current: (v: T) => boolean): Promise<T | undefined> => {
    const sorted = [...items].sort((a, b) => Number(current(b.value)) - Number(current(a.value)));
    const r = await vscode.window.showQuickPick(sorted, { title: vscode.l10n.t('Train CR-VAE: {0}', title), ignoreFocusOut: true });
    return r?.value;
  };
  const lastFolder = typeof last.dataset === 'object' ? last.dataset.folder : undefined;
  const ds = await pick<TrainCrVaeOptions['dataset'] | 'folder'>(
    'data set',
    [
      { label: 'MNIST', description: 'comes with the extension', value: 'mnist' },
      { label: 'Fashion-MNIST', description: 'downloaded on first use (30 MB) into the data folder (setting vaeLab.dataDir)', value: 'fashion-mnist' },
      ...(lastFolder ? [{ label: lastFolder, description: 'IDX folder used last time', value: { folder: lastFolder } }] : []),
      { label: 'A folder of IDX files…', description: 'train-images-idx3-ubyte[.gz], t10k-images-… (labels optional)', value: 'folder' as const },
    ],
    (v) => JSON.stringify(v) === JSON.stringify(last.dataset),
  );
  if (ds === undefined) return undefined;
  let dataset: TrainCrVaeOptions['dataset'];
  if (ds === 'folder') {
    const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: vscode.l10n.t('Folder with the IDX files') });
    if (!uris?.[0]) return undefined;
    dataset = { folder: uris[0].fsPath };
  } else dataset = ds;

  const model = await pick<TrainCrVaeOptions['model']>(
    'base model',
    [
      { label: 'VAE', description: 'one-sample ELBO → CR-VAE', value: 'vae' },
      { label: 'IWAE', description: 'k-sample bound (k = 5) → CR-IWAE', value: 'iwae' },
      { label: 'beta-VAE', description: 'KL weighted by beta → beta-CR-VAE', value: 'beta-vae' },
    ],
    (v) => v === last.model,
  );
  if (!model) return undefined;
  let beta: number | undefined;
  if (model === 'beta-vae') {
    const b = await vscode.window.showInputBox({
      title: vscode.l10n.t('Train CR-VAE: beta'),
      prompt: vscode.l10n.t('Weight on KL(q(z|x) || p(z)); the paper uses 0.5 and 10'),
      value: String(last.beta ?? 10),
      ignoreFocusOut: true,
      validateInput: (t) => parsePositive(t, 'beta').error,
    });
    if (b === undefined) return undefined;
    beta = parsePositive(b, 'beta').value;
  }
  const defaultEta = 0.1 * (beta ?? 1);
  const etaText = await vscode.window.showInputBox({
    title: vscode.l10n.t('Train CR-VAE: eta'),
    prompt: vscode.l10n.t('Weight of the consistency KL (paper: 0.1, or 0.1 × beta = {0}); 0 trains "+ Aug" without it', defaultEta),
    value: String(last.eta ?? defaultEta),
    ignoreFocusOut: true,
    validateInput: (t) => parsePositive(t, 'eta', true).error,
  });
  if (etaText === undefined) return undefined;
  const eta = parsePositive(etaText, 'eta', true).value;

  const preset = await pick<TrainCrVaeOptions['preset']>(
    'preset',
    [
      { label: 'quick', description: presetDescription('quick', 'a smoke test in a minute or two; it claims nothing'), value: 'quick' },
      { label: 'laptop', description: presetDescription('laptop', 'about 15 min with the base model on 2 CPU cores; one seed'), value: 'laptop' },
      { label: 'paper', description: presetDescription('paper', 'needs a GPU'), value: 'paper' },
    ],
    (v) => v === last.preset,
  );
  if (!preset) return undefined;
  const epochText = await vscode.window.showInputBox({
    title: vscode.l10n.t('Train CR-VAE: epochs'),
    prompt: vscode.l10n.t("Passes over the training data (empty: the preset's, {0})", crPresets[preset].epochs),
    value: last.preset === preset && last.epochs ? String(last.epochs) : '',
    ignoreFocusOut: true,
    validateInput: (t) => parseEpochs(t).error,
  });
  if (epochText === undefined) return undefined;
  const baseline = await pick<boolean>(
    'comparison',
    [
      { label: 'Also train the base model without CR', description: 'twice the time; the results table shows both', value: true },
      { label: 'Only the CR model', value: false },
    ],
    (v) => v === last.baseline,
  );
  if (baseline === undefined) return undefined;
  return { dataset, model, beta, eta, preset, epochs: parseEpochs(epochText).epochs, baseline };
}
