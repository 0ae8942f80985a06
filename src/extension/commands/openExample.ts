/**
 * Command "VAE Lab: Open Example Notebook": a quick pick of the notebooks the extension ships
 * (notebooks/*.ipynb in its install folder), one line on each. The chosen one is copied into
 * the workspace folder (never over an existing file) so runs and edits stay the user's, or,
 * with no folder open, opened as an untitled copy; either way on the VAE Lab kernel.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CONTROLLER_ID } from '../controller';
import type { ExtensionServices } from '../services';

/** What each bundled example shows; a notebook not listed gets its first heading. */
const LINES: Record<string, string> = {
  quickstart: 'Start here: tensors, MNIST, a small VAE with a live chart, reconstructions, a latent traversal, its scores (minutes on a CPU).',
  'cr-vae': 'Consistency-regularized VAE (Sinha & Dieng 2021) on MNIST: CR-VAE vs VAE, consistency arrows.',
  'factor-vae': 'beta-VAE vs FactorVAE on dSprites (Kim & Mnih 2018): disentanglement metrics.',
  'label-relevant-vae': 'Label-relevant / label-irrelevant VAE (Zheng & Sun 2019): two codes of one image.',
};
const ORDER = ['quickstart', 'cr-vae', 'label-relevant-vae', 'factor-vae'];

interface Ipynb {
  cells: { cell_type: string; source: string | string[]; metadata?: Record<string, unknown> }[];
  metadata?: Record<string, unknown>;
  nbformat?: number;
  nbformat_minor?: number;
}

const text = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);

function heading(nb: Ipynb): string {
  const md = nb.cells.find((c) => c.cell_type === 'markdown');
  return md
    ? text(md.source)
        .split('\n')[0]
        .replace(/^#+\s*/, '')
    : '';
}

/** A file name in `dir` that does not exist yet: name.ipynb, name-2.ipynb, ... */
export function freeName(dir: string, name: string, exists: (p: string) => boolean = existsSync): string {
  for (let i = 1; i < 1000; i++) {
    const file = `${name}${i === 1 ? '' : `-${i}`}.ipynb`;
    if (!exists(join(dir, file))) return file;
  }
  throw new Error(`${dir} already holds ${name}.ipynb to ${name}-999.ipynb; remove some and try again.`);
}

export function registerOpenExample({ context, log }: ExtensionServices): vscode.Disposable {
  return vscode.commands.registerCommand('vaeLab.openExample', async (given?: string) => {
    const dir = context.asAbsolutePath('notebooks');
    const names = readdirSync(dir)
      .filter((f) => f.endsWith('.ipynb'))
      .map((f) => f.slice(0, -6))
      .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
    let name = given && names.includes(given) ? given : undefined;
    if (!name) {
      const items = names.map((n) => {
        const nb = JSON.parse(readFileSync(join(dir, `${n}.ipynb`), 'utf8')) as Ipynb;
        return { label: heading(nb) || n, description: `${n}.ipynb`, detail: LINES[n], name: n };
      });
      const picked = await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t('VAE Lab: Open Example Notebook'),
        placeHolder: vscode.l10n.t('An example to copy into the workspace and open'),
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (!picked) return undefined;
      name = picked.name;
    }
    const source = join(dir, `${name}.ipynb`);
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    let doc: vscode.NotebookDocument;
    if (folder) {
      const file = freeName(folder.uri.fsPath, name);
      writeFileSync(join(folder.uri.fsPath, file), readFileSync(source));
      log.info(`Open Example Notebook: copied ${source} to ${join(folder.uri.fsPath, file)}`);
      doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(join(folder.uri.fsPath, file)));
    } else {
      doc = await vscode.workspace.openNotebookDocument('jupyter-notebook', untitledCopy(JSON.parse(readFileSync(source, 'utf8')) as Ipynb));
    }
    await vscode.window.showNotebookDocument(doc);
    await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: 'vae-lab.vae-lab' });
    return doc.uri.toString();
  });
}

/** The notebook as NotebookData for an untitled editor (cells without outputs; the file's metadata kept). */
function untitledCopy(nb: Ipynb): vscode.NotebookData {
  const cells = nb.cells.map((c) =>
    c.cell_type === 'code'
      ? new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text(c.source), 'typescript')
      : new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, text(c.source), 'markdown'),
  );
  const data = new vscode.NotebookData(cells);
  data.metadata = { cells: [], metadata: nb.metadata ?? {}, nbformat: nb.nbformat ?? 4, nbformat_minor: nb.nbformat_minor ?? 5 };
  return data;
}
