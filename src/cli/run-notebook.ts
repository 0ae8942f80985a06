/** The `run-notebook` subcommand: parses its flags and runs the host's headless notebook runner. */
import { NotebookFormatError, runNotebook, type RunNotebookOptions } from '../host/run-notebook';

/** `vae-lab run-notebook <file.ipynb> [--out file] [--preset name] [--timeout seconds]`; returns the exit status. */
export async function runNotebookCommand(argv: string[]): Promise<number> {
  const usage = 'usage: vae-lab run-notebook <notebook.ipynb> [--out file.ipynb] [--preset quick|laptop|paper] [--timeout seconds]';
  const opts: RunNotebookOptions = {};
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--out') opts.out = value();
    else if (a === '--preset') opts.preset = value();
    else if (a === '--timeout') {
      const raw = value();
      const seconds = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
        console.error(`--timeout must be a number of seconds > 0, got '${raw}'\n${usage}`);
        return 2;
      }
      opts.timeoutMs = seconds * 1000;
    } else if (a === '--help' || a === '-h') {
      console.log(usage);
      return 0;
    } else if (!a.startsWith('-') && file === undefined) file = a;
    else {
      console.error(`unknown argument ${a}\n${usage}`);
      return 2;
    }
  }
  if (!file) {
    console.error(usage);
    return 2;
  }
  opts.onCell = (c) => console.error(`cell ${c.index}/${c.total}: ${c.status} (${Math.round(c.durationMs)} ms)`);
  try {
    const r = await runNotebook(file, opts);
    console.error(r.status === 0 ? `wrote ${r.outPath}` : `a cell failed; outputs so far written to ${r.outPath}`);
    return r.status;
  } catch (err) {
    console.error((err as Error).message);
    return err instanceof NotebookFormatError ? 2 : 1;
  }
}
