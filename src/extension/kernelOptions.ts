/**
 * The options a notebook's kernel starts with, from the `vaeLab.*` settings (read when the
 * kernel starts, so a change applies to the next kernel) and the extension's own files.
 */
import * as vscode from 'vscode';
import type { BackendChoice, TypeCheckMode } from '../common/protocol';
import type { KernelClientOptions } from '../host/client';
import { gpuModuleDirs } from './gpuRuntimePlan';
import { notebookDir } from './kernels';
import { AUDIENCE_ENV, DATA_DIR_ENV } from '../lab/data/errors';
import { dataDirSetting } from './dataDownload';
import type { CliOptions } from './runs/sweepProcess';

/**
 * What the lab needs to know about data in a kernel the extension starts: that its errors speak
 * to a VS Code user (settings, not npm or flags), and the `vaeLab.dataDir` setting, if set.
 */
export function dataEnv(scope?: vscode.Uri): Record<string, string> {
  const dataDir = dataDirSetting(scope);
  return { [AUDIENCE_ENV]: 'vscode', ...(dataDir ? { [DATA_DIR_ENV]: dataDir } : {}) };
}

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
    env: dataEnv(notebook.uri),
  };
}

/**
 * How the host runs the bundled `vae-lab` CLI (sweeps, cancel): with the kernels' Node (setting
 * vaeLab.nodePath; empty: VS Code's runtime) and their data environment.
 */
export function cliOptionsFor(context: vscode.ExtensionContext, scope?: vscode.Uri): CliOptions {
  const config = vscode.workspace.getConfiguration('vaeLab', scope);
  return {
    cliScript: context.asAbsolutePath('dist/cli.js'),
    nodePath: config.get<string>('nodePath', '').trim() || undefined,
    env: dataEnv(scope),
  };
}
