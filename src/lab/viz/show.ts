/**
 * One call per picture in a cell: `show.reconstructions(model, batch)`, `show.traversal(model,
 * x)`, `show.arrows(panels, x, xTilde, labels)`, `show.chart(spec)`. In a notebook kernel
 * they display through the cell host and return nothing (so the cell's value does not show
 * the same output twice); without a host (command line) they return the MIME bundle. The
 * tensor-reading ones are async (`await show.traversal(...)`): they read tensors back
 * asynchronously, which every backend supports (webgpu cannot read synchronously).
 */
import * as tf from '../tf';
import type { MimeBundle } from '../../common/protocol';
import { currentHost } from '../../common/display';
import { MIME_TRAVERSAL, type TraversalPayload } from '../../common/mime';
import type { LatentModel } from '../models/types';
import { consistencyArrows, type ArrowsPanelInput, type ConsistencyArrowsOptions } from './arrows';
import { chartBundle } from './charts';
import { reconstructionGrid, type ReconstructionGridOptions } from './grid';
import { latentTraversal, type LatentTraversalOptions } from './traversal';

function emit(bundle: MimeBundle): MimeBundle | undefined {
  const host = currentHost();
  if (!host) return bundle;
  host.display(bundle);
  return undefined;
}

export const show = {
  async reconstructions(model: LatentModel, batch: tf.Tensor4D, opts?: ReconstructionGridOptions): Promise<MimeBundle | undefined> {
    return emit(await reconstructionGrid(model, batch, opts));
  },

  /**
   * Also answers the renderer's live requests on `traversal:<id>` for as long as the kernel
   * lives (the handler is registered with the host, not tied to this cell's run).
   */
  async traversal(model: LatentModel, x: tf.Tensor4D, opts?: LatentTraversalOptions): Promise<MimeBundle | undefined> {
    const t = await latentTraversal(model, x, opts);
    const host = currentHost();
    if (host) {
      const id = (t.bundle[MIME_TRAVERSAL] as TraversalPayload).id;
      host.onRendererMessage(`traversal:${id}`, (payload) => t.handle(payload));
    }
    return emit(t.bundle);
  },

  async arrows(
    panels: ArrowsPanelInput[],
    x: tf.Tensor4D | undefined,
    xTilde: tf.Tensor4D | undefined,
    labels: tf.Tensor1D | ArrayLike<number>,
    opts?: ConsistencyArrowsOptions,
  ): Promise<MimeBundle | undefined> {
    return emit(await consistencyArrows(panels, x, xTilde, labels, opts));
  },

  chart(spec: Record<string, unknown>, text?: string): MimeBundle | undefined {
    return emit(chartBundle(spec, text));
  },
};
