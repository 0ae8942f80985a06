/**
 * What the extension's parts share, built once in extension.ts and handed to each command.
 */
import type * as vscode from 'vscode';
import type { KernelRegistry } from './kernels';
import type { VaeLabController } from './controller';

export interface ExtensionServices {
  context: vscode.ExtensionContext;
  /** The "VAE Lab" output channel (kernel logs, npm output, errors). */
  log: vscode.LogOutputChannel;
  /** The running kernels, one per notebook. */
  kernels: KernelRegistry;
  controller: VaeLabController;
}
