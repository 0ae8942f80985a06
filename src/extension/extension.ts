/**
 * Composition root of the extension host side: builds the kernel registry, the notebook
 * controller, the status bar, renderer messaging, language features and commands, and hands
 * them to VS Code for disposal. Everything that runs cells lives in the kernel process.
 */
import * as vscode from 'vscode';
import { registerKernelCommands } from './commands/kernelCommands';
import { registerOpenExample } from './commands/openExample';
import { registerRunSweep } from './commands/runSweep';
import { registerTrainCrVae } from './commands/trainCrVae';
import { registerLanguageFeatures } from './completions';
import { VaeLabController } from './controller';
import { installGpuRuntime } from './gpuRuntime';
import { cliOptionsFor, kernelOptionsFor } from './kernelOptions';
import { KernelRegistry } from './kernels';
import { registerRendererMessaging } from './rendererMessaging';
import { registerRunsView } from './runs/runsView';
import type { ExtensionServices } from './services';
import { KernelStatusBar } from './statusBar';

export function activate(context: vscode.ExtensionContext): ExtensionServices {
  const log = vscode.window.createOutputChannel('VAE Lab', { log: true });
  const kernels = new KernelRegistry((notebook) => kernelOptionsFor(context, notebook), log);
  const controller = new VaeLabController(kernels, log);
  const services: ExtensionServices = { context, log, kernels, controller };
  context.subscriptions.push(
    log,
    kernels,
    controller,
    new KernelStatusBar(kernels),
    ...registerRendererMessaging(kernels, log),
    ...registerLanguageFeatures(kernels),
    ...registerKernelCommands(services),
    registerTrainCrVae(services),
    registerOpenExample(services),
    registerRunSweep(services),
    ...registerRunsView(log, (scope) => cliOptionsFor(context, scope)).disposables,
    vscode.commands.registerCommand('vaeLab.installGpuRuntime', () => installGpuRuntime(context, kernels, log)),
  );
  return services;
}

export function deactivate(): void {
  // Kernels are child processes: KernelRegistry.dispose (a subscription) stops them.
}
