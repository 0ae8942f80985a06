/**
 * "VAE Lab: Restart Kernel" (the active notebook's kernel; its state is lost),
 * "VAE Lab: Show Kernel Log", and an offer to restart kernels when `vaeLab.*` settings change.
 */
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';

export function registerKernelCommands({ kernels, log }: ExtensionServices): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('vaeLab.restartKernel', async () => {
      const notebook = vscode.window.activeNotebookEditor?.notebook;
      if (!notebook || !kernels.get(notebook)) {
        void vscode.window.showInformationMessage(vscode.l10n.t('VAE Lab: no kernel is running for the active notebook; running a cell starts one.'));
        return;
      }
      // A new client, not client.restart(): it reads the settings again (backend, Node, type check).
      kernels.shutdown(notebook);
      try {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('VAE Lab: restarting the kernel') }, () =>
          kernels.getOrCreate(notebook).start(),
        );
      } catch (err) {
        void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: the kernel did not restart: {0}', err instanceof Error ? err.message : String(err)));
      }
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      const running = vscode.workspace.notebookDocuments.filter((nb) => kernels.get(nb));
      if (!e.affectsConfiguration('vaeLab') || running.length === 0) return;
      const pick = await vscode.window.showInformationMessage(
        vscode.l10n.t('VAE Lab settings changed. Running kernels keep the old settings until they restart (their variables are lost).'),
        vscode.l10n.t('Restart Kernels'),
      );
      if (pick) kernels.shutdownAll();
    }),
    vscode.commands.registerCommand('vaeLab.showKernelLog', () => log.show()),
  ];
}
