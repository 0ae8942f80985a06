/**
 * The options a notebook's kernel starts with, from the `vaeLab.*` settings (read when the
 * kernel starts, so a change applies to the next kernel) and the extension's own files.
 */
import * as vscode from 'vscode';
import type { BackendChoice, TypeCheckMode } from '../common/protocol';
import type { KernelClientOptions } from '../host/client';
import { gpuModuleDirs } from './gpuRuntimePlan';
import { notebookDir } from './kernels';

export function kernelOptionsFor(context: vscode.ExtensionContext, notebook: vscode.NotebookDocument): KernelClientOptions {
  const config = vscode.workspace.getConfiguration('vaeLab', notebook.uri);
  return {
    kernelScript: context.asAbsolutePath('dist/kernel.js'),
    // Empty: the client runs the kernel on VS Code's own runtime (Electron as Node, or code-server's node).
    nodePath: config.get<string>('nodePath', '').trim() || undefined,
    notebookDir: notebookDir(notebook),
    typeCheck: config.get<TypeCheckMode>('typeCheck', 'warn'),
    backend: config.get<BackendChoice>('backend', 'auto'),
    extraModuleDirs: gpuModuleDirs(context.globalStorageUri.fsPath),
  };
}
