/**
 * Carries messages between the latent-traversal renderer and the kernel of the notebook it is
 * shown in (the renderer asks for decoded frames while the kernel that made them still runs).
 * Renderer -> host: `RendererRequest`; host -> renderer: `RendererResponse` with the same
 * `reqId` (src/common/mime.ts). When no kernel runs for that notebook the response carries an
 * `error` and the renderer falls back to the frames saved in the output.
 */
import * as vscode from 'vscode';
import type { RendererRequest, RendererResponse } from '../common/mime';
import type { KernelRegistry } from './kernels';

export const MESSAGING_RENDERER_IDS = ['vae-lab.traversal'] as const;

function isRendererRequest(m: unknown): m is RendererRequest {
  const r = m as Partial<RendererRequest> | null;
  return typeof r === 'object' && r !== null && r.type === 'request' && typeof r.channel === 'string' && typeof r.reqId === 'string';
}

export function registerRendererMessaging(kernels: KernelRegistry, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return MESSAGING_RENDERER_IDS.map((rendererId) => {
    const messaging = vscode.notebooks.createRendererMessaging(rendererId);
    return messaging.onDidReceiveMessage(async ({ editor, message }) => {
      if (!isRendererRequest(message)) {
        log.warn(`${rendererId}: ignored a message that is not a RendererRequest`);
        return;
      }
      const response = await answer(kernels, editor.notebook, message);
      await messaging.postMessage(response, editor);
    });
  });
}

async function answer(kernels: KernelRegistry, notebook: vscode.NotebookDocument, request: RendererRequest): Promise<RendererResponse> {
  const client = kernels.get(notebook);
  // Asking a stopped or dead client would start a fresh kernel that knows nothing of this output.
  if (!client || (client.state !== 'idle' && client.state !== 'busy')) {
    return { type: 'response', reqId: request.reqId, error: 'No VAE Lab kernel is running for this notebook; run the cell again to make this output live.' };
  }
  try {
    const reply = await client.rendererMessage(request.channel, request.payload);
    return { type: 'response', reqId: request.reqId, payload: reply.payload, error: reply.error };
  } catch (err) {
    return { type: 'response', reqId: request.reqId, error: err instanceof Error ? err.message : String(err) };
  }
}
