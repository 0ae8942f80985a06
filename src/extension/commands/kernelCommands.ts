/**
 * "VAE Lab: Restart Kernel" (the active notebook's kernel; its state is lost) and
 * "VAE Lab: Show Kernel Log".
 */
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';

export function registerKernelCommands({ kernels, log }: ExtensionServices): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('vaeLab.restartKernel', async () => {
      const notebook = vscode.window.activeNotebookEditor?.notebook;
      const client = notebook && kernels.get(notebook);
      if (!client) {
        void vscode.window.showInformationMessage('VAE Lab: no kernel is running for the active notebook; running a cell starts one.');
        return;
      }
      try {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'VAE Lab: restarting the kernel' },
          () => client.restart(),
        );
      } catch (err) {
        void vscode.window.showErrorMessage(`VAE Lab: the kernel did not restart: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
    vscode.commands.registerCommand('vaeLab.showKernelLog', () => log.show()),
  ];
}
