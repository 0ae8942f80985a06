/**
 * Vega-Lite renderer (application/vnd.vegalite.v4/v5/v6+json) so charts draw with no other
 * extension installed. vega, vega-lite and vega-embed are bundled (no CDN). Vega normally
 * compiles expressions with `new Function`, which a webview's CSP may forbid, so expressions
 * run through vega-interpreter (`ast: true`). Colours come from VS Code's theme.
 */
import type { ActivationFunction } from 'vscode-notebook-renderer';
import embed, { type Result, type VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import { Disposables, readTheme, requireObject, showError, watchTheme, type Theme } from './common';

/** Axis, legend and title colours follow the editor; the chart background stays transparent. */
export function themeConfig(t: Theme): Record<string, unknown> {
  const label = { labelColor: t.foreground, titleColor: t.foreground };
  return {
    background: 'transparent',
    font: t.font,
    title: { color: t.foreground, subtitleColor: t.muted },
    axis: { ...label, domainColor: t.muted, tickColor: t.muted, gridColor: t.dark ? '#3c3c3c' : '#e0e0e0' },
    legend: label,
    header: label,
    view: { stroke: t.dark ? '#444444' : '#dddddd' },
    // Vega's default blue is too dark on dark themes; marks without their own colour get this.
    mark: { color: t.dark ? '#75aadb' : '#4c78a8' },
  };
}

const disposables = new Disposables();
/** Live views by output id, with the spec minus its data, to update in place instead of re-embedding. */
const views = new Map<string, { result: Result; shape: string }>();

/** A spec whose top-level data is `{name, values}` can be updated by swapping the values. */
function liveData(spec: Record<string, unknown>): { name: string; values: unknown[]; shape: string } | undefined {
  const data = spec.data as { name?: unknown; values?: unknown } | undefined;
  if (!data || typeof data.name !== 'string' || !Array.isArray(data.values)) return undefined;
  return { name: data.name, values: data.values, shape: JSON.stringify({ ...spec, data: { name: data.name } }) };
}

/** Draws or updates the chart; `embedded` is true when a new view was made (not a data swap). */
export async function renderVegaLite(id: string, value: unknown, element: HTMLElement): Promise<{ result: Result; embedded: boolean }> {
  const spec = requireObject(value, 'vega-lite spec');
  const live = liveData(spec);
  const old = views.get(id);
  // The trainer's live chart re-sends the same spec with more points: change the data only,
  // so the chart does not flicker or lose hover state on every update.
  if (old && live && old.shape === live.shape && element.contains(old.result.view.container())) {
    await old.result.view.data(live.name, live.values).runAsync();
    return { result: old.result, embedded: false };
  }
  disposables.dispose(id);
  const theme = readTheme();
  const box = document.createElement('div');
  box.className = 'vae-lab-vegalite';
  element.replaceChildren(box);
  const result = await embed(box, spec as VisualizationSpec, {
    mode: 'vega-lite',
    actions: { export: true, source: false, compiled: false, editor: false },
    ast: true,
    expr: expressionInterpreter,
    config: themeConfig(theme) as never,
  });
  views.set(id, { result, shape: live?.shape ?? '' });
  disposables.add(id, () => {
    views.delete(id);
    result.finalize();
  });
  return { result, embedded: true };
}

/** The newest spec per output: a theme switch re-embeds what the output shows now. */
const latest = new Map<string, unknown>();

async function draw(id: string, element: HTMLElement, signal: AbortSignal): Promise<void> {
  try {
    const { embedded } = await renderVegaLite(id, latest.get(id), element);
    if (signal.aborted) disposables.dispose(id);
    // Axis and label colours are in the chart config: re-embed when the theme changes.
    else if (embedded)
      watchTheme(disposables, id, () => {
        disposables.dispose(id);
        void draw(id, element, signal);
      });
  } catch (err) {
    disposables.dispose(id);
    showError(element, 'chart', err);
  }
}

export const activate: ActivationFunction = () => ({
  async renderOutputItem(item, element, signal) {
    try {
      latest.set(item.id, item.json());
    } catch (err) {
      showError(element, 'chart', err);
      return;
    }
    await draw(item.id, element, signal);
  },
  disposeOutputItem(id) {
    if (id === undefined) latest.clear();
    else latest.delete(id);
    disposables.dispose(id);
  },
});
