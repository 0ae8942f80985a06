/**
 * The "CR-VAE training" panel's script (a webview beside the editor while "Train CR-VAE"
 * runs): draws the training jobs' live charts with the vega-lite renderer's own code
 * (renderVegaLite: same theme config, same in-place data swap), one chart per model, under a
 * status line. Messages: src/common/trainPanel.ts. Browser-only; no vscode, no tfjs.
 */
import type { HostToPanel, PanelToHost } from '../common/trainPanel';
import { CSS, showError } from './common';
import { renderVegaLite } from './vegalite';

declare function acquireVsCodeApi(): { postMessage(m: PanelToHost): void };
const vscode = acquireVsCodeApi();

const root = document.createElement('div');
root.className = 'vae-lab-train-panel';
root.style.cssText = `color:${CSS.fg};font:13px ${CSS.font};padding:8px 12px`;
const status = document.createElement('div');
status.className = 'status';
status.style.cssText = `margin-bottom:8px;color:${CSS.muted}`;
status.textContent = 'Waiting for the training jobs…';
const charts = document.createElement('div');
charts.className = 'charts';
root.append(status, charts);
document.body.appendChild(root);

/** Per chart: its element, the newest spec, and whether a draw is in flight (draws never overlap). */
interface Slot {
  element: HTMLElement;
  spec: Record<string, unknown>;
  drawing: boolean;
  stale: boolean;
}
const slots = new Map<string, Slot>();

async function draw(id: string, slot: Slot): Promise<void> {
  if (slot.drawing) {
    slot.stale = true;
    return;
  } // the in-flight draw picks up the newest spec after
  slot.drawing = true;
  try {
    do {
      slot.stale = false;
      try {
        await renderVegaLite(`panel:${id}`, slot.spec, slot.element);
      } catch (err) {
        showError(slot.element, 'training chart', err);
      }
    } while (slot.stale && slots.get(id) === slot);
  } finally {
    slot.drawing = false;
  }
}

function receive(m: HostToPanel): void {
  switch (m.type) {
    case 'reset':
      slots.clear();
      charts.replaceChildren();
      return;
    case 'status':
      status.textContent = m.text;
      status.dataset.state = m.state;
      status.style.color = m.state === 'failed' ? 'var(--vscode-errorForeground, #c00)' : m.state === 'running' ? CSS.muted : CSS.fg;
      return;
    case 'chart': {
      let slot = slots.get(m.id);
      if (!slot) {
        const element = document.createElement('div');
        element.className = 'chart';
        element.dataset.id = m.id;
        element.style.marginBottom = '12px';
        charts.appendChild(element);
        slot = { element, spec: m.spec, drawing: false, stale: false };
        slots.set(m.id, slot);
      }
      slot.spec = m.spec;
      void draw(m.id, slot);
      return;
    }
  }
}

window.addEventListener('message', (ev: MessageEvent<HostToPanel>) => {
  if (ev.data && typeof ev.data === 'object' && typeof ev.data.type === 'string') receive(ev.data);
});

// Axis and label colours are baked into the chart config: re-embed every chart on a theme switch
// (emptying the element makes renderVegaLite embed anew instead of swapping the data).
let theme = document.body.className;
new MutationObserver(() => {
  if (document.body.className === theme) return;
  theme = document.body.className;
  for (const [id, slot] of slots) {
    slot.element.replaceChildren();
    void draw(id, slot);
  }
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

vscode.postMessage({ type: 'ready' });
