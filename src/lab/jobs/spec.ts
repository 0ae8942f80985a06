/**
 * A sweep spec, checked and expanded: every combination of `grid` is one job, `vae-lab train`
 * with `base` plus that combination. Checked before anything runs, against the command's own
 * flag table (names, types, choices, ranges), so a typo or an empty list fails in a second with
 * the key named instead of an hour later on a cluster.
 *
 * Job ids are derived from the job alone (stable across re-runs, so a second run finds its done
 * jobs) and are safe as folder names: the grid values readable (`cr-true_seed-2`), then 8 hex
 * digits of a hash of the command and every param, so two specs that differ only in `base`
 * never share a folder.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError, UnknownNameError } from '../core/errors';
import { describeRange, inRange, type NumberRange } from '../core/range';
import type { GridValue, JobParams, SweepFile, SweepSpec } from './files';

/** What a spec is checked against: one flag of the command (the CLI's FlagSpec fits). */
export type ParamSpec = { name: string } & ({ type: 'string'; choices?: string[] } | { type: 'boolean' } | { type: 'number'; range: NumberRange });

/** Flags a sweep sets itself, or that make no sense in one. */
const RESERVED = ['out', 'help'];

/** A spec that cannot run; the message names the key and what to write instead. */
export class SweepSpecError extends InvalidArgumentError {}

function checkValue(where: string, spec: ParamSpec, v: unknown): void {
  if (spec.type === 'boolean') {
    if (typeof v !== 'boolean')
      throw new SweepSpecError(`${where}: --${spec.name} is a switch; use true (present) or false (absent), not ${JSON.stringify(v)}`);
  } else if (spec.type === 'number') {
    if (typeof v !== 'number' || !Number.isFinite(v) || !inRange(v, spec.range))
      throw new SweepSpecError(`${where}: --${spec.name} must be ${describeRange(spec.range)}, got ${JSON.stringify(v)}`);
  } else {
    if (typeof v !== 'string' || v === '') throw new SweepSpecError(`${where}: --${spec.name} takes a non-empty string, got ${JSON.stringify(v)}`);
    if (spec.choices && !spec.choices.includes(v)) throw new UnknownNameError(`value of ${where}`, v, spec.choices);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a parsed spec file against the command's flags: `commands` maps each command a sweep
 * may run to its flags. Throws SweepSpecError / UnknownNameError naming the key.
 */
export function checkSpec(raw: unknown, commands: Record<string, ParamSpec[]>): SweepSpec {
  if (!isObject(raw)) throw new SweepSpecError('a sweep spec is a JSON object: {"name", "command", "base", "grid"}');
  const known = ['name', 'command', 'base', 'grid'];
  for (const k of Object.keys(raw)) if (!known.includes(k)) throw new UnknownNameError('spec key', k, known);
  const { name, command = 'train', base = {}, grid } = raw as Record<string, unknown>;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new SweepSpecError(`"name" must be 1-64 letters, digits, '.', '_' or '-' (it names the Slurm job), got ${JSON.stringify(name)}`);
  if (typeof command !== 'string' || !commands[command]) throw new UnknownNameError('sweep command', String(command), Object.keys(commands));
  if (!isObject(base)) throw new SweepSpecError('"base" must be an object of flag names to values, e.g. {"model": "vae"}');
  // `grid` is one grid, or a list of grids whose jobs are joined (rows of a table that differ in
  // more than one flag: VAE, CR-VAE and VAE + Aug at the same seeds, say).
  const grids = Array.isArray(grid) ? grid : [grid];
  if (grids.length === 0)
    throw new SweepSpecError(
      '"grid" must be an object with at least one flag name and its list of values, e.g. {"seed": [1, 2, 3]}, or a list of such objects',
    );
  const flags = new Map(commands[command].map((f) => [f.name, f]));
  const flagOf = (where: string, key: string) => {
    const f = flags.get(key);
    if (!f || RESERVED.includes(key))
      throw new UnknownNameError(
        `${where} key (a flag of \`vae-lab ${command}\`)`,
        key,
        [...flags.keys()].filter((k) => !RESERVED.includes(k)),
        RESERVED.includes(key) ? `--${key} is set by the sweep itself.` : undefined,
      );
    return f;
  };
  for (const [k, v] of Object.entries(base)) checkValue(`base.${k}`, flagOf('base', k), v);
  grids.forEach((g, gi) => {
    const at = Array.isArray(grid) ? `grid[${gi}]` : 'grid';
    if (!isObject(g) || Object.keys(g).length === 0)
      throw new SweepSpecError(`"${at}" must be an object with at least one flag name and its list of values, e.g. {"seed": [1, 2, 3]}`);
    for (const [k, values] of Object.entries(g)) {
      const f = flagOf(at, k);
      if (k in base) throw new SweepSpecError(`${at}.${k}: "${k}" is also in base; put it in one of them`);
      if (!Array.isArray(values) || values.length === 0)
        throw new SweepSpecError(`${at}.${k} must be a non-empty list of values, got ${JSON.stringify(values)}`);
      values.forEach((v, i) => checkValue(`${at}.${k}[${i}]`, f, v));
      if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length)
        throw new SweepSpecError(`${at}.${k} lists a value twice: ${JSON.stringify(values)}`);
    }
  });
  const checked: SweepSpec = { name, command: command as 'train', base: base as JobParams, grid: grid as SweepSpec['grid'] };
  // Two grids of a list that make the same job would run it twice under two ids.
  const seen = new Map<string, number>();
  gridsOf(checked).forEach((g, gi) => {
    for (const combo of combinations(g)) {
      const key = paramsKey({ ...checked.base, ...combo });
      const before = seen.get(key);
      if (before !== undefined && before !== gi)
        throw new SweepSpecError(`grid[${before}] and grid[${gi}] both make the job ${JSON.stringify(combo)}; list it in one of them`);
      seen.set(key, gi);
    }
  });
  return checked;
}

/** The spec's grids: one, or its list. */
export const gridsOf = (spec: Pick<SweepSpec, 'grid'>): Record<string, GridValue[]>[] => (Array.isArray(spec.grid) ? spec.grid : [spec.grid]);

/** Params in key order, so that two jobs with equal params give equal keys. */
function paramsKey(params: JobParams): string {
  return JSON.stringify(
    Object.keys(params)
      .filter((k) => params[k] !== false)
      .sort()
      .map((k) => [k, params[k]]),
  );
}

/** Every combination of the grid, the first key varying slowest (as nested loops in the spec's order). */
export function combinations(grid: Record<string, GridValue[]>): Record<string, GridValue>[] {
  let out: Record<string, GridValue>[] = [{}];
  for (const [k, values] of Object.entries(grid)) out = out.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  return out;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');

/** The job's id: its grid values, readable, and a hash of the command and all its params. */
export function jobIdOf(command: string, combo: Record<string, GridValue>, params: JobParams): string {
  const sorted = Object.fromEntries(
    Object.keys(params)
      .sort()
      .map((k) => [k, params[k]]),
  );
  const hash = createHash('sha256')
    .update(JSON.stringify([command, sorted]))
    .digest('hex')
    .slice(0, 8);
  const readable = Object.entries(combo)
    .map(([k, v]) => `${safe(k)}-${safe(String(v))}`)
    .join('_')
    .slice(0, 80);
  return `${readable || 'job'}-${hash}`;
}

/** The spec with its jobs: params = base + combination, in grid order (a list of grids: each in turn). */
export function expandSpec(spec: SweepSpec): SweepFile {
  const jobs = gridsOf(spec)
    .flatMap(combinations)
    .map((combo) => {
      const params = { ...spec.base, ...combo };
      return { id: jobIdOf(spec.command, combo, params), params };
    });
  return { ...spec, jobs };
}

/** The CLI argv of a job (after `vae-lab`): an array for spawn, never a shell line. `false` flags are left out. */
export function jobArgv(command: string, params: JobParams, outDir: string): string[] {
  const argv = [command];
  for (const [k, v] of Object.entries(params)) {
    if (v === false) continue;
    // `--name=value` in one word: a string value that starts with `--` stays a value.
    argv.push(v === true ? `--${k}` : `--${k}=${String(v)}`);
  }
  argv.push('--out', outDir);
  return argv;
}
