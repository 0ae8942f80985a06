/**
 * A small flag parser for the CLI: `--name value`, `--name=value`, boolean `--flag`.
 * Unknown flags fail with the nearest known one suggested (edit distance).
 */

/** One accepted flag. */
export interface FlagSpec {
  name: string;
  type: 'string' | 'number' | 'boolean';
  /** One line for --help. */
  help: string;
  /** Allowed values (strings only). */
  choices?: string[];
}

/**
 * A bad command line (unknown flag, missing value, not a number, not one of the choices).
 * Thrown by parseFlags; the CLI prints the message and exits with status 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Flags = Record<string, string | number | boolean>;

/** Levenshtein distance (for "did you mean"). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** The candidate nearest to `word`, if reasonably near. */
export function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD) { best = c; bestD = dist; }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function parseFlags(argv: string[], specs: FlagSpec[]): Flags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}' (flags start with --)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) {
      const near = nearest(name, [...byName.keys()]);
      throw new UsageError(`unknown flag --${name}${near ? ` (did you mean --${near}?)` : ''}; see --help`);
    }
    if (spec.type === 'boolean') {
      out[name] = eq < 0 ? true : !['false', '0', 'no'].includes(arg.slice(eq + 1));
      continue;
    }
    const raw = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (raw === undefined || (eq < 0 && raw.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (spec.type === 'number') {
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got '${raw}'`);
      out[name] = v;
    } else {
      if (spec.choices && !spec.choices.includes(raw)) {
        const near = nearest(raw, spec.choices);
        throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}; got '${raw}'${near ? ` (did you mean '${near}'?)` : ''}`);
      }
      out[name] = raw;
    }
  }
  return out;
}

/** Lines of help text for a list of flags. */
export function flagHelp(specs: FlagSpec[]): string {
  return specs.map((s) => `  --${s.name}${s.type === 'boolean' ? '' : ` <${s.choices ? s.choices.join('|') : s.type}>`}\n      ${s.help}`).join('\n');
}
