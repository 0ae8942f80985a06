/**
 * The "CR-VAE training" panel: a webview beside the editor that shows the training jobs'
 * live charts while "Train CR-VAE" runs, and keeps the final curves afterwards (the user
 * closes it). The webview runs dist/renderers/train-panel.js, which draws with the vega-lite
 * renderer's code; the host only forwards specs (ChartFeed, src/common/trainPanel.ts). One
 * panel is reused across runs. CSP: scripts and styles from the extension's dist/renderers
 * folder only (vega-embed adds its own <style>, hence 'unsafe-inline' for styles); nothing
 * remote.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { ChartFeed, type HostToPanel, type PanelStatus, type PanelToHost } from '../../common/trainPanel';

export const PANEL_VIEW_TYPE = 'vaeLab.trainingChart';

export class TrainingChartPanel implements vscode.Disposable {
  private static current: TrainingChartPanel | undefined;
  private readonly feed = new ChartFeed();
  private readonly subscriptions: vscode.Disposable[] = [];
  private closed = false;

  /** The panel of a new run: the open one, emptied and revealed, or a new one beside the editor. */
  static open(extensionUri: vscode.Uri, title: string): TrainingChartPanel {
    const current = TrainingChartPanel.current;
    if (current && !current.closed) {
      current.feed.clear();
      current.post({ type: 'reset' });
      current.panel.title = title;
      current.panel.reveal(undefined, true);
      return current;
    }
    // Column two: beside the editor (a second group is made if there is one), and where the
    // results notebook (column one) will not cover it.
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Two, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'renderers')],
      },
    );
    return (TrainingChartPanel.current = new TrainingChartPanel(panel, extensionUri));
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
  ) {
    panel.webview.html = panelHtml(panel.webview, vscode.Uri.joinPath(extensionUri, 'dist', 'renderers', 'train-panel.js'));
    this.subscriptions.push(
      // A (re)loaded webview (first load, or shown again after being hidden) asks for the current state.
      panel.webview.onDidReceiveMessage((m: PanelToHost) => {
        if (m?.type === 'ready') for (const msg of this.feed.snapshot()) this.post(msg);
      }),
      panel.onDidDispose(() => {
        this.closed = true;
        if (TrainingChartPanel.current === this) TrainingChartPanel.current = undefined;
        for (const d of this.subscriptions) d.dispose();
      }),
    );
  }

  /** Draws or updates chart `id` (a training job's curves). */
  chart(id: string, spec: Record<string, unknown>): void {
    this.post(this.feed.chart(id, spec));
  }

  status(text: string, state: PanelStatus['state'] = 'running'): void {
    this.post(this.feed.setStatus(text, state));
  }

  /** The editor column the panel is in (undefined once closed). */
  get column(): vscode.ViewColumn | undefined {
    return this.closed ? undefined : this.panel.viewColumn;
  }

  private post(m: HostToPanel): void {
    if (!this.closed) void this.panel.webview.postMessage(m);
  }

  dispose(): void {
    if (!this.closed) this.panel.dispose();
  }
}

function panelHtml(webview: vscode.Webview, script: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' ${webview.cspSource}`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `img-src ${webview.cspSource} data: blob:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>CR-VAE training</title>
<style>body { background: var(--vscode-editor-background); padding: 0; }</style>
</head>
<body>
<script type="module" nonce="${nonce}" src="${webview.asWebviewUri(script)}"></script>
</body>
</html>`;
}
