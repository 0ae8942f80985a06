/**
 * A small flag parser for the CLI: `--name value`, `--name=value`, boolean `--flag`.
 * Unknown flags and choices fail with the nearest known one suggested (UnknownNameError).
 */
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
  const out: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}' (flags start with --)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec)
      throw new UnknownNameError(
        'flag',
        `--${name}`,
        specs.map((s) => `--${s.name}`),
        'See --help.',
      );
    if (spec.type === 'boolean') {
      out[name] = eq < 0 ? true : !['false', '0', 'no'].includes(arg.slice(eq + 1));
      continue;
    }
    const raw = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (raw === undefined || (eq < 0 && raw.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
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
