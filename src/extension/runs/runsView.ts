/**
 * The "VAE Lab Runs" view (explorer): the sweeps and lone runs under the workspace's run
 * folders (model.ts says where), with their states and progress, live. Refreshed by file
 * watchers on those folders (debounced) and, while a job runs, by a poll: a watch can miss
 * events, and a process that died writes nothing to watch.
 *
 * Per job: Open Results (results.ipynb, else metrics.json), Show Log (log.txt), Cancel (while
 * running: SIGTERM to a local job's process, scancel for a Slurm task). Per sweep: Open Results
 * (results.ipynb, else summary.json) and Cancel (`vae-lab sweep cancel DIR`).
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import {
  jobDescription,
  jobsOf,
  ProgressCache,
  RUNS_FOLDER,
  scanWorkspace,
  sweepDescription,
  treeSignature,
  type JobNode,
  type RunNode,
  type ShownState,
} from './model';
import { runCli, type CliOptions } from './sweepProcess';

export const RUNS_VIEW_ID = 'vaeLab.runs';

const ICONS: Record<ShownState, [string, string?]> = {
  queued: ['clock'],
  running: ['sync~spin', 'charts.blue'],
  done: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash'],
  stopped: ['warning', 'charts.orange'],
};
const icon = (s: ShownState) => new vscode.ThemeIcon(ICONS[s][0], ICONS[s][1] ? new vscode.ThemeColor(ICONS[s][1]!) : undefined);

/** A sweep's overall state for its icon: running first, then any failure, then done. */
function sweepState(counts: Record<ShownState, number>): ShownState {
  for (const s of ['running', 'failed', 'stopped', 'queued', 'cancelled'] as const) if (counts[s]) return s;
  return 'done';
}

export class RunsView implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache = new ProgressCache();
  private readonly disposables: vscode.Disposable[] = [];
  private nodes: RunNode[] = [];
  private shown: string | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor() {
    for (const pattern of [`**/${RUNS_FOLDER}/**`, '**/{sweep.json,state.json,events.jsonl,metrics.json}']) {
      const w = vscode.workspace.createFileSystemWatcher(pattern);
      this.disposables.push(
        w,
        w.onDidCreate(() => this.refreshSoon()),
        w.onDidChange(() => this.refreshSoon()),
        w.onDidDelete(() => this.refreshSoon()),
      );
    }
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refreshSoon()));
  }

  /** Reads the folders again within 300 ms (a burst of file events is one read). */
  refreshSoon(): void {
    this.debounce ??= setTimeout(() => this.refresh(), 300);
  }

  refresh(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = undefined;
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const nodes = scanWorkspace(folders, { cache: this.cache });
    const signature = treeSignature(nodes);
    const same = signature === this.shown;
    if (!same) {
      this.nodes = nodes;
      this.shown = signature;
    }
    const running = jobsOf(this.nodes).some((j) => j.state === 'running' || j.state === 'queued');
    if (running && !this.poll) this.poll = setInterval(() => this.refreshSoon(), 2000);
    if (!running && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
    if (same) return;
    void vscode.commands.executeCommand('setContext', 'vaeLab.hasRuns', this.nodes.length > 0);
    this.changed.fire(undefined);
  }

  getChildren(node?: RunNode): RunNode[] {
    if (!node) {
      if (!this.nodes.length && !this.debounce) this.refresh();
      return this.nodes;
    }
    return node.kind === 'sweep' ? node.jobs : node.kind === 'folder' ? node.children : [];
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    if (node.kind === 'folder') {
      const item = new vscode.TreeItem(node.name, C.Expanded);
      item.iconPath = vscode.ThemeIcon.Folder;
      item.resourceUri = vscode.Uri.file(node.dir);
      item.contextValue = 'vaeLab.runFolder';
      item.id = node.dir;
      return item;
    }
    if (node.kind === 'sweep') {
      const state = sweepState(node.counts);
      const item = new vscode.TreeItem(node.name, state === 'running' ? C.Expanded : C.Collapsed);
      item.description = sweepDescription(node);
      item.tooltip = `${node.dir}\n${item.description}`;
      item.iconPath = icon(state);
      item.contextValue = `vaeLab.sweep${node.counts.running || node.counts.queued ? '.running' : ''}`;
      item.id = node.dir;
      return item;
    }
    const params = node.params ? Object.entries(node.params).map(([k, v]) => `${k}=${v}`) : [];
    const item = new vscode.TreeItem(node.id, C.None);
    item.description = jobDescription(node);
    item.tooltip = [node.dir, ...(params.length ? [params.join(' ')] : []), item.description, node.progress.error ? `error: ${node.progress.error}` : '']
      .filter(Boolean)
      .join('\n');
    item.iconPath = icon(node.state);
    item.contextValue = `vaeLab.job.${node.state}`;
    item.id = node.dir;
    return item;
  }

  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
    if (this.poll) clearInterval(this.poll);
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}

/** Opens a file in an editor (a notebook as a notebook). */
async function openFile(file: string): Promise<void> {
  const uri = vscode.Uri.file(file);
  if (file.endsWith('.ipynb')) await vscode.commands.executeCommand('vscode.openWith', uri, 'jupyter-notebook');
  else await vscode.window.showTextDocument(uri, { preview: false });
}

/** Cancels one job: SIGTERM to its process (local, this machine) or scancel of its task (Slurm). */
async function cancelJob(job: JobNode): Promise<string> {
  const s = job.status;
  if (s.executor === 'slurm' && s.slurm?.jobId) {
    const id = s.slurm.arrayTaskId !== undefined ? `${s.slurm.jobId}_${s.slurm.arrayTaskId}` : s.slurm.jobId;
    await new Promise<void>((resolve, reject) => execFile('scancel', [id], (err) => (err ? reject(new Error(`scancel ${id}: ${err.message}`)) : resolve())));
    return `asked Slurm to cancel task ${id}`;
  }
  if (s.pid === undefined) throw new Error(`${job.id} has no process id in its state.json; cancel its sweep instead.`);
  if (s.host && s.host !== hostname()) throw new Error(`${job.id} runs on ${s.host}, not on this machine; cancel it there.`);
  process.kill(s.pid, 'SIGTERM');
  return `sent SIGTERM to ${job.id} (pid ${s.pid})`;
}

export function registerRunsView(log: vscode.LogOutputChannel, cli: (scope?: vscode.Uri) => CliOptions): { view: RunsView; disposables: vscode.Disposable[] } {
  const view = new RunsView();
  const tree = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: view, showCollapseAll: true });
  const disposables: vscode.Disposable[] = [
    view,
    tree,
    // Tree refreshes while the view is hidden cost reads for nothing: read again when it shows.
    tree.onDidChangeVisibility((e) => e.visible && view.refresh()),
    vscode.commands.registerCommand('vaeLab.runs.refresh', () => view.refresh()),
    vscode.commands.registerCommand('vaeLab.runs.openResults', async (node?: RunNode) => {
      if (!node) return;
      const candidates =
        node.kind === 'job'
          ? [join(node.dir, 'results.ipynb'), join(node.dir, 'metrics.json')]
          : [join(node.dir, 'results.ipynb'), ...(node.kind === 'sweep' ? [join(node.dir, 'summary.json')] : [])];
      const file = candidates.find((f) => existsSync(f));
      if (!file) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t(
            'VAE Lab: {0} has no results yet (no {1}).',
            node.kind === 'job' ? node.id : node.name,
            candidates.map((c) => c.split('/').pop()).join(' or '),
          ),
        );
        return;
      }
      await openFile(file);
    }),
    vscode.commands.registerCommand('vaeLab.runs.showLog', async (node?: RunNode) => {
      if (node?.kind !== 'job') return;
      const file = join(node.dir, 'log.txt');
      if (!existsSync(file)) {
        void vscode.window.showInformationMessage(vscode.l10n.t('VAE Lab: {0} has no log.txt yet (it has not started).', node.id));
        return;
      }
      await openFile(file);
    }),
    vscode.commands.registerCommand('vaeLab.runs.cancel', async (node?: RunNode) => {
      if (!node) return;
      try {
        if (node.kind === 'job') log.info(`Runs: ${await cancelJob(node)}`);
        else if (node.kind === 'sweep') {
          const r = await runCli(cli(vscode.Uri.file(node.dir)), ['sweep', 'cancel', node.dir]);
          log.info(`Runs: vae-lab sweep cancel ${node.dir}: exit ${r.code}\n${r.output.trimEnd()}`);
          if (r.code !== 0) throw new Error(`vae-lab sweep cancel ended with ${r.code ?? r.signal}: ${r.output.trim().split('\n').pop() ?? ''}`);
        }
      } catch (e) {
        void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: could not cancel: {0}', (e as Error).message));
      }
      view.refreshSoon();
    }),
  ];
  return { view, disposables };
}
