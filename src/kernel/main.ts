/**
 * The kernel process (bundled to dist/kernel.js). Talks to its parent only over the Node IPC
 * channel: `init` first, then cells are run one after another in arrival order, while
 * interrupts, completions, hovers and renderer messages are answered at once.
 * See src/common/protocol.ts for the messages, runner.ts for how a cell runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HostToKernel, InitRequest } from '../common/protocol';
import { answerRenderer, installCellApi } from './api';
import { captureOutput } from './capture';
import { log, send } from './channel';
import { initRuntime, virtualModules } from './labparts';
import { ModuleLoader } from './modules';
import { CellRunner } from './runner';
import { forwardTypes, missingLabTypes } from './tsforward';
import { installAwaiter } from './awaiter';
import { tslabModule } from './tslab';
import { ownPackage, tfjsNodeAliases } from './compat';

const kernelFile = __filename;
const typesRoot = join(__dirname, 'types');

let runner: Promise<CellRunner> | undefined;
/** The runner once init made it (stray errors are reported synchronously, not after an await). */
let ready: CellRunner | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * The virtual modules of this notebook: the lab's and tfjs (labparts.ts), `tslab` (tslab.ts),
 * and tfjs-node(-gpu) as the kernel's own tf unless the notebook's folder has its own copy.
 */
function notebookModules(notebookDir: string): Map<string, () => unknown> {
  const modules = virtualModules();
  modules.set('tslab', tslabModule);
  const tf = modules.get('@tensorflow/tfjs')!;
  for (const [name, thunk] of tfjsNodeAliases(
    tf,
    (name) => ownPackage(name, notebookDir),
    (text) => log('info', text),
  ))
    modules.set(name, thunk);
  return modules;
}

async function init(msg: InitRequest): Promise<CellRunner> {
  const notebookDir = existsSync(msg.notebookDir) ? msg.notebookDir : process.cwd();
  // Relative paths in cells mean the notebook's folder, as in Jupyter.
  process.chdir(notebookDir);
  forwardTypes(typesRoot, notebookDir);
  const loader = new ModuleLoader(notebookDir, msg.extraModuleDirs ?? [], __dirname, notebookModules(notebookDir));
  loader.installGlobalHook();
  const r = CellRunner.create(msg.typeCheck, loader, notebookDir, kernelFile);
  ready = r;
  // tfjs-node(-gpu) are looked up where the user may have put them: the notebook's folder,
  // then the extension's GPU runtime folder ("VAE Lab: Install GPU Runtime").
  const runtime = await initRuntime(msg.backend, [notebookDir, ...(msg.extraModuleDirs ?? [])]);
  if (runtime.warning) log('warn', runtime.warning);
  const typesProblem = missingLabTypes(typesRoot);
  if (typesProblem) log('warn', `Types for 'vae-lab' are not available in cells (imports are typed any): ${typesProblem}`);
  send({ type: 'ready', nodeVersion: process.versions.node, runtime: runtime.info });
  send({ type: 'runtime', runtime: runtime.info });
  // Creating the TypeScript converter takes a moment: do it before the first cell arrives.
  setImmediate(() => {
    try {
      r.compiler.warmUp();
    } catch (err) {
      log('error', `TypeScript converter failed to start: ${(err as Error).stack}`);
    }
  });
  return r;
}

async function handle(msg: HostToKernel): Promise<void> {
  switch (msg.type) {
    case 'init':
      runner ??= init(msg);
      return;
    case 'execute': {
      const r = runner;
      if (!r) throw new Error('execute before init');
      queue = queue.then(async () => (await r).execute(msg));
      return;
    }
    case 'interrupt':
      (await runner)?.interrupt(msg.execId);
      return;
    case 'complete': {
      const r = await runner!;
      const c = r.compiler.complete(msg.code, msg.offset);
      send({ type: 'completeReply', reqId: msg.reqId, items: c.items, start: c.start, end: c.end });
      return;
    }
    case 'hover': {
      const r = await runner!;
      send({ type: 'hoverReply', reqId: msg.reqId, text: r.compiler.hover(msg.code, msg.offset) });
      return;
    }
    case 'rendererMessage': {
      const reply = await answerRenderer(msg.channel, msg.payload);
      send({ type: 'rendererReply', reqId: msg.reqId, ...reply });
      return;
    }
    case 'shutdown':
      process.exit(0);
  }
}

function main(): void {
  captureOutput();
  installCellApi();
  installAwaiter();
  // SIGINT only serves to break a synchronous cell script (vm breakOnSigint); elsewhere it must not kill us.
  process.on('SIGINT', () => undefined);
  process.on('disconnect', () => process.exit(0));
  // A stray error (a timer or event handler that throws, a rejection nobody handles) must not
  // kill the kernel: every variable would be lost. Node's REPL prints it and carries on; so do
  // we, on the cell that runs now, else the last one that ran. No bundled library may add
  // handlers of its own (the build cuts out the tfjs wasm glue's, which rethrow).
  const report = (how: string) => (err: unknown) => {
    try {
      if (ready) return ready.strayError(how, err);
    } catch {
      // (a value whose stack or inspection throws: still say something, below)
    }
    log('error', `${how}: ${err instanceof Error ? err.stack : String(err)}`);
  };
  process.on('uncaughtException', report('Uncaught exception'));
  process.on('unhandledRejection', report('Uncaught exception (a promise rejection nobody handled)'));
  process.on('message', (m: HostToKernel) => {
    handle(m).catch((err) => log('error', `kernel: ${(err as Error).stack ?? String(err)}`));
  });
}

main();
