/**
 * Atomic writes: a reader (or a crash) sees the old file or the new one, never half of one.
 *
 * A file goes to a temporary file in the same folder (a rename is only atomic within one file
 * system), is fsync'ed so its bytes are on disk before the rename makes them visible, and is
 * renamed over the target. A folder (a checkpoint) is filled under a temporary name, each file
 * fsync'ed, then swapped in with two renames: the old folder to `<dir>.old-*`, the new one into
 * place; the old one is removed last. A crash between the two renames leaves `<dir>.old-*`,
 * which `previousDirs` lists for the reader to fall back on.
 *
 * Node-only (node:fs). The host, the kernel, the lab and the CLI import it; it lives in
 * src/common because the host may not import the lab. Renderers must not import it: their
 * browser build fails on a `node:` import.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let serial = 0;
/** A name beside `path` that no other writer (process or call) picks. */
const tempBeside = (path: string, kind: string) => join(dirname(path), `.${basename(path)}.${kind}-${process.pid}-${Date.now()}-${serial++}`);

/** fsync one file or folder by path (a folder's fsync is not possible on Windows: skipped there). */
function syncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch (e) {
    if (!(process.platform === 'win32' && statSync(path).isDirectory())) throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** fsync every file under `dir`, then the folders themselves (so the names are on disk too). */
function syncTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) syncTree(p);
    else syncPath(p);
  }
  syncPath(dir);
}

/**
 * Write `data` to `file` atomically (temp file in the same folder, fsync, rename). On failure
 * the old file is untouched, the temp file removed, and the error rethrown.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tempBeside(file, 'tmp');
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
    syncPath(tmp);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Replace the folder `dir` atomically with what `fill` writes into the (empty, existing)
 * folder it is given. On failure (fill throws, a rename fails) the old folder stays as it was,
 * the temporary folder is removed, and the error rethrown.
 */
export async function replaceDirAtomic(dir: string, fill: (tmp: string) => Promise<void> | void): Promise<void> {
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}-${serial++}`;
  try {
    mkdirSync(tmp);
    await fill(tmp);
    syncTree(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = `${dir}.old-${process.pid}-${Date.now()}-${serial++}`;
  const hadOld = existsSync(dir);
  if (hadOld) renameSync(dir, old);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    if (hadOld) renameSync(old, dir);
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}

/** The `<dir>.old-*` folders a crash between replaceDirAtomic's two renames left, oldest first. */
export function previousDirs(dir: string): string[] {
  const parent = dirname(dir);
  if (!existsSync(parent)) return [];
  const olds = readdirSync(parent).filter((f) => f.startsWith(`${basename(dir)}.old-`));
  // Sort by the timestamp and serial in the name, not as text ("-10" sorts before "-9").
  const key = (f: string) =>
    f
      .slice(basename(dir).length + 5)
      .split('-')
      .slice(1)
      .map(Number);
  return olds
    .sort((a, b) => {
      const x = key(a),
        y = key(b);
      return x[0] - y[0] || (x[1] ?? 0) - (y[1] ?? 0);
    })
    .map((f) => join(parent, f));
}
