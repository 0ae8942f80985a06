/**
 * Runs cells one at a time: compile, load ES modules, run the code in this process's global
 * context (state lives on between cells), report the last expression's value, end with
 * exactly one `done`.
 *
 * Top-level names live on one `exports` object shared by all cells (the converter rewrites
 * references to earlier cells' names as `exports.x`), and each cell's code is wrapped in its
 * own async function, so re-running a cell re-declares its const/let/class without
 * "already declared" errors, and top-level await works.
 */
import { runInThisContext } from 'node:vm';
import { performance } from 'node:perf_hooks';
import type { DoneMessage, ExecuteRequest, TypeCheckMode } from '../common/protocol';
import { CellCompiler, type Compiled } from './compiler';
import { resultBundle } from './bundles';
import { inspect } from 'node:util';
import { flush, log, send, stream } from './channel';
import { cellStore, type CellContext } from './context';
import { ModuleLoader } from './modules';
import { errorMessage, mapStack, registerScript } from './stack';
import { repairTfEngine } from './labparts';

/** Makes `exports` a plain bag of names: defineProperty (used for re-exported imports) just stores the value, so later cells can overwrite it. */
function createExports(): Record<string, unknown> {
  const bag: Record<string, unknown> = {};
  return new Proxy(bag, {
    defineProperty(_t, prop, attrs) {
      if (prop === '__esModule') return true;
      bag[prop as string] = attrs.get ? attrs.get() : attrs.value;
      return true;
    },
  });
}

interface Running {
  ctx: CellContext;
  interrupted: Promise<'interrupted'>;
  interrupt(): void;
}

export class CellRunner {
  readonly exports = createExports();
  private running: Running | undefined;
  /** The cell that ran last: where a stray error goes while no cell runs. */
  private lastRun: string | undefined;

  constructor(
    readonly compiler: CellCompiler,
    private readonly loader: ModuleLoader,
    private readonly notebookDir: string,
    /** Path of the kernel bundle: its frames are dropped from user stack traces. */
    private readonly internalFile: string,
  ) {}

  static create(mode: TypeCheckMode, loader: ModuleLoader, notebookDir: string, internalFile: string): CellRunner {
    return new CellRunner(new CellCompiler(mode), loader, notebookDir, internalFile);
  }

  /** Aborts the running cell (no-op when none runs, or when `execId` names another cell). */
  interrupt(execId?: string): void {
    if (execId !== undefined && this.running?.ctx.execId !== execId) return;
    this.running?.interrupt();
  }

  async execute(req: ExecuteRequest): Promise<void> {
    const t0 = performance.now();
    const controller = new AbortController();
    const ctx: CellContext = { execId: req.execId, cellNumber: req.cellNumber, controller };
    let markInterrupted!: () => void;
    const interrupted = new Promise<'interrupted'>((resolve) => (markInterrupted = () => resolve('interrupted')));
    this.lastRun = req.execId;
    this.running = {
      ctx,
      interrupted,
      interrupt: () => {
        if (!controller.signal.aborted) controller.abort(new Error('Interrupted'));
        markInterrupted();
      },
    };
    let status: DoneMessage['status'] = 'ok';
    let compiled: Compiled | undefined;
    try {
      compiled = this.compiler.compile(req.code, req.language === 'javascript');
      if (compiled.diagnostics.length > 0) send({ type: 'diagnostics', execId: req.execId, diagnostics: compiled.diagnostics });
      if (compiled.blocked) {
        status = 'error';
        send(this.blockedError(req, compiled));
      } else {
        this.loader.refreshLocal();
        if (compiled.js !== undefined) {
          await Promise.race([this.loader.preload(compiled.js), interrupted]);
          const outcome = controller.signal.aborted ? 'interrupted' : await Promise.race([this.run(ctx, compiled), interrupted]);
          if (outcome === 'interrupted') status = 'interrupted';
          else if (outcome.value !== undefined) {
            // A tensor on webgpu is read asynchronously; a failed read fails the cell.
            const data = await resultBundle(outcome.value);
            if (data) send({ type: 'result', execId: req.execId, data });
          }
        }
      }
    } catch (err) {
      const sigint = (err as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
      // SIGINT can land in the middle of a tf.tidy (its finally blocks do not run).
      if (sigint) repairTfEngine();
      if (controller.signal.aborted || sigint) status = 'interrupted';
      else {
        status = 'error';
        send(errorMessage(req.execId, err, this.internalFile));
      }
    } finally {
      // A cell that ran (even partly) has declared its names: carry them on.
      if (compiled && !compiled.blocked && compiled.declOutput !== undefined) this.compiler.prevDecl = compiled.declOutput;
      this.running = undefined;
      flush();
      send({ type: 'done', execId: req.execId, status, durationMs: performance.now() - t0 });
    }
  }

  /**
   * An error no cell's code caught (`how` says which kind): a stderr output of the running
   * cell, else of the last one that ran, with its stack mapped to cell lines. It fails no cell.
   */
  strayError(how: string, err: unknown): void {
    const shown = err instanceof Error ? mapStack(err.stack ?? `${err.name}: ${err.message}`, this.internalFile) : inspect(err);
    const text = `${how}: ${shown}\n`;
    const execId = this.running?.ctx.execId ?? this.lastRun;
    if (execId) stream(execId, 'stderr', text);
    else log('error', text);
  }

  private blockedError(req: ExecuteRequest, c: Compiled) {
    const lines = c.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => `  Cell ${req.cellNumber}, line ${d.start.line + 1}:${d.start.character + 1}: ${d.message}`);
    const why =
      c.blocked === 'TypeError'
        ? 'The cell did not run because it has type errors (setting vaeLab.typeCheck is "error"; "warn" runs it anyway).'
        : 'The cell did not run because it has syntax errors.';
    return { type: 'error' as const, execId: req.execId, ename: c.blocked!, evalue: why, stack: `${c.blocked}: ${why}\n${lines.join('\n')}` };
  }

  /** Runs compiled code; resolves with the value of its last expression. */
  private async run(ctx: CellContext, c: Compiled): Promise<{ value: unknown }> {
    const filename = `vae-lab-cell-${ctx.execId}.js`;
    registerScript(filename, { cellNumber: ctx.cellNumber, map: c.mapPosition, headerLines: 0 });
    const cell = runInThisContext(c.js!, { filename, displayErrors: false }) as (...args: unknown[]) => Promise<void>;
    const module = { exports: this.exports };
    await cellStore.run(ctx, () => cell(this.exports, this.loader.require, module, `${this.notebookDir}/${filename}`, this.notebookDir));
    if (!c.lastExpressionVar) return { value: undefined };
    const value = this.exports[c.lastExpressionVar];
    delete this.exports[c.lastExpressionVar];
    return { value };
  }
}
