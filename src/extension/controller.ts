/**
 * The notebook controller "VAE Lab (TypeScript)" for .ipynb notebooks. It queues cell runs
 * per notebook (one at a time, in the order asked), hands each to the notebook's kernel and
 * writes what comes back into the cell. Interrupt and restart belong to the kernel; this
 * class only cancels what is still waiting in its queue.
 */
import * as vscode from 'vscode';
import type { Diagnostic as KernelDiagnostic } from '../common/protocol';
import type { CellMessage, KernelClient } from '../host/client';
import { CellOutputWriter, type DisplayTargets } from './cellOutputs';
import type { KernelRegistry } from './kernels';

export const CONTROLLER_ID = 'vae-lab-kernel';
type NbMeta = { kernelspec?: { language?: string }; language_info?: { name?: string } };
export const CONTROLLER_LABEL = 'VAE Lab (TypeScript)';
const LANGUAGES = ['typescript', 'javascript'] as const;

/** Per-notebook bookkeeping: the run queue and the outputs that display updates target. */
interface NotebookRuns {
  queue: Promise<void>;
  /** Bumped by interrupt: runs queued under an older generation are skipped. */
  generation: number;
  displays: DisplayTargets;
  /** Writers by execId, for output that arrives after a cell's `done` (one per cell). */
  writers: Map<string, CellOutputWriter>;
  /** Late output is written one message at a time, each through its own short execution. */
  late: Promise<void>;
}

export class VaeLabController implements vscode.Disposable {
  readonly controller: vscode.NotebookController;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('VAE Lab');
  private readonly runs = new Map<string, NotebookRuns>();
  /** Jupyter-style execution counts restart at 1 with each kernel process. */
  private readonly counters = new WeakMap<KernelClient, number>();
  private readonly countersReset = new WeakSet<KernelClient>();
  private execSeq = 0;
  private readonly disposables: vscode.Disposable[] = [];
  /** Notebooks that have this controller selected (for the default cell language). */
  private readonly selected = new Set<string>();

  constructor(
    private readonly kernels: KernelRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, 'jupyter-notebook', CONTROLLER_LABEL);
    controller.supportedLanguages = [...LANGUAGES];
    controller.supportsExecutionOrder = true;
    controller.description = vscode.l10n.t('TypeScript on TensorFlow.js');
    controller.detail = vscode.l10n.t('Cells share state in one Node process per notebook');
    controller.executeHandler = (cells, notebook) => this.enqueue(cells, notebook);
    controller.interruptHandler = (notebook) => this.interrupt(notebook);
    this.controller = controller;
    this.disposables.push(
      controller,
      this.diagnostics,
      controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
        if (selected) this.selected.add(notebook.uri.toString());
        else this.selected.delete(notebook.uri.toString());
      }),
      vscode.workspace.onDidChangeNotebookDocument((e) => this.defaultNewCellsToTypeScript(e)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.forgetNotebook(nb)),
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.preferForTypeScript(nb)),
      // Restricted Mode refuses each run (refusal below, read at run time); trust granted later
      // takes effect at the next run, with no reload.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.log.info('Workspace trusted: notebook cells run from now on.')),
    );
    if (!vscode.workspace.isTrusted) this.log.info('Restricted Mode: notebooks and outputs are shown, cells do not run until the workspace is trusted.');
    for (const nb of vscode.workspace.notebookDocuments) this.preferForTypeScript(nb);
  }

  /**
   * A notebook whose kernelspec or language_info says TypeScript (the bundled examples, the
   * results notebooks) prefers this controller, so it opens ready to run instead of asking for
   * a kernel. The ipynb extension keeps the file's top-level metadata under `metadata`
   * (older versions: `custom.metadata`).
   */
  private preferForTypeScript(notebook: vscode.NotebookDocument): void {
    if (notebook.notebookType !== 'jupyter-notebook') return;
    const m = notebook.metadata as { metadata?: NbMeta; custom?: { metadata?: NbMeta } } | undefined;
    const meta = m?.metadata ?? m?.custom?.metadata;
    const lang = [meta?.kernelspec?.language, meta?.language_info?.name].map((l) => l?.toLowerCase());
    if (lang.includes('typescript')) this.controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /**
   * Runs are chained so cells never overlap; a cell that fails cancels the rest of its batch
   * (as Jupyter does). Resolves when this batch is over.
   */
  private enqueue(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    const runs = this.runsOf(notebook);
    const generation = runs.generation;
    const executions = cells.map((cell) => this.controller.createNotebookCellExecution(cell));
    runs.queue = runs.queue.then(async () => {
      let failed = false;
      for (const execution of executions) {
        try {
          if (failed || runs.generation !== generation) {
            // Never started: end without a result so the cell shows neither tick nor cross.
            execution.start();
            execution.end(undefined);
            continue;
          }
          failed = !(await this.runCell(execution, notebook, runs));
        } catch (err) {
          // E.g. the cell was deleted mid-run. End what we can; the batch and later runs go on.
          this.log.error(`cell run failed: ${err instanceof Error ? err.stack : String(err)}`);
          failed = true;
          try {
            execution.end(false, Date.now());
          } catch {
            /* already ended */
          }
        }
      }
    });
    return runs.queue;
  }

  private async interrupt(notebook: vscode.NotebookDocument): Promise<void> {
    this.runsOf(notebook).generation++;
    this.kernels.get(notebook)?.interrupt();
  }

  /** Returns whether the cell succeeded. */
  private async runCell(execution: vscode.NotebookCellExecution, notebook: vscode.NotebookDocument, runs: NotebookRuns): Promise<boolean> {
    const cell = execution.cell;
    const writer = new CellOutputWriter(
      execution,
      runs.displays,
      (m) => this.diagnostics.set(cell.document.uri, m.diagnostics.map(toVsDiagnostic)),
      (w, m) => this.lateOutput(runs, w, m),
    );
    // A re-run replaces the cell's outputs, so output still trickling in for its old run has nowhere to go.
    for (const [id, w] of runs.writers) if (w.cell === cell) runs.writers.delete(id);
    execution.start(Date.now());
    await execution.clearOutput();
    this.diagnostics.delete(cell.document.uri);

    const end = async (success: boolean) => {
      await writer.flush();
      writer.markFinished();
      execution.end(success, Date.now());
      return success;
    };
    const refusal = this.refusal(cell);
    if (refusal) {
      writer.appendError(refusal);
      return end(false);
    }
    const client = this.kernels.getOrCreate(notebook);
    this.resetCountOnRestart(client);
    try {
      // Starting separately gives a start failure (missing or old Node) its own clear message.
      await client.start();
    } catch (err) {
      writer.appendError({ name: err instanceof Error ? err.name : 'KernelStartError', message: err instanceof Error ? err.message : String(err) });
      this.log.error(`Cell ${cell.index + 1}: ${err instanceof Error ? err.message : String(err)}`);
      return end(false);
    }
    const order = (this.counters.get(client) ?? 0) + 1;
    this.counters.set(client, order);
    execution.executionOrder = order;
    const execId = `x${++this.execSeq}`;
    runs.writers.set(execId, writer);
    // The client never rejects a run: a dead kernel arrives as an `error` output and status 'error'.
    const done = await client.execute(
      { execId, cellNumber: cell.index + 1, language: cell.document.languageId as (typeof LANGUAGES)[number], code: cell.document.getText() },
      (message) => writer.handle(message),
    );
    if (done.status === 'interrupted' && !writer.sawError) {
      // Without this the cell would only show a cross, and the user could fear its state is gone.
      writer.appendError({ name: 'Interrupted', message: vscode.l10n.t('The cell was interrupted. The kernel and its variables are kept.') });
    }
    return end(done.status === 'ok');
  }

  /** Why a cell may not run, told to the user on the cell itself. */
  private refusal(cell: vscode.NotebookCell): { name: string; message: string } | undefined {
    if (!vscode.workspace.isTrusted) {
      return {
        name: 'WorkspaceNotTrusted',
        message: vscode.l10n.t(
          'This workspace is in Restricted Mode, and VAE Lab runs notebook cells as code on this machine, so they do not run here. Trust this folder (command "Workspaces: Manage Workspace Trust") and run the cell again; outputs already in the notebook are shown either way.',
        ),
      };
    }
    if (!(LANGUAGES as readonly string[]).includes(cell.document.languageId)) {
      return {
        name: 'UnsupportedLanguage',
        message: vscode.l10n.t(
          'VAE Lab runs TypeScript and JavaScript cells; this cell is "{0}". Change its language (bottom right of the cell) or pick another kernel.',
          cell.document.languageId,
        ),
      };
    }
    return undefined;
  }

  private resetCountOnRestart(client: KernelClient): void {
    if (this.countersReset.has(client)) return;
    this.countersReset.add(client);
    client.onState((state) => {
      if (state === 'starting') this.counters.delete(client);
    });
    client.onLateOutput((m) => {
      const runs = this.runs.get(this.notebookOf(client) ?? '');
      const writer = runs?.writers.get(m.execId);
      if (runs && writer) this.lateOutput(runs, writer, m);
      else this.log.info(`late output of a cell that was re-run or closed: ${JSON.stringify(m).slice(0, 200)}`);
    });
  }

  private notebookOf(client: KernelClient): string | undefined {
    return vscode.workspace.notebookDocuments.find((nb) => this.kernels.get(nb) === client)?.uri.toString();
  }

  /**
   * Output for a cell whose run already ended. VS Code edits outputs only through an
   * execution, so open a short one on that cell that keeps its execution count and tick.
   */
  private lateOutput(runs: NotebookRuns, writer: CellOutputWriter, message: CellMessage): void {
    runs.late = runs.late
      .then(async () => {
        const cell = writer.cell;
        const summary = cell.executionSummary;
        let execution: vscode.NotebookCellExecution;
        try {
          execution = this.controller.createNotebookCellExecution(cell);
        } catch (err) {
          // The cell is running again or was deleted: its old outputs are gone.
          this.log.debug(`late output dropped: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        execution.executionOrder = summary?.executionOrder;
        execution.start(summary?.timing?.startTime);
        writer.reopen(execution);
        writer.handle(message);
        await writer.flush();
        writer.markFinished();
        execution.end(summary?.success, summary?.timing?.endTime);
      })
      .catch((err) => this.log.debug(`late output failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  /**
   * New code cells default to TypeScript while this kernel is selected. VS Code already picks
   * the first supported language when the neighbouring cell's language is not supported; this
   * covers the rest (e.g. a notebook whose metadata says python).
   */
  private defaultNewCellsToTypeScript(e: vscode.NotebookDocumentChangeEvent): void {
    if (!this.isSelectedFor(e.notebook)) return;
    for (const change of e.contentChanges) {
      for (const cell of change.addedCells) {
        if (cell.kind !== vscode.NotebookCellKind.Code || cell.document.getText() !== '') continue;
        if ((LANGUAGES as readonly string[]).includes(cell.document.languageId)) continue;
        void vscode.languages.setTextDocumentLanguage(cell.document, 'typescript');
      }
    }
  }

  private isSelectedFor(notebook: vscode.NotebookDocument): boolean {
    return this.selected.has(notebook.uri.toString());
  }

  private runsOf(notebook: vscode.NotebookDocument): NotebookRuns {
    const key = notebook.uri.toString();
    let runs = this.runs.get(key);
    if (!runs) {
      runs = { queue: Promise.resolve(), generation: 0, displays: new Map(), writers: new Map(), late: Promise.resolve() };
      this.runs.set(key, runs);
    }
    return runs;
  }

  private forgetNotebook(notebook: vscode.NotebookDocument): void {
    this.runs.delete(notebook.uri.toString());
    for (const cell of notebook.getCells()) this.diagnostics.delete(cell.document.uri);
  }
}

function toVsDiagnostic(d: KernelDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.start.line, d.start.character, d.end.line, d.end.character);
  const diagnostic = new vscode.Diagnostic(range, d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diagnostic.source = 'VAE Lab';
  if (d.code !== undefined) diagnostic.code = d.code;
  return diagnostic;
}
