/**
 * The lab's commands: `vae-lab train ...` and `vae-lab eval ...` (main.ts, the bin
 * dispatcher, loads this file only for them, so run-notebook never loads tfjs). Each paper's
 * command lives in its own file and calls that experiment's parts. Returns the exit status:
 * 0 ok, 1 failure, 2 bad usage, 130 cancelled (Ctrl-C).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { appendEvent, jobFiles } from '../lab/jobs';
import { join } from 'node:path';
import { loadCheckpoint, TrainingCancelledError } from '../lab';
import { initRuntime } from '../lab/runtime';
import { prepareDataset } from '../lab/data/sources';
import { AUDIENCE_ENV } from '../lab/data/errors';
import { UnknownNameError } from '../lab/core/errors';
import { flagHelp, parseFlags, UsageError, type FlagSpec, type Flags } from './args';
import { evalFlags, trainFlags } from './flags';
import { evalCrVae, trainCrVae } from './cr-vae';
import { evalDSprites, trainDSprites } from './factor-vae';
import { LR_MODELS, trainLabelRelevant } from './label-relevant';

const USAGE = `usage:
  vae-lab train --model vae|iwae|beta-vae [--cr] [--aug] --dataset mnist --preset quick --out DIR
  vae-lab train --model factor-vae|beta-vae [--gamma G | --beta B] --dataset dsprites --preset quick --out DIR
  vae-lab train --model lr-vae [--gan] | cvae | cvae-gan --dataset moons|mnist|fashion-mnist --preset quick --out DIR
  vae-lab eval --checkpoint DIR
run \`vae-lab train --help\` or \`vae-lab eval --help\` for the flags.`;

/** The subcommands; another one is one more entry. */
export const commands: Record<string, { flags: () => FlagSpec[]; run: (f: Flags) => Promise<number> }> = {
  train: { flags: trainFlags, run: train },
  eval: { flags: evalFlags, run: evalCommand },
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  let out: string | undefined;
  try {
    if (!cmd || cmd === '--help' || cmd === 'help') {
      console.log(USAGE);
      return cmd ? 0 : 2;
    }
    const c = commands[cmd];
    if (!c)
      throw new UnknownNameError(
        'command',
        cmd,
        Object.keys(commands),
        `
${USAGE}`,
      );
    const flags = parseFlags(rest, c.flags());
    if (cmd === 'train' && typeof flags.out === 'string') out = startEvents(flags.out);
    if (flags.help) {
      console.log(`vae-lab ${cmd}\n${flagHelp(c.flags())}`);
      return 0;
    }
    // Data errors name the CLI's flags; a named data set missing here is downloaded (a bar on stderr).
    process.env[AUDIENCE_ENV] ??= 'cli';
    if (!flags['data-dir']) await prepareDataset((flags.dataset as string | undefined) ?? 'mnist');
    return await c.run(flags);
  } catch (e) {
    if (out) appendEvent(out, { type: 'error', message: (e as Error).message });
    if (e instanceof UsageError || e instanceof UnknownNameError) {
      console.error(`vae-lab: ${e.message}`);
      return 2;
    }
    if (e instanceof TrainingCancelledError) {
      console.error(`\nvae-lab: ${e.message}`);
      return 130;
    }
    console.error(`\nvae-lab: ${(e as Error).message}`);
    return 1;
  }
}

async function train(flags: Flags): Promise<number> {
  const t0 = Date.now();
  const status = await trainBy(flags);
  // Last, after metrics.json: a watcher that sees `done` finds the metrics there.
  if (status === 0 && typeof flags.out === 'string') appendEvent(flags.out, { type: 'done', seconds: (Date.now() - t0) / 1000 });
  return status;
}

function trainBy(flags: Flags): Promise<number> {
  if (flags.dataset === 'dsprites') return trainDSprites(flags);
  if (flags.steps !== undefined) throw new UsageError('--steps is a dSprites flag; MNIST and moons runs take --epochs');
  if (LR_MODELS.includes(flags.model as string)) return trainLabelRelevant(flags);
  return trainCrVae(flags);
}

/** A run's events start afresh in OUT/events.jsonl (one run's events, however often OUT is reused). */
function startEvents(out: string): string {
  mkdirSync(out, { recursive: true });
  writeFileSync(jobFiles(out).events, '');
  appendEvent(out, { type: 'phase', phase: 'load', message: 'runtime and data' });
  return out;
}

async function evalCommand(flags: Flags): Promise<number> {
  if (!flags.checkpoint) throw new UsageError('--checkpoint DIR is required');
  const t0 = Date.now();
  const runtime = await initRuntime((flags.backend as 'auto' | 'wasm' | 'cpu' | undefined) ?? 'auto');
  const dir = flags.checkpoint as string;
  const { model, state } = await loadCheckpoint(existsSync(join(dir, 'model')) ? join(dir, 'model') : dir);
  const run = (state.extra?.run ?? {}) as Record<string, unknown>;
  if (run.dataset === 'dsprites') return evalDSprites(flags, model, state, run, runtime.backend, t0);
  return evalCrVae(flags, model, state, run, runtime.backend, t0);
}
