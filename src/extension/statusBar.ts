/**
 * Status bar item for the active notebook's kernel: the tfjs runtime it reported and its state
 * (`$(circle-outline) tfjs: wasm (2 threads) · idle`). Hidden for notebooks that use another
 * kernel or have not started one. Clicking it opens the kernel log.
 */
import * as vscode from 'vscode';
import type { KernelRegistry } from './kernels';
import { statusText, statusTooltip } from './runtimeLabel';

export class KernelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('vaeLab.kernel', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly kernels: KernelRegistry) {
    this.item.name = 'VAE Lab kernel';
    this.item.command = 'vaeLab.showKernelLog';
    this.disposables = [this.item, kernels.onDidChange(() => this.refresh()), vscode.window.onDidChangeActiveNotebookEditor(() => this.refresh())];
    this.refresh();
  }

  private refresh(): void {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    const session = notebook && this.kernels.get(notebook);
    if (!session) {
      this.item.hide();
      return;
    }
    this.item.text = statusText(session.runtime, session.state);
    this.item.tooltip = statusTooltip(session.runtime, session.state, session.ready?.nodeVersion);
    this.item.backgroundColor = session.state === 'dead' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
