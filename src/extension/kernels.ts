/**
 * One KernelClient (src/host/client.ts) per open notebook: created on the first run,
 * disposed when the notebook closes. The client itself restarts a dead kernel on the next
 * run; this registry only owns creation, disposal and change events for the status bar.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { KernelClient, type KernelClientOptions } from '../host/client';

/** Options for a notebook's kernel, read fresh each time one is created (settings may change). */
export type KernelOptionsFor = (notebook: vscode.NotebookDocument) => KernelClientOptions;

export class KernelRegistry implements vscode.Disposable {
  private readonly clients = new Map<string, { client: KernelClient; unsubscribe: (() => void)[] }>();
  private readonly changed = new vscode.EventEmitter<vscode.NotebookDocument>();
  /** A notebook's kernel was created or disposed, or changed state or runtime. */
  readonly onDidChange = this.changed.event;
  private readonly closeListener: vscode.Disposable;

  constructor(
    private readonly optionsFor: KernelOptionsFor,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.closeListener = vscode.workspace.onDidCloseNotebookDocument((nb) => this.shutdown(nb));
  }

  get(notebook: vscode.NotebookDocument): KernelClient | undefined {
    return this.clients.get(notebook.uri.toString())?.client;
  }

  getOrCreate(notebook: vscode.NotebookDocument): KernelClient {
    const key = notebook.uri.toString();
    const existing = this.clients.get(key);
    if (existing) return existing.client;
    const client = new KernelClient(this.optionsFor(notebook));
    const name = notebook.uri.path.split('/').pop();
    const fire = () => this.changed.fire(notebook);
    const unsubscribe = [
      client.onState((state) => {
        this.log.info(`[${name}] kernel ${state}${state === 'idle' && client.ready ? ` (Node ${client.ready.nodeVersion})` : ''}`);
        fire();
      }),
      client.onRuntime(fire),
      client.onLog((m) => {
        const text = `[${name}] ${m.text.trimEnd()}`;
        if (m.level === 'error') this.log.error(text);
        else if (m.level === 'warn') this.log.warn(text);
        else this.log.info(text);
      }),
      client.onExit((died) => {
        if (died) this.log.error(`[${name}] ${died.message}`);
      }),
    ];
    this.clients.set(key, { client, unsubscribe });
    fire();
    return client;
  }

  /** Stops the notebook's kernel and forgets it; the next run starts a clean process. */
  shutdown(notebook: vscode.NotebookDocument): boolean {
    const key = notebook.uri.toString();
    const entry = this.clients.get(key);
    if (!entry) return false;
    this.clients.delete(key);
    for (const u of entry.unsubscribe) u();
    entry.client.dispose();
    this.changed.fire(notebook);
    return true;
  }

  /** Stops every kernel (e.g. after installing the GPU runtime, so new ones can load it). */
  shutdownAll(): number {
    const notebooks = vscode.workspace.notebookDocuments.filter((nb) => this.clients.has(nb.uri.toString()));
    for (const nb of notebooks) this.shutdown(nb);
    return notebooks.length;
  }

  dispose(): void {
    for (const nb of vscode.workspace.notebookDocuments) this.shutdown(nb);
    for (const { client, unsubscribe } of this.clients.values()) {
      for (const u of unsubscribe) u();
      client.dispose();
    }
    this.clients.clear();
    this.closeListener.dispose();
    this.changed.dispose();
  }
}

/** Imports resolve from the notebook's folder; untitled notebooks use the first workspace folder. */
export function notebookDir(notebook: vscode.NotebookDocument): string {
  if (notebook.uri.scheme === 'file') return dirname(notebook.uri.fsPath);
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
}
