/**
 * How cells find modules. `import`/`require` resolve from the notebook's folder first, then
 * the extra module folders, then the kernel's own folder (the extension's dependencies).
 * A few names are virtual: 'vae-lab' and tfjs map to the instances bundled in the kernel,
 * for every requirer (a package from node_modules that requires tfjs gets ours too), so
 * exactly one tfjs-core is loaded. ES-module-only packages are loaded with import() before
 * the cell runs (the converter turns imports into require calls, which are synchronous).
 */
import Module, { createRequire, isBuiltin } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exports as resolvePackageExports } from 'resolve.exports';
import { LocalModules } from './localmodules';

/**
 * A module a cell asked for cannot be found or loaded. Thrown into the cell (the user sees
 * it as the cell's error); the message says where we looked and how to install it.
 */
export class ModuleLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModuleLoadError';
  }
}

type Virtual = Map<string, () => unknown>;

interface PackageJson {
  name?: string;
  type?: string;
  main?: string;
  exports?: unknown;
}

function readJson(file: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

function isEsmFile(file: string): boolean {
  const ext = extname(file);
  if (ext === '.mjs') return true;
  if (ext !== '.js') return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = readJson(join(dir, 'package.json'));
    if (pkg) return pkg.type === 'module';
    if (dirname(dir) === dir) return false;
  }
}

/**
 * Resolves `subpath` ('.' or './x') of a package's `exports` field as Node's ESM resolver does
 * (conditions node, import, default; the most specific pattern wins), through resolve.exports.
 */
export function resolveExports(pkg: PackageJson & { name?: string }, subpath: string): string | undefined {
  try {
    return resolvePackageExports({ name: pkg.name ?? 'package', exports: pkg.exports } as Parameters<typeof resolvePackageExports>[0], subpath)?.[0];
  } catch {
    return undefined; // not exported: the caller reports the module as not found
  }
}

/** Wraps an ES module namespace so the converter's CommonJS interop helpers read it right. */
function asCommonJs(ns: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { __esModule: true };
  for (const key of Object.keys(ns)) Object.defineProperty(out, key, { enumerable: true, get: () => ns[key] });
  return out;
}

export class ModuleLoader {
  private readonly searchDirs: string[];
  private readonly nativeRequire: NodeJS.Require;
  private readonly esm = new Map<string, Record<string, unknown>>();
  /** The notebook's own .ts/.js files (see localmodules.ts). */
  private readonly local: LocalModules;

  constructor(
    private readonly notebookDir: string,
    extraDirs: string[],
    kernelDir: string,
    private readonly virtual: Virtual,
  ) {
    this.searchDirs = [notebookDir, ...extraDirs, kernelDir];
    this.nativeRequire = createRequire(join(notebookDir, '__vae_lab_cell__.js'));
    // A local module's own imports of packages resolve from its folder, then as a cell's do.
    this.local = new LocalModules((id, fromFile) => {
      const v = this.virtual.get(id);
      if (v) return v();
      try {
        return createRequire(fromFile)(id);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
        return this.require(id);
      }
    }, isEsmFile);
  }

  /** Routes every require of a virtual name, from anywhere in the process, to our instance. */
  installGlobalHook(): void {
    const M = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
    const load = M._load;
    const virtual = this.virtual;
    M._load = function (request: string, parent: unknown, isMain: boolean) {
      const v = virtual.get(request);
      return v ? v() : load.call(this, request, parent, isMain);
    };
  }

  /** Called before each cell: local files changed on disk since they ran are run again. */
  refreshLocal(): void {
    this.local.refresh();
  }

  /** The `require` that cell code gets. */
  readonly require = (id: string): unknown => {
    const v = this.virtual.get(id);
    if (v) return v();
    if (isBuiltin(id)) return this.nativeRequire(id);
    const local = this.local.resolve(id, this.notebookDir);
    if (local) return this.local.load(local);
    const esm = this.esm.get(id);
    if (esm) return esm;
    const file = this.resolveCjs(id);
    try {
      return this.nativeRequire(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_REQUIRE_ESM') {
        throw new ModuleLoadError(`'${id}' is an ES module and cannot be require()d here; use \`import ... from '${id}'\` in the cell instead.`);
      }
      throw err;
    }
  };

  /** Loads the ES-module-only packages among the static requires in `js` (before it runs). */
  async preload(js: string): Promise<void> {
    for (const m of js.matchAll(/\brequire\((["'])([^"'\n]+)\1\)/g)) {
      const id = m[2];
      if (this.virtual.has(id) || isBuiltin(id) || this.esm.has(id) || this.local.resolve(id, this.notebookDir)) continue;
      let file: string | undefined;
      try {
        file = this.resolveCjs(id);
        if (!isEsmFile(file)) continue;
      } catch {
        file = this.resolveEsm(id);
        if (!file) continue; // require() at run time reports the clear error
      }
      const ns = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      this.esm.set(id, asCommonJs(ns));
    }
  }

  private resolveCjs(id: string): string {
    try {
      return this.nativeRequire.resolve(id, { paths: this.searchDirs });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
      throw new ModuleLoadError(
        `Cannot find module '${id}'. Looked in the notebook folder (${this.notebookDir}) and its parents, ` +
          `then in ${this.searchDirs.slice(1).join(', ')}. Install it next to the notebook: npm install ${
            id.startsWith('.')
              ? ''
              : id
                  .split('/')
                  .slice(0, id.startsWith('@') ? 2 : 1)
                  .join('/')
          }`,
      );
    }
  }

  /** ES module resolution of a bare specifier (what import() would find from the notebook folder). */
  private resolveEsm(id: string): string | undefined {
    if (id.startsWith('.') || id.startsWith('/')) {
      const file = resolvePath(this.notebookDir, id);
      return existsSync(file) ? file : undefined;
    }
    const parts = id.split('/');
    const name = parts.slice(0, id.startsWith('@') ? 2 : 1).join('/');
    const subpath = ['.', ...parts.slice(id.startsWith('@') ? 2 : 1)].join('/');
    const nm = Module as unknown as { _nodeModulePaths: (from: string) => string[] };
    for (const base of this.searchDirs) {
      for (const dir of nm._nodeModulePaths(base)) {
        const pkgDir = join(dir, name);
        const pkg = readJson(join(pkgDir, 'package.json'));
        if (!pkg) continue;
        const rel = pkg.exports !== undefined ? resolveExports(pkg, subpath) : subpath === '.' ? (pkg.main ?? 'index.js') : subpath;
        if (rel) return join(pkgDir, rel);
      }
    }
    return undefined;
  }
}
