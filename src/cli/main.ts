/**
 * The `vae-lab` command (bin, bundled to dist/cli.js): a tiny dispatcher, and the only entry
 * of src/cli (nothing imports this folder). `run-notebook` runs a notebook headless through a
 * kernel process (src/host/run-notebook.ts); every other subcommand (train, eval, ...) is in
 * lab.ts, loaded only when asked for so that run-notebook does not load tfjs in this process.
 */
import { runNotebookCommand } from './run-notebook';

const USAGE =
  'usage: vae-lab run-notebook <notebook.ipynb> [options] | vae-lab <train|eval> [options] | vae-lab sweep <run|status|cancel|job> (--help for each)';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'run-notebook') return runNotebookCommand(rest);
  // The sweep driver loads no tfjs either: its jobs are `vae-lab train` children.
  if (command === 'sweep') return (require('./sweep') as typeof import('./sweep')).sweepMain(rest);
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const lab = require('./lab') as typeof import('./lab');
  return lab.main(argv);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => (process.exitCode = status),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
