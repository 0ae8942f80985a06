/**
 * Command "VAE Lab: Run Sweep…": picks a sweep spec (a *.json with a "grid"; or the file the
 * explorer's context menu was opened on), the executor (local; slurm when `sbatch` is on PATH)
 * and the output folder (default vae-lab-runs/<spec name>), then runs `vae-lab sweep run`
 * under a cancellable progress notification (runs/drive.ts). The Runs view shows the sweep.
 *
 * Tests may pass `{ spec, executor, out }` (paths absolute or relative to the workspace folder).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { cliOptionsFor } from '../kernelOptions';
import { driveSweeps } from '../runs/drive';
import { defaultOutFolder, onPath, parseSweepSpec } from '../runs/spec';
import type { Executor } from '../runs/sweepProcess';
import type { ExtensionServices } from '../services';

export interface RunSweepArgs {
  spec?: string;
  executor?: Executor;
  out?: string;
}

export interface RunSweepOutcome {
  status: 'done' | 'failed' | 'cancelled' | 'aborted';
  out?: string;
  message?: string;
}

export function registerRunSweep(services: ExtensionServices): vscode.Disposable {
  return vscode.commands.registerCommand('vaeLab.runSweep', async (arg?: vscode.Uri | RunSweepArgs): Promise<RunSweepOutcome> => {
    try {
      return await runSweep(services, arg);
    } catch (e) {
      const message = (e as Error).message;
      services.log.error(`Run Sweep: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: {0}', message));
      return { status: 'failed', message };
    }
  });
}

async function pickSpec(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*.json', '{**/node_modules/**,**/vae-lab-runs/**,**/.*/**}', 500);
  const specs = files.filter((f) => {
    try {
      return 'name' in parseSweepSpec(readFileSync(f.fsPath, 'utf8'), f.fsPath);
    } catch {
      return false;
    }
  });
  const browse = { label: '$(folder-opened) Browse…', description: 'a JSON file with a "grid"', uri: undefined as vscode.Uri | undefined };
  const items = [...specs.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), browse];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Run Sweep: spec file'),
    placeHolder: specs.length
      ? vscode.l10n.t('A sweep spec: every combination in its "grid" is one job')
      : vscode.l10n.t('No *.json with a "grid" in this folder: browse for one'),
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const uris = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    filters: { 'Sweep spec': ['json'] },
    title: vscode.l10n.t('Sweep spec (JSON with a "grid")'),
  });
  return uris?.[0];
}

async function runSweep(services: ExtensionServices, arg?: vscode.Uri | RunSweepArgs): Promise<RunSweepOutcome> {
  const { context, log } = services;
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  if (!folder) {
    const message = 'Run Sweep writes its runs into the workspace: open a folder first (File > Open Folder…).';
    void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: {0}', message));
    return { status: 'aborted', message };
  }
  const root = folder.uri.fsPath;
  const given: RunSweepArgs = arg instanceof vscode.Uri ? { spec: arg.fsPath } : (arg ?? {});
  const abs = (p: string) => (isAbsolute(p) ? p : join(root, p));

  const specPath = given.spec ? abs(given.spec) : (await pickSpec())?.fsPath;
  if (!specPath) return { status: 'aborted', message: 'no spec chosen' };
  const parsed = parseSweepSpec(readFileSync(specPath, 'utf8'), specPath);
  if ('error' in parsed) throw new Error(parsed.error);

  let executor = given.executor;
  if (!executor) {
    const items: (vscode.QuickPickItem & { value: Executor })[] = [{ label: 'local', description: 'a pool of processes on this machine', value: 'local' }];
    if (onPath('sbatch')) items.push({ label: 'slurm', description: 'one sbatch array job; the tasks run on the cluster', value: 'slurm' });
    executor =
      items.length === 1 && !given.spec
        ? 'local'
        : (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Run Sweep: executor for {0}', parsed.name), ignoreFocusOut: true }))?.value;
    if (!executor) return { status: 'aborted', message: 'no executor chosen' };
  }

  let out = given.out;
  if (!out) {
    out = await vscode.window.showInputBox({
      title: vscode.l10n.t('Run Sweep: output folder'),
      prompt: 'Relative to the workspace folder. Running into a folder again skips its done jobs.',
      value: defaultOutFolder(parsed.name),
      ignoreFocusOut: true,
      validateInput: (t) => (t.trim() ? undefined : 'Enter a folder.'),
    });
    if (!out) return { status: 'aborted', message: 'no output folder' };
  }
  const outDir = abs(out.trim());
  const rel = relative(root, outDir) || '.';
  log.info(`Run Sweep: ${specPath} on ${executor} -> ${outDir}`);

  const r = await driveSweeps({
    cli: { ...cliOptionsFor(context, folder.uri), cwd: root },
    runs: [{ spec: specPath, out: outDir }],
    executor,
    title: vscode.l10n.t('VAE Lab: sweep {0} ({1})', parsed.name, executor),
    log,
  });
  if (r.status === 'done') {
    void vscode.window.showInformationMessage(vscode.l10n.t('VAE Lab: sweep {0} is done: {1} jobs in {2}.', parsed.name, r.sweeps[0]?.jobs.length ?? 0, rel));
    return { status: 'done', out: outDir };
  }
  if (r.status === 'cancelled') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('VAE Lab: sweep {0} cancelled; its done jobs stay in {1} (running it again skips them).', parsed.name, rel),
    );
    return { status: 'cancelled', out: outDir };
  }
  const last = r.tail.trim().split('\n').slice(-3).join(' ');
  const message = `sweep ${parsed.name} ended with exit code ${r.ended[0]?.code ?? r.ended[0]?.signal}: ${last}`;
  void vscode.window.showErrorMessage(vscode.l10n.t('VAE Lab: {0}', message), vscode.l10n.t('Show Log')).then((a) => a && log.show());
  return { status: 'failed', out: outDir, message };
}
