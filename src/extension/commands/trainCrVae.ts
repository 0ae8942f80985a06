/**
 * Command "VAE Lab: Train CR-VAE" (issue 6). Placeholder until its implementation lands here:
 * it tells the user the command is not available yet instead of failing silently.
 */
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';

export function registerTrainCrVae(_services: ExtensionServices): vscode.Disposable {
  return vscode.commands.registerCommand('vaeLab.trainCrVae', () =>
    vscode.window.showInformationMessage(
      'VAE Lab: "Train CR-VAE" is not available in this version yet. Open notebooks/cr-vae.ipynb and run it with the VAE Lab (TypeScript) kernel instead.',
    ),
  );
}
