/**
 * The Run Sweep command's pure parts: whether a JSON file is a sweep spec (an object with a
 * `grid` object, the surface of `vae-lab sweep run`), its default output folder, and whether a
 * program (sbatch) is on PATH. No vscode: unit-tested directly.
 */
import { accessSync, constants } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { RUNS_FOLDER } from './model';

/** The spec's name (its `name`, else the file's name without .json), or an error saying what is wrong. */
export function parseSweepSpec(text: string, file: string): { name: string } | { error: string } {
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    return { error: `${basename(file)} is not valid JSON (${(e as Error).message}).` };
  }
  const s = spec as { name?: unknown; grid?: unknown };
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.grid !== 'object' ||
    s.grid === null ||
    (Array.isArray(s.grid) && !s.grid.every((g) => typeof g === 'object' && g !== null && !Array.isArray(g)))
  )
    return {
      error: `${basename(file)} is no sweep spec: it needs a "grid" object (or a list of them), e.g. { "name": "seeds", "command": "train", "base": { "model": "vae" }, "grid": { "seed": [1, 2, 3] } }.`,
    };
  const name = typeof s.name === 'string' && s.name.trim() ? s.name.trim() : basename(file).replace(/\.json$/i, '');
  return { name };
}

/** `vae-lab-runs/<name>`, the name made safe as one folder name. */
export function defaultOutFolder(name: string): string {
  return `${RUNS_FOLDER}/${name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '') || 'sweep'}`;
}

/** Whether an executable named `program` is in one of PATH's folders. */
export function onPath(program: string, path = process.env.PATH ?? ''): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, program), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}
