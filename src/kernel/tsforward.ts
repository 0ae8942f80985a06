/**
 * Makes the converter (TypeScript inside tslab) see the declarations shipped in dist/types:
 * TypeScript's lib files (found next to the "executing file", which inside our bundle would
 * be dist/kernel.js), and packages under `<notebookDir>/node_modules/...` that the notebook
 * folder does not have itself (@types/node, tfjs, vae-lab). The notebook's own packages win.
 * Read-only files under node_modules are not watched: thousands of tfjs declaration files
 * would otherwise cost thousands of file watchers.
 */
import * as ts from '@tslab/typescript-for-tslab';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function forwardTypes(typesRoot: string, notebookDir: string): void {
  const sys = ts.sys;
  const prefix = join(notebookDir, 'node_modules').replace(/\\/g, '/');
  const ours = join(typesRoot, 'node_modules').replace(/\\/g, '/');
  const fwd = (p: string): string | undefined => {
    const n = p.replace(/\\/g, '/');
    if (n !== prefix && !n.startsWith(prefix + '/')) return undefined;
    return ours + n.slice(prefix.length);
  };
  const orig = {
    fileExists: sys.fileExists.bind(sys),
    directoryExists: sys.directoryExists.bind(sys),
    readFile: sys.readFile.bind(sys),
    getDirectories: sys.getDirectories.bind(sys),
    realpath: sys.realpath?.bind(sys),
    watchFile: sys.watchFile?.bind(sys),
    watchDirectory: sys.watchDirectory?.bind(sys),
  };
  const pick = (p: string, exists: (q: string) => boolean): string => {
    if (exists(p)) return p;
    const f = fwd(p);
    return f && exists(f) ? f : p;
  };
  sys.getExecutingFilePath = () => join(typesRoot, 'typescript/lib/typescript.js');
  sys.fileExists = (p) => orig.fileExists(pick(p, orig.fileExists));
  sys.directoryExists = (p) => orig.directoryExists(pick(p, orig.directoryExists));
  sys.readFile = (p, enc) => orig.readFile(pick(p, orig.fileExists), enc);
  sys.getDirectories = (p) => {
    const real = orig.directoryExists(p) ? orig.getDirectories(p) : [];
    const f = fwd(p);
    const extra = f && orig.directoryExists(f) ? orig.getDirectories(f) : [];
    return [...new Set([...real, ...extra])];
  };
  // Report the shipped file's true path so tfjs's own relative imports resolve inside typesRoot.
  sys.realpath = (p) => {
    const chosen = pick(p, (q) => orig.fileExists(q) || orig.directoryExists(q));
    return orig.realpath ? orig.realpath(chosen) : chosen;
  };
  const quiet = (p: string) => /[\\/]node_modules([\\/]|$)/.test(p) || p.replace(/\\/g, '/').startsWith(typesRoot.replace(/\\/g, '/'));
  const noWatch = { close() {} };
  if (orig.watchFile) sys.watchFile = (p, cb, ...rest) => (quiet(p) ? noWatch : orig.watchFile!(p, cb, ...rest));
  if (orig.watchDirectory) sys.watchDirectory = (p, cb, ...rest) => (quiet(p) ? noWatch : orig.watchDirectory!(p, cb, ...rest));
}

/** Why vae-lab types are missing (written by the build), or undefined when they are there. */
export function missingLabTypes(typesRoot: string): string | undefined {
  const marker = join(typesRoot, 'vae-lab-types-missing.txt');
  if (!existsSync(typesRoot)) return `${typesRoot} does not exist (run npm run build)`;
  return existsSync(marker) ? ts.sys.readFile(marker) : undefined;
}
