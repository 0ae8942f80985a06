/**
 * Messages between "Train CR-VAE" (extension host) and its live chart panel (a webview that
 * draws with the vega-lite renderer's code, src/renderers/trainPanel.ts), plus the pure
 * bookkeeping that turns the training kernel's display messages into chart updates.
 *
 * The training program shows one live chart per model (the lab's liveChart, a vega-lite
 * display updated in place under its displayId). The host keeps the newest spec of each so
 * a webview that (re)loads gets the current curves at once, then forwards each update.
 *
 * No vscode, DOM or tfjs imports here: both sides import this file.
 */

import { MIME_VEGALITE_ALL } from './mime';

/** Host -> webview: draw or update the chart `id` (a display id) with `spec`. */
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

/** The fields of a kernel display message the feed reads (protocol DisplayMessage). */
export interface DisplayLike {
  type: string;
  displayId?: string;
  data?: Record<string, unknown>;
}

/** The chart a kernel message carries: a display (new or update) with a vega-lite spec object. */
export function chartOf(m: DisplayLike): PanelChart | undefined {
  if (m.type !== 'display' || !m.data || typeof m.displayId !== 'string') return undefined;
  for (const mime of MIME_VEGALITE_ALL) {
    const spec = m.data[mime];
    if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) return { type: 'chart', id: m.displayId, spec: spec as Record<string, unknown> };
  }
  return undefined;
}

/**
 * The newest chart per display id (in the order they first appeared) and the newest status:
 * what a webview that just loaded must be sent to show the current state.
 */
export class ChartFeed {
  private readonly charts = new Map<string, PanelChart>();
  private status: PanelStatus | undefined;

  /** Records a kernel message; returns the update to forward, or undefined when it is no chart. */
  accept(m: DisplayLike): PanelChart | undefined {
    const chart = chartOf(m);
    if (chart) this.charts.set(chart.id, chart); // Map keeps first-insertion order: charts do not jump
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
