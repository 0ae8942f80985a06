/**
 * Messages between "Train CR-VAE" (extension host) and its live chart panel (a webview that
 * draws with the vega-lite renderer's code, src/renderers/trainPanel.ts), plus the pure
 * bookkeeping of the charts shown.
 *
 * One chart per training job (id: its folder), a vega-lite spec the host builds from the job's
 * step events (src/common/curves.ts, the chart the lab's live chart draws). The host keeps the
 * newest spec of each so a webview that (re)loads gets the current curves at once, then
 * forwards each update.
 *
 * No vscode, DOM or tfjs imports here: both sides import this file.
 */

/** Host -> webview: draw or update the chart `id` (a job's folder) with `spec`. */
export interface PanelChart {
  type: 'chart';
  id: string;
  spec: Record<string, unknown>;
}
/** Host -> webview: the line above the charts (progress; 'done' / 'cancelled' / 'failed' at the end). */
export interface PanelStatus {
  type: 'status';
  text: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
}
/** Host -> webview: forget every chart (a new training run reuses the panel). */
export interface PanelReset {
  type: 'reset';
}
export type HostToPanel = PanelChart | PanelStatus | PanelReset;

/** Webview -> host: the script has loaded and wants the current state (also after a reload). */
export interface PanelReady {
  type: 'ready';
}
export type PanelToHost = PanelReady;

/**
 * The newest chart per display id (in the order they first appeared) and the newest status:
 * what a webview that just loaded must be sent to show the current state.
 */
export class ChartFeed {
  private readonly charts = new Map<string, PanelChart>();
  private status: PanelStatus | undefined;

  /** Records chart `id`'s newest spec; returns the update to forward. */
  chart(id: string, spec: Record<string, unknown>): PanelChart {
    const chart: PanelChart = { type: 'chart', id, spec };
    this.charts.set(id, chart); // Map keeps first-insertion order: charts do not jump
    return chart;
  }

  setStatus(text: string, state: PanelStatus['state'] = 'running'): PanelStatus {
    return (this.status = { type: 'status', text, state });
  }

  /** Number of charts seen. */
  get size(): number {
    return this.charts.size;
  }

  /** Everything to send a freshly loaded webview: a reset, the status, then each chart's newest spec. */
  snapshot(): HostToPanel[] {
    return [{ type: 'reset' }, ...(this.status ? [this.status] : []), ...this.charts.values()];
  }

  /** Forgets everything (a new run). */
  clear(): void {
    this.charts.clear();
    this.status = undefined;
  }
}
