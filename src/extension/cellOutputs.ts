/**
 * Writes one cell run's kernel messages into its NotebookCellExecution, in the order they
 * arrived, without waiting on VS Code between messages.
 *
 * - stdout/stderr text is appended to the cell's last output while that output is the same
 *   stream, so a saved .ipynb has one `stream` output per burst, as Jupyter writes it. Text
 *   that arrives while VS Code is still applying the previous edit is merged into one append
 *   (10,000 log lines are a handful of edits, not 10,000).
 * - `display` appends an output; with a `displayId` it is remembered so a later update
 *   replaces that output's items in place (progress bars, live charts).
 * - `result` is the cell's value (`execute_result`), `error` a VS Code error item whose stack
 *   the kernel already mapped to `Cell N, line L:C`.
 */
import * as vscode from 'vscode';
import type { MimeBundle } from '../common/protocol';
import type { CellMessage } from '../host/client';
import { encodeBundle } from './mimeItems';

/** An output that a later `display` update with the same id replaces in place. */
export interface DisplayTarget {
  output: vscode.NotebookCellOutput;
  writer: CellOutputWriter;
}

/** Per-notebook memory of display ids, shared by all cell runs of that notebook. */
export type DisplayTargets = Map<string, DisplayTarget>;

export function toOutputItems(bundle: MimeBundle): vscode.NotebookCellOutputItem[] {
  return encodeBundle(bundle).map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime));
}

/**
 * Messages for a run that already ended (output of async work the cell left running, or an
 * update of one of its displays from a later cell): the controller reopens the run with a
 * short execution and hands the message back through `handle`.
 */
export type LateHandler = (writer: CellOutputWriter, message: CellMessage) => void;

export class CellOutputWriter {
  private chain: Promise<unknown> = Promise.resolve();
  private lastStream: { name: 'stdout' | 'stderr'; output: vscode.NotebookCellOutput } | undefined;
  private pending: { name: 'stdout' | 'stderr'; text: string } | undefined;
  private finished = false;
  /** Whether this run has shown an error output (the controller adds one for a silent interrupt). */
  sawError = false;

  constructor(
    private execution: vscode.NotebookCellExecution,
    private readonly displays: DisplayTargets,
    private readonly onDiagnostics: (message: Extract<CellMessage, { type: 'diagnostics' }>) => void,
    private readonly onLate: LateHandler,
  ) {}

  get cell(): vscode.NotebookCell {
    return this.execution.cell;
  }

  handle(message: CellMessage): void {
    if (this.finished) {
      this.onLate(this, message);
      return;
    }
    switch (message.type) {
      case 'stream':
        this.stream(message.name, message.text);
        return;
      case 'display':
        this.display(message.data, message.displayId, message.update === true, message.metadata);
        return;
      case 'result':
        this.append(
          new vscode.NotebookCellOutput(toOutputItems(message.data), {
            outputType: 'execute_result',
            executionCount: this.execution.executionOrder,
            metadata: {},
          }),
        );
        return;
      case 'error':
        this.sawError = true;
        this.appendError({ name: message.ename, message: message.evalue, stack: message.stack });
        return;
      case 'diagnostics':
        this.onDiagnostics(message);
        return;
      default:
        // Replies (complete/hover/renderer) never carry an execId; nothing else belongs here.
        return;
    }
  }

  /** An error the host itself reports on the cell (dead kernel, untrusted workspace...). */
  appendError(error: { name: string; message: string; stack?: string }): void {
    this.append(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(error)]));
  }

  /** Resolves once every edit queued so far has been applied; call before ending the run. */
  async flush(): Promise<void> {
    this.flushStream();
    await this.chain;
  }

  /** The run ended: later messages go to the LateHandler. */
  markFinished(): void {
    this.finished = true;
  }

  /** Continues writing through a new execution of the same cell (see LateHandler). */
  reopen(execution: vscode.NotebookCellExecution): void {
    this.execution = execution;
    this.finished = false;
  }

  private stream(name: 'stdout' | 'stderr', text: string): void {
    if (this.pending && this.pending.name !== name) this.flushStream();
    if (this.pending) {
      this.pending.text += text;
      return;
    }
    this.pending = { name, text };
    // The text is read when the edit runs, so everything that arrives meanwhile joins it.
    this.enqueue(() => {
      const burst = this.pending;
      this.pending = undefined;
      return burst ? this.writeStream(burst.name, burst.text) : undefined;
    });
  }

  private flushStream(): void {
    if (!this.pending) return;
    const burst = this.pending;
    this.pending = undefined;
    this.enqueue(() => this.writeStream(burst.name, burst.text));
  }

  private writeStream(name: 'stdout' | 'stderr', text: string): Thenable<void> {
    const item = name === 'stdout' ? vscode.NotebookCellOutputItem.stdout(text) : vscode.NotebookCellOutputItem.stderr(text);
    if (this.lastStream?.name === name) return this.execution.appendOutputItems(item, this.lastStream.output);
    const output = new vscode.NotebookCellOutput([item]);
    this.lastStream = { name, output };
    return this.execution.appendOutput(output);
  }

  private display(data: MimeBundle, displayId: string | undefined, update: boolean, metadata?: Record<string, unknown>): void {
    const items = toOutputItems(data);
    const target = displayId ? this.displays.get(displayId) : undefined;
    if (update && target) {
      if (target.writer === this) {
        this.flushStream();
        this.enqueue(() => this.execution.replaceOutputItems(items, target.output));
      } else {
        // The output lives in an earlier cell, whose run has ended.
        this.onLate(target.writer, { type: 'display', execId: '', displayId, update: true, data });
      }
      return;
    }
    const output = new vscode.NotebookCellOutput(items, { outputType: 'display_data', metadata: metadata ?? {} });
    if (displayId) this.displays.set(displayId, { output, writer: this });
    this.append(output);
  }

  private append(output: vscode.NotebookCellOutput): void {
    this.flushStream();
    this.lastStream = undefined;
    this.enqueue(() => this.execution.appendOutput(output));
  }

  private enqueue(op: () => Thenable<void> | undefined): void {
    this.chain = this.chain.then(op).catch(() => {
      // The run was ended under us (cell deleted, notebook closed): later edits are moot.
    });
  }
}
