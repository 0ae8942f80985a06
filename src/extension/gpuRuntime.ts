/**
 * Command "VAE Lab: Install GPU Runtime": first finds out what CUDA this machine has (cudaProbe.ts);
 * where tfjs-node-gpu 4.22 cannot load (no NVIDIA driver, CUDA 12/13 only, no cuDNN 8) it says so
 * and offers the WebGPU backend instead. Then explains what the GPU build needs, runs npm into the
 * extension's storage with a cancellable progress notification (npm's output goes to the
 * "VAE Lab" log), then offers to restart running kernels so they pick it up.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { KernelRegistry } from './kernels';
import { gpuPlan, probeCuda } from './cudaProbe';
import { GPU_PACKAGE, GPU_REQUIREMENTS, gpuRuntimeDir, gpuUnsupportedReason, npmInstallInvocation } from './gpuRuntimePlan';

export async function installGpuRuntime(context: vscode.ExtensionContext, kernels: KernelRegistry, log: vscode.LogOutputChannel): Promise<void> {
  const unsupported = gpuUnsupportedReason(process.platform, process.arch);
  if (unsupported) {
    void vscode.window.showWarningMessage(unsupported);
    return;
  }
  const plan = gpuPlan(probeCuda());
  log.info(`GPU runtime: found ${plan.found.join('; ')}`);
  if (!plan.ok) {
    for (const p of plan.problems) log.warn(`GPU runtime: ${p}`);
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} 4.22 would not load on this machine.', GPU_PACKAGE),
      {
        modal: true,
        detail:
          `${plan.problems.join('\n')}\n\nFound: ${plan.found.join('; ')}.\n\n` +
          "VAE Lab's WebGPU backend uses the GPU without CUDA (Vulkan, Metal or Direct3D 12): set vaeLab.backend to 'webgpu'.",
      },
      'Use WebGPU',
      'Install Anyway',
    );
    if (pick === 'Use WebGPU') {
      await vscode.workspace.getConfiguration('vaeLab').update('backend', 'webgpu', vscode.ConfigurationTarget.Global);
      void vscode.window.showInformationMessage(vscode.l10n.t("vaeLab.backend is now 'webgpu': kernels started from now on use it where a GPU adapter loads."));
      return;
    }
    if (pick !== 'Install Anyway') return;
  }
  const go = await vscode.window.showInformationMessage(
    vscode.l10n.t('Install {0} for VAE Lab kernels?', GPU_PACKAGE),
    { modal: true, detail: GPU_REQUIREMENTS },
    vscode.l10n.t('Install'),
  );
  if (go !== vscode.l10n.t('Install')) return;

  const dir = gpuRuntimeDir(context.globalStorageUri.fsPath);
  mkdirSync(dir, { recursive: true });
  // A package.json of its own keeps npm from walking up into some unrelated project.
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const npm = npmInstallInvocation(dir, process.platform);
  log.info(`GPU runtime: ${npm.command} ${npm.args.join(' ')}`);
  log.show(true);

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Installing {0}', GPU_PACKAGE), cancellable: true },
    (progress, token) => runNpm(npm.command, npm.args, npm.shell, dir, log, token, (line) => progress.report({ message: line.slice(0, 80) })),
  );
  if (result === 'cancelled') {
    void vscode.window.showInformationMessage(vscode.l10n.t('GPU runtime install cancelled.'));
    return;
  }
  if (result !== 'ok') {
    void vscode.window
      .showErrorMessage(
        vscode.l10n.t(
          'Installing {0} failed: {1}. See "VAE Lab: Show Kernel Log" for npm\'s output; npm needs internet access to Google\'s storage as well as the npm registry.',
          GPU_PACKAGE,
          result,
        ),
        vscode.l10n.t('Show Log'),
      )
      .then((pick) => pick && log.show());
    return;
  }
  const restart = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      '{0} is installed. Kernels started from now on try it first (the status bar shows the backend in use). Restart the running kernels now?',
      GPU_PACKAGE,
    ),
    vscode.l10n.t('Restart Kernels'),
  );
  if (restart) kernels.shutdownAll();
}

/** Runs npm; resolves 'ok', 'cancelled' or a one-line reason. */
function runNpm(
  command: string,
  args: string[],
  shell: boolean,
  cwd: string,
  log: vscode.LogOutputChannel,
  token: vscode.CancellationToken,
  onLine: (line: string) => void,
): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, shell, env: process.env });
    const cancel = token.onCancellationRequested(() => child.kill());
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split(/\r?\n/)) {
        if (!line.trim()) continue;
        log.info(`npm: ${line}`);
        onLine(line);
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', (err: NodeJS.ErrnoException) => {
      cancel.dispose();
      resolve(err.code === 'ENOENT' ? 'npm was not found on PATH (install Node.js, which includes npm, then try again)' : err.message);
    });
    child.on('close', (code, signal) => {
      cancel.dispose();
      if (token.isCancellationRequested) resolve('cancelled');
      else resolve(code === 0 ? 'ok' : `npm exited with ${signal ?? `code ${code}`}`);
    });
  });
}
