/**
 * Runs inside a VS Code downloaded by @vscode/test-electron (see electron.ts): the same
 * fixture notebook and checks as the code-server test, driven through the API instead of the
 * UI. Bundled to CommonJS by electron.ts; VS Code calls `run()`.
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { checkNotebook } from './fixture';

export async function run(): Promise<void> {
  const path = process.env.VAE_LAB_E2E_NOTEBOOK;
  if (!path) throw new Error('VAE_LAB_E2E_NOTEBOOK is not set (electron.ts sets it)');
  const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(path));
  await vscode.window.showNotebookDocument(notebook);
  await vscode.commands.executeCommand('notebook.selectKernel', { id: 'vae-lab-kernel', extension: 'vae-lab.vae-lab' });
  // Resolves when the controller's batch is over (its execute handler returns that promise).
  await vscode.commands.executeCommand('notebook.execute');
  await notebook.save();
  const saved = JSON.parse(readFileSync(path, 'utf8'));
  const results = checkNotebook(saved);
  for (const r of results) console.log(`${r.problems.length ? 'FAIL' : 'ok  '} ${r.title}${r.problems.map((p) => `\n       ${p}`).join('')}`);
  const failed = results.filter((r) => r.problems.length).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  if (failed) throw new Error(`${failed} end-to-end checks failed`);
}
