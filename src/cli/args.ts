/**
 * The CLI's flags: `--name value`, `--name=value`, boolean `--flag` (and `--flag=false`).
 * node:util parseArgs splits the command line into tokens; on top of it, what parseArgs does
 * not do: numeric flags checked against their ranges, choices, and unknown flags and choices
 * failing with the nearest known one suggested (UnknownNameError). parseArgs runs non-strict so
 * that those errors are ours, with the suggestions, instead of its generic ones.
 */
import { parseArgs } from 'node:util';
import { LabError, UnknownNameError } from '../lab/core/errors';
import { describeRange, inRange, type NumberRange } from '../lab/core/range';

export { describeRange, type NumberRange };

/** One accepted flag. */
export type FlagSpec = {
  name: string;
  /** One line for --help. */
  help: string;
} & ({ type: 'string'; /** Allowed values. */ choices?: string[] } | { type: 'boolean' } | { type: 'number'; range: NumberRange });

/**
 * A bad command line (a missing value, not a number, flags that exclude each other; unknown
 * names are UnknownNameError). Thrown by parseFlags and the commands before any work; the CLI
 * prints the message and exits with status 2.
 */
export class UsageError extends LabError {
  constructor(message: string) {
    super(message);
  }
}

export type Flags = Record<string, string | number | boolean>;

export function parseFlags(argv: string[], specs: FlagSpec[]): Flags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const { tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(specs.map((s) => [s.name, { type: s.type === 'boolean' ? ('boolean' as const) : ('string' as const) }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const out: Flags = {};
  for (const t of tokens) {
    if (t.kind === 'positional') throw new UsageError(`unexpected argument '${t.value}' (flags start with --)`);
    if (t.kind === 'option-terminator') throw new UsageError(`unexpected argument '--' (flags start with --)`);
    if (!t.rawName.startsWith('--')) throw new UsageError(`unexpected argument '${argv[t.index]}' (flags start with --)`);
    const name = t.name;
    const spec = byName.get(name);
    if (!spec)
      throw new UnknownNameError(
        'flag',
        `--${name}`,
        specs.map((s) => `--${s.name}`),
        'See --help.',
      );
    if (spec.type === 'boolean') {
      out[name] = t.inlineValue ? !['false', '0', 'no'].includes(t.value ?? '') : true;
      continue;
    }
    const raw = t.value;
    if (raw === undefined || (!t.inlineValue && raw.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (spec.type === 'number') {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v) || !inRange(v, spec.range))
        throw new UsageError(`--${name} must be ${describeRange(spec.range)}, got '${raw}'`);
      out[name] = v;
    } else {
      if (spec.choices && !spec.choices.includes(raw)) throw new UnknownNameError(`--${name}`, raw, spec.choices);
      out[name] = raw;
    }
  }
  return out;
}

/** Lines of help text for a list of flags. */
export function flagHelp(specs: FlagSpec[]): string {
  const value = (s: FlagSpec) =>
    s.type === 'boolean' ? '' : s.type === 'number' ? ` <${describeRange(s.range)}>` : ` <${s.choices ? s.choices.join('|') : s.type}>`;
  return specs.map((s) => `  --${s.name}${value(s)}\n      ${s.help}`).join('\n');
}
