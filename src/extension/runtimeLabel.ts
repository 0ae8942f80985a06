/**
 * What the status bar says about a kernel: the tfjs backend the kernel reported and the
 * kernel's state. Pure (no vscode), so the wording is unit-tested.
 */
import type { RuntimeInfo } from '../common/protocol';
import type { KernelState } from '../host/client';

/** `tfjs: wasm (2 threads)`, `tfjs: tensorflow GPU (NVIDIA H100)`, `tfjs: cpu`. */
export function runtimeLabel(runtime: RuntimeInfo | undefined): string {
  if (!runtime) return 'tfjs: …';
  if (/gpu/i.test(runtime.device)) return `tfjs: ${runtime.backend} ${runtime.device}`;
  const note = runtime.note ? `, ${runtime.note}` : '';
  if (runtime.threads && runtime.threads > 0) {
    return `tfjs: ${runtime.backend} (${runtime.threads} thread${runtime.threads === 1 ? '' : 's'}${note})`;
  }
  if (note) return `tfjs: ${runtime.backend} (${note.slice(2)})`;
  return `tfjs: ${runtime.backend}`;
}

const stateIcon: Record<KernelState, string> = {
  stopped: '$(circle-slash)',
  disposed: '$(circle-slash)',
  starting: '$(loading~spin)',
  idle: '$(circle-outline)',
  busy: '$(circle-filled)',
  dead: '$(error)',
};

export function statusText(runtime: RuntimeInfo | undefined, state: KernelState): string {
  return `${stateIcon[state]} ${runtimeLabel(runtime)} · ${state}`;
}

/** Markdown-free tooltip: device, Node version and why faster backends were skipped. */
export function statusTooltip(runtime: RuntimeInfo | undefined, state: KernelState, nodeVersion?: string): string {
  const lines = [`VAE Lab kernel: ${state}`];
  if (nodeVersion) lines.push(`Node ${nodeVersion}`);
  if (runtime) {
    lines.push(`Backend: ${runtime.backend}, device: ${runtime.device}`);
    for (const s of runtime.skipped ?? []) lines.push(`Skipped ${s.backend}: ${s.reason}`);
  }
  lines.push('Click to show the kernel log.');
  return lines.join('\n');
}
