/**
 * The notebook's own source files: `import { b } from './lib/b'` in a cell, and every relative
 * import or require inside such a file, whatever mix of TypeScript and JavaScript, ES module
 * and CommonJS syntax. Node's require cannot load a .ts file, so each is compiled here
 * (TypeScript's transpileModule, CommonJS output) and evaluated as a CommonJS module whose own
 * `require` resolves its relative ids the same way, from its folder. Type checking is the
 * converter's job (compiler.ts); this only runs the code.
 *
 * Resolution follows TypeScript's (node10) order: `./x` is x.ts, x.tsx, x.js, x.cjs, then
 * x/index.*; `./x.js` is x.ts when that exists (TypeScript's ESM-style spelling), else x.js.
 * A module is evaluated once and shared by all its importers until a file changes on disk:
 * then all are dropped (a dependent must see the new code too) and run again on next import.
 */
import Module from 'node:module';
import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve as resolvePath } from 'node:path';
import * as ts from '@tslab/typescript-for-tslab';
import { lookup, parseMap } from './sourcemap';
import { registerScript } from './stack';

const TS_EXTS = ['.ts', '.tsx', '.mts', '.cts'];
const EXTS = ['.ts', '.tsx', '.js', '.cjs', '.json'];

interface Loaded {
  mtimeMs: number;
  size: number;
  module: Module;
}

function stat(file: string): { mtimeMs: number; size: number } | undefined {
  try {
    const s = statSync(file);
    return s.isFile() ? { mtimeMs: s.mtimeMs, size: s.size } : undefined;
  } catch {
    return undefined;
  }
}

export class LocalModules {
  private readonly loaded = new Map<string, Loaded>();

  /**
   * `outer(id, fromFile)` loads what is not a local file (packages, builtins, virtual names);
   * `isEsm(file)` says whether a .js file is an ES module (those are left to import()).
   */
  constructor(
    private readonly outer: (id: string, fromFile: string) => unknown,
    private readonly isEsm: (file: string) => boolean,
  ) {}

  /** The local source file a relative or absolute `id` names from folder `dir`, if any. */
  resolve(id: string, dir: string): string | undefined {
    if (!id.startsWith('./') && !id.startsWith('../') && id !== '.' && id !== '..' && !isAbsolute(id)) return undefined;
    const base = resolvePath(dir, id);
    if (/[\\/]node_modules[\\/]/.test(base)) return undefined;
    const ext = extname(base);
    const candidates: string[] = [];
    if (ext === '.js' || ext === '.jsx') candidates.push(base.slice(0, -ext.length) + '.ts', base.slice(0, -ext.length) + '.tsx');
    if (ext === '.mjs') candidates.push(base.slice(0, -4) + '.mts');
    if (ext === '.cjs') candidates.push(base.slice(0, -4) + '.cts');
    if ([...EXTS, ...TS_EXTS, '.jsx'].includes(ext)) candidates.push(base);
    candidates.push(...EXTS.map((e) => base + e), ...EXTS.map((e) => resolvePath(base, 'index' + e)));
    const file = candidates.find((f) => stat(f) !== undefined);
    if (!file || (extname(file) === '.js' && this.isEsm(file))) return undefined;
    return file;
  }

  /** Forgets every evaluated module when any of them changed on disk (called before each cell). */
  refresh(): void {
    for (const [file, l] of this.loaded) {
      const now = stat(file);
      if (!now || now.mtimeMs !== l.mtimeMs || now.size !== l.size) {
        this.loaded.clear();
        return;
      }
    }
  }

  /** The exports of local file `file` (from resolve), evaluating it on first use. */
  load(file: string): unknown {
    const cached = this.loaded.get(file);
    if (cached) return cached.module.exports;
    const st = stat(file)!;
    const source = readFileSync(file, 'utf8');
    const mod = new Module(file) as Module & { _compile(code: string, file: string): void; paths: string[] };
    mod.filename = file;
    mod.paths = (Module as unknown as { _nodeModulePaths: (d: string) => string[] })._nodeModulePaths(dirname(file));
    const dir = dirname(file);
    const req = (id: string): unknown => {
      const local = this.resolve(id, dir);
      return local ? this.load(local) : this.outer(id, file);
    };
    // Node's `require` inside the module calls mod.require.
    mod.require = req;
    // Cached before it runs, so that import cycles see the partial exports, as in Node.
    this.loaded.set(file, { ...st, module: mod });
    try {
      if (extname(file) === '.json') mod.exports = JSON.parse(source);
      else mod._compile(TS_EXTS.includes(extname(file)) ? this.transpile(file, source) : source, file);
    } catch (err) {
      this.loaded.delete(file);
      throw err;
    }
    mod.loaded = true;
    return mod.exports;
  }

  private transpile(file: string, source: string): string {
    const out = ts.transpileModule(source, {
      fileName: file,
      reportDiagnostics: false,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        experimentalDecorators: true,
        jsx: ts.JsxEmit.React,
        sourceMap: true,
        newLine: ts.NewLineKind.LineFeed,
      },
    });
    // Stack frames in this file then name its TypeScript lines.
    const map = parseMap(out.sourceMapText!);
    registerScript(file, { label: file, map: (l, c) => lookup(map, l, c), headerLines: 0 });
    return out.outputText.replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, '\n');
  }
}
