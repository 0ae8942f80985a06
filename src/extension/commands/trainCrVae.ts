/**
 * Command "VAE Lab: Train CR-VAE". Quick picks choose the data set, base model,
 * eta, preset and epochs (remembered in globalState); training runs in a kernel process the
 * command owns (KernelClient executing a small program that calls the lab's `experiments.crVae.run`),
 * with a cancellable progress notification fed by the program's progress display, and a
 * "CR-VAE training" panel beside the editor that draws the program's live charts (one per
 * model, updated in place; kept with the final curves). At the end a results notebook is
 * written into the workspace and executed once headlessly (runNotebook), so it has real
 * outputs whatever happens next; then it is opened on the VAE Lab kernel and run again there
 * (the checkpoints loaded, the traversal decoding live) and saved.
 *
 * Tests (and scripts) may pass the options object directly (the palette never does), or name a
 * JSON file of options in $VAE_LAB_TRAIN_OPTIONS (the code-server end-to-end test).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic';
import * as vscode from 'vscode';
import { runNotebook } from '../../host/run-notebook';
import { KernelClient } from '../../host/client';
import { CONTROLLER_ID } from '../controller';
import { ensureDataInHost } from '../dataDownload';
import { kernelOptionsFor } from '../kernelOptions';
import type { ExtensionServices } from '../services';
import {
  checkpointCheckProgram,
  DEFAULT_OPTIONS,
  describe,
  explainFailure,
  parseEpochs,
  parsePositive,
  presetDescription,
  progressLine,
  progressOf,
  runFolderName,
  trainingProgram,
  validateOptions,
  type TrainCrVaeOptions,
} from '../train/options';
import { TrainingChartPanel } from '../train/chartPanel';
import { buildResultsNotebook, liveRunVerdict, runNames } from '../train/resultsNotebook';
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

  // The command's own kernel: same options as a notebook's (settings, node, GPU runtime), cwd = the run folder.
  const base = kernelOptionsFor(context, { uri: vscode.Uri.file(join(runDir, 'results.ipynb')) } as vscode.NotebookDocument);
  const client = new KernelClient({ ...base, notebookDir: runDir, cwd: runDir, typeCheck: 'off' });
  client.onLog((m) => log.info(`[train-crvae] ${m.text.trimEnd()}`));
  const chart = TrainingChartPanel.open(context.extensionUri, 'CR-VAE training');
  chart.status(`Training ${describe(options)}: starting the kernel…`);
  let cancelled = false;
  let failure: string | undefined;
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('VAE Lab: training {0}', describe(options)), cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => {
          cancelled = true;
          log.info('Train CR-VAE: cancel requested; interrupting the training kernel');
          client.interrupt();
        });
        progress.report({ message: 'Starting the kernel…' });
        let lastLine = '';
        const done = await client.execute({ code: trainingProgram(options), language: 'typescript' }, (m) => {
          const p = progressOf(m);
          if (p) {
            const line = progressLine(p);
            if (line !== lastLine) {
              progress.report({ message: (lastLine = line) });
              chart.status(line);
            }
          } else if (chart.accept(m)) {
            // a live chart update: drawn in the panel
          } else if (m.type === 'error') {
            failure = explainFailure(m.ename, m.evalue);
            log.error(`Train CR-VAE: ${m.ename}: ${m.evalue}\n${m.stack}`);
          } else if (m.type === 'stream') {
            log.info(`[train-crvae] ${m.text.trimEnd()}`);
          }
        });
        if (done.status === 'ok') failure = undefined;
        else if (!cancelled && !failure) failure = explainFailure('Error', `the training cell ended with status ${done.status}`);
        if (done.status === 'ok') progress.report({ message: 'Writing and running the results notebook…' });
      },
    );
    chart.status(
      cancelled
        ? 'Training cancelled; the curves are those up to the cancel.'
        : failure
          ? `Training failed: ${failure}`
          : `Trained ${describe(options)}. Results: ${rel}/results.ipynb`,
      cancelled ? 'cancelled' : failure ? 'failed' : 'done',
    );
    if (cancelled) return await afterCancel(client, options, runDir, log);
    if (failure) {
      void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: {0}', failure));
      return { status: 'failed', runDir, message: failure };
    }
  } finally {
    client.dispose();
  }

  // Results notebook: written, executed once by the same kernel machinery, then opened on the VAE Lab kernel.
  const nbPath = join(runDir, 'results.ipynb');
  writeFileAtomic(nbPath, JSON.stringify(buildResultsNotebook(options, `Train CR-VAE: ${describe(options)}`), null, 1) + '\n');
  const run = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('VAE Lab: running the results notebook (metrics, reconstructions, traversal, arrows)…'),
    },
    () =>
      runNotebook(nbPath, { kernelScript: base.kernelScript, nodePath: base.nodePath, typeCheck: 'off', env: base.env as Record<string, string> | undefined }),
  );
  if (run.status !== 0)
    void vscode.window.showWarningMessage(
      vscode.l10n.t('VAE Lab: a cell of {0}/results.ipynb failed; its error is saved in the notebook. Run it again with the VAE Lab kernel.', rel),
    );
  if (given?.open !== false) await openResults(nbPath, log, chart.column === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
  void vscode.window.showInformationMessage(vscode.l10n.t('VAE Lab: CR-VAE trained. Checkpoints and results.ipynb are in {0}.', rel));
  return { status: run.status === 0 ? 'done' : 'failed', runDir, notebook: nbPath };
}

/** After a cancel: check in a fresh kernel that the last checkpoint loads, and say so. */
async function afterCancel(client: KernelClient, o: TrainCrVaeOptions, runDir: string, log: vscode.LogOutputChannel): Promise<TrainCrVaeOutcome> {
  const dir = join(runDir, runNames(o).cr, 'model');
  if (!existsSync(join(dir, 'trainer.json')) && !existsSync(dir)) {
    const message = 'Training cancelled before the first epoch ended: no checkpoint was written.';
    void vscode.window.showInformationMessage(vscode.l10n.t('VAE Lab: {0}', message));
    return { status: 'cancelled', runDir, message };
  }
  let out = '',
    err = '';
  const done = await client.execute({ code: checkpointCheckProgram(dir), language: 'typescript' }, (m) => {
    if (m.type === 'stream') out += m.text;
    if (m.type === 'error') err = `${m.ename}: ${m.evalue}`;
  });
  if (done.status !== 'ok') {
    const message = `Training cancelled, but the checkpoint in ${dir} does not load (${err}). Train again.`;
    log.error(message);
    void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: {0}', message));
    return { status: 'cancelled', runDir, message };
  }
  const state = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { step?: number; epoch?: number };
  const message = `Training cancelled. The checkpoint of epoch ${state.epoch} (step ${state.step}) is intact in ${dir}.`;
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
 * Opens the results notebook on the VAE Lab kernel and runs every cell there: the checkpoints
 * are then loaded in the live kernel, and the traversal output answers the renderer's decode
 * requests (only the kernel that ran show.traversal can). Saved afterwards, so it is not left
 * dirty. If a cell fails in the live kernel, the headless run's outputs are put back from disk
 * (revert) rather than saved over.
 */
async function openResults(nbPath: string, log: vscode.LogOutputChannel, viewColumn: vscode.ViewColumn): Promise<void> {
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
    return;
  }
  log.warn('Train CR-VAE: a results cell failed in the live kernel; showing the outputs of the headless run');
  void vscode.window.showWarningMessage(
    vscode.l10n.t(
      'VAE Lab: the results notebook did not run in the live kernel (see "VAE Lab: Show Kernel Log"); it shows the outputs computed right after training. Run it again to decode the traversal live.',
    ),
  );
  // The notebook is the active editor (just shown): revert it to the file the headless run saved.
  if (vscode.window.activeNotebookEditor?.notebook.uri.toString() === doc.uri.toString()) await vscode.commands.executeCommand('workbench.action.files.revert');
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
