/**
 * One `vae-lab` child process, for the experiments that train each (model, seed) in its own
 * process (a crash or a stop loses one job, and finished jobs are not trained again).
 */
import { spawn } from 'node:child_process';

/** Run `cmd args` with stdout ignored; rejects with the last 2,000 characters of its stderr when it fails. */
export function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, signal });
    let err = '';
    p.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-2000);
    });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`vae-lab ${args.slice(1).join(' ')} exited with ${code}:\n${err}`))));
  });
}
