/**
 * The headless notebook runner, host code shared by the "Train CR-VAE" command and the
 * `vae-lab run-notebook` command line (src/cli/run-notebook.ts). Runs every code cell of an
 * nbformat 4 notebook in one fresh kernel (the same KernelClient the extension uses), writes the outputs into the notebook the way Jupyter
 * would (stream, display_data with in-place updates applied, execute_result, error), and saves
 * it atomically. Stops at the first failing cell, as `jupyter nbconvert --execute` does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../common/atomic';
import type { MimeBundle, TypeCheckMode } from '../common/protocol';
import { KernelClient, type CellMessage } from './client';
import type * as nbformat from '@jupyterlab/nbformat';

/** Options of runNotebook. */
export interface RunNotebookOptions {
  /** Where to save the executed notebook; default: over the input file. */
  out?: string;
  /** Lab preset (e.g. 'quick', 'paper'), passed to the kernel as env VAE_LAB_PRESET. */
  preset?: string;
  /** Per-cell time limit in ms; a cell running longer is interrupted and counts as failed. Default: none. */
  timeoutMs?: number;
  /** Kernel bundle; default: kernel.js next to this file (dist/), else dist/kernel.js of the repo. */
  kernelScript?: string;
  /** Node for the kernel; default: the one running this process. */
  nodePath?: string;
  /** Default 'warn'. */
  typeCheck?: TypeCheckMode;
  /** Extra environment for the kernel (the extension passes the data folder setting and its audience). */
  env?: Record<string, string>;
  /** Called with each cell's progress (for a command-line report). */
  onCell?: (info: { index: number; total: number; status: string; durationMs: number }) => void;
}

export interface RunNotebookResult {
  /** 0 when every code cell ran without error, 1 otherwise. */
  status: number;
  /** 0-based index (among all cells) of the cell that failed. */
  failedCell?: number;
  /** Path the notebook was written to. */
  outPath: string;
}

/**
 * The input is not a notebook this runner understands (not JSON, not nbformat 4). Thrown by
 * runNotebook; the command line prints it and exits with status 2.
 */
export class NotebookFormatError extends Error {
  constructor(file: string, why: string) {
    super(`${file} is not an nbformat 4 notebook (${why}). Save it from Jupyter or VS Code as .ipynb.`);
    this.name = 'NotebookFormatError';
  }
}

// Notebook types from nbformat's own TypeScript description (type-only: nothing is bundled).
type NbOutput = nbformat.IOutput;
type Notebook = nbformat.INotebookContent;
type NbCodeCell = nbformat.ICodeCell;

const text = (s: nbformat.MultilineString): string => (Array.isArray(s) ? s.join('') : s);

/** Jupyter stores multi-line strings as a list of lines, each keeping its '\n'. */
function lines(s: string): string[] {
  return s.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** JSON MIME types keep their object value; text-like ones are stored as lines. */
function nbData(bundle: MimeBundle): nbformat.IMimeBundle {
  const out: nbformat.IMimeBundle = {};
  for (const [mime, v] of Object.entries(bundle)) {
    const isJson = mime === 'application/json' || mime.endsWith('+json');
    out[mime] = (typeof v === 'string' && !isJson && !mime.startsWith('image/') ? lines(v) : v) as nbformat.MultilineString;
  }
  return out;
}

function defaultKernelScript(): string {
  const candidates = [join(__dirname, 'kernel.js'), join(__dirname, '..', '..', 'dist', 'kernel.js')];
  return candidates.find((f) => existsSync(f)) ?? candidates[0];
}

function readNotebook(file: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(readFileSync(file, 'utf8')) as Notebook;
  } catch (err) {
    throw new NotebookFormatError(file, (err as Error).message);
  }
  if (nb?.nbformat !== 4 || !Array.isArray(nb.cells)) throw new NotebookFormatError(file, `nbformat ${String(nb?.nbformat)}`);
  return nb;
}

/** Collects one cell's messages as nbformat outputs; display updates replace earlier outputs in place. */
class OutputCollector {
  readonly outputs: NbOutput[] = [];
  private readonly byDisplayId = new Map<string, NbOutput>();

  constructor(private readonly executionCount: number) {}

  add(m: CellMessage): void {
    switch (m.type) {
      case 'stream': {
        const last = this.outputs[this.outputs.length - 1];
        if (last?.output_type === 'stream' && last.name === m.name) last.text = lines((last.text as string[]).join('') + m.text);
        else this.outputs.push({ output_type: 'stream', name: m.name, text: lines(m.text) });
        return;
      }
      case 'display': {
        const known = m.displayId ? this.byDisplayId.get(m.displayId) : undefined;
        if (m.update) {
          // An update of an output this cell does not hold (shown by an earlier cell) changes nothing here.
          if (known) known.data = nbData(m.data);
          return;
        }
        const out: NbOutput = { output_type: 'display_data', data: nbData(m.data), metadata: (m.metadata ?? {}) as nbformat.OutputMetadata };
        this.outputs.push(out);
        if (m.displayId) this.byDisplayId.set(m.displayId, out);
        return;
      }
      case 'result':
        this.outputs.push({ output_type: 'execute_result', execution_count: this.executionCount, data: nbData(m.data), metadata: {} });
        return;
      case 'error':
        this.outputs.push({ output_type: 'error', ename: m.ename, evalue: m.evalue, traceback: m.stack.split('\n') });
        return;
      case 'diagnostics':
        for (const d of m.diagnostics) {
          this.add({
            type: 'stream',
            execId: m.execId,
            name: 'stderr',
            text: `${d.severity} TS${d.code ?? ''} line ${d.start.line + 1}:${d.start.character + 1}: ${d.message}\n`,
          });
        }
        return;
    }
  }
}

/** Runs every code cell of the notebook at `file`; see the file comment. */
export async function runNotebook(file: string, options: RunNotebookOptions = {}): Promise<RunNotebookResult> {
  const path = resolve(file);
  const nb = readNotebook(path);
  const outPath = resolve(options.out ?? path);
  const nbLanguage = nb.metadata?.language_info?.name ?? nb.metadata?.kernelspec?.language;
  const client = new KernelClient({
    kernelScript: options.kernelScript ?? defaultKernelScript(),
    nodePath: options.nodePath,
    notebookDir: dirname(path),
    typeCheck: options.typeCheck ?? 'warn',
    env: { ...options.env, ...(options.preset ? { VAE_LAB_PRESET: options.preset } : {}) },
  });
  const codeCells = nb.cells.filter((c) => c.cell_type === 'code');
  let failedCell: number | undefined;
  let count = 0;
  try {
    for (const [index, cell] of nb.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      if (failedCell !== undefined) {
        // Cells after a failure keep no stale outputs and say they did not run.
        cell.outputs = [];
        cell.execution_count = null;
        continue;
      }
      const collector = new OutputCollector(++count);
      cell.outputs = collector.outputs;
      cell.execution_count = count;
      const vscodeMeta = cell.metadata?.vscode as { languageId?: string } | undefined;
      const language = (vscodeMeta?.languageId ?? nbLanguage) === 'javascript' ? 'javascript' : 'typescript';
      const timer = options.timeoutMs ? setTimeout(() => client.interrupt(), options.timeoutMs) : undefined;
      const done = await client.execute({ code: text(cell.source), language, cellNumber: count }, (m) => collector.add(m));
      clearTimeout(timer);
      options.onCell?.({ index: count, total: codeCells.length, status: done.status, durationMs: done.durationMs });
      if (done.status !== 'ok') {
        failedCell = index;
        if (done.status === 'interrupted') {
          const why = options.timeoutMs ? `it ran longer than the time limit (${options.timeoutMs / 1000} s)` : 'it was interrupted';
          collector.add({
            type: 'error',
            execId: '',
            ename: 'Interrupted',
            evalue: `Cell ${count} stopped: ${why}.`,
            stack: `Interrupted: cell ${count} stopped: ${why}.`,
          });
        }
      }
    }
  } finally {
    client.dispose();
  }
  // Atomic, so a crash never leaves half a notebook.
  writeFileAtomic(outPath, JSON.stringify(nb, null, 1) + '\n');
  return { status: failedCell === undefined ? 0 : 1, failedCell, outPath };
}
