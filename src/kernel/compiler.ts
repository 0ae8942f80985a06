/**
 * Cell source -> JavaScript, with tslab's converter: type-checks TypeScript (and JavaScript)
 * cells against the declarations of all earlier cells, exports every top-level name so the
 * next cell sees it, and names the last expression. On top of tslab we add: emitting code
 * for cells with type errors (typeCheck 'warn'/'off'), and a line map to the user's source.
 */
import { statSync } from 'node:fs';
import * as ts from '@tslab/typescript-for-tslab';
import { createConverter, type Converter, type ConverterOptions, type Diagnostic as TsDiagnostic, type SideOutput } from 'tslab/dist/converter';
import type { Diagnostic, TypeCheckMode } from '../common/protocol';
import { lookup, parseMap, type LineMap } from './sourcemap';

/** Options object shared with our patch of the converter (see build/kernel-build.mjs). */
interface PatchedOptions extends ConverterOptions {
  emitOnError?: boolean;
  fileWatchers?: Map<string, (fileName: string, kind: ts.FileWatcherEventKind) => void>;
  lastSourceMap?: string;
  lastEsOutput?: string;
}

export interface Compiled {
  /**
   * A script whose value is the cell as a function of (exports, require, module, __filename,
   * __dirname) returning a promise; undefined when the cell must not run.
   */
  js?: string;
  /** Maps a 0-based line/column of `js` to the cell source; undefined when not covered. */
  mapPosition?: (line: number, column: number) => [number, number] | undefined;
  diagnostics: Diagnostic[];
  /** Why the cell must not run (syntax errors, or type errors in 'error' mode). */
  blocked?: string;
  hasTopLevelAwait: boolean;
  lastExpressionVar?: string;
  /** Declarations to carry to the next cell once this one ran. */
  declOutput?: string;
  sideOutputs?: SideOutput[];
}

const SRC_PREFIX_LINES = 1; // the converter prepends "export {};\n" to the cell
/** The cell becomes this function; the runner calls it with the cell's module bindings. */
const FN_HEADER = '(async function (exports, require, module, __filename, __dirname) {';

function transpile(code: string, target: ts.ScriptTarget): { code: string; map: LineMap } {
  const out = ts.transpileModule(code, {
    fileName: 'cell.js',
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      esModuleInterop: true,
      target,
      newLine: ts.NewLineKind.LineFeed,
      noImplicitUseStrict: true,
      sourceMap: true,
    },
  });
  return {
    code: out.outputText.replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, '\n'),
    map: parseMap(out.sourceMapText!),
  };
}

/**
 * One converter diagnostic for cell `src`. A diagnostic in a local module the cell imports
 * names that file and line in its message, and is placed on the cell's first relative import
 * (its own position is in the other file).
 */
function toDiagnostic(d: TsDiagnostic, src: string): Diagnostic {
  const text = typeof d.messageText === 'string' ? d.messageText : String(d.messageText);
  const severity = d.category === ts.DiagnosticCategory.Error ? 'error' : 'warning';
  if (d.fileName) {
    const lines = src.split('\n');
    const at = Math.max(
      0,
      lines.findIndex((l) => /\bfrom\s*["']\.|\brequire\s*\(\s*["']\.|\bimport\s*["']\./.test(l)),
    );
    return {
      severity,
      message: `${d.fileName}, line ${d.start.line + 1}:${d.start.character + 1}: ${text}`,
      start: { line: at, character: 0 },
      end: { line: at, character: lines[at]?.length ?? 0 },
      code: d.code,
    };
  }
  return {
    severity,
    message: text,
    start: { line: d.start.line, character: d.start.character },
    end: { line: d.end.line, character: d.end.character },
    code: d.code,
  };
}

function syntaxErrors(src: string, isJS: boolean): Diagnostic[] {
  const sf = ts.createSourceFile(isJS ? 'cell.js' : 'cell.ts', src, ts.ScriptTarget.ES2022, true, isJS ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const parse = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return parse.map((d) => {
    const s = sf.getLineAndCharacterOfPosition(d.start);
    const e = sf.getLineAndCharacterOfPosition(d.start + d.length);
    return { severity: 'error', message: ts.flattenDiagnosticMessageText(d.messageText, '\n'), start: s, end: e, code: d.code };
  });
}

export class CellCompiler {
  private converters: { ts?: Converter; js?: Converter } = {};
  private readonly opts: { ts: PatchedOptions; js: PatchedOptions } = { ts: {}, js: { isJS: true } };
  /** Declarations of everything the earlier cells defined. */
  prevDecl = '';

  constructor(private mode: TypeCheckMode) {}

  /** Creating a converter takes a few hundred ms; done ahead of the first cell. */
  warmUp(): void {
    this.converter(false);
  }

  private converter(isJS: boolean): Converter {
    const key = isJS ? 'js' : 'ts';
    return (this.converters[key] ??= createConverter(this.opts[key]));
  }

  /**
   * Re-running an unchanged cell on unchanged declarations gives the same result: remember
   * the last few. Cells that compiled local files are not cached (those files may change).
   */
  private readonly cache = new Map<string, Compiled>();

  compile(src: string, isJS: boolean): Compiled {
    const key = `${isJS}\0${this.mode}\0${this.prevDecl}\0${src}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const compiled = this.compileUncached(src, isJS);
    if (!compiled.sideOutputs?.length && !/\brequire\((["'])\.|from\s+(["'])\./.test(src)) {
      if (this.cache.size >= 32) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, compiled);
    }
    return compiled;
  }

  private compileUncached(src: string, isJS: boolean): Compiled {
    const syntax = syntaxErrors(src, isJS);
    if (syntax.length > 0) {
      return { diagnostics: [...syntax, ...this.typeErrorsBesides(syntax, src, isJS)], blocked: 'SyntaxError', hasTopLevelAwait: false };
    }
    const opts = this.opts[isJS ? 'js' : 'ts'];
    opts.emitOnError = this.mode !== 'error';
    opts.lastSourceMap = opts.lastEsOutput = undefined;
    this.noticeLocalChanges(opts);
    const r = this.converter(isJS).convert(this.prevDecl, src);
    this.noticeLocalChanges(opts); // records the files this cell brought in
    const diagnostics = this.mode === 'off' ? [] : r.diagnostics.map((d) => toDiagnostic(d, src));
    const errors = r.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (this.mode === 'error' && errors.length > 0) {
      return { diagnostics, blocked: 'TypeError', hasTopLevelAwait: false };
    }
    if (r.output === undefined || opts.lastEsOutput === undefined) {
      // A cell of declarations only (types, interfaces) has no code to run.
      return { diagnostics, hasTopLevelAwait: false, declOutput: r.declOutput, sideOutputs: r.sideOutputs };
    }
    // Two more steps of our own, each with a source map: ES module -> CommonJS (as tslab
    // does), then the whole cell as one async function, downlevelled to a generator (target
    // ES2016) so that every resumption after an `await` goes through our awaiter, which runs
    // it inside a vm call that SIGINT can interrupt (see awaiter.ts).
    const cjs = transpile(opts.lastEsOutput, ts.ScriptTarget.ES2022);
    const fn = transpile(`${FN_HEADER}\n${cjs.code}\n})`, ts.ScriptTarget.ES2016);
    const esMap = opts.lastSourceMap ? parseMap(opts.lastSourceMap) : undefined;
    const mapPosition = (line: number, column: number): [number, number] | undefined => {
      let pos = lookup(fn.map, line, column);
      if (!pos || pos[0] < 1) return undefined;
      pos = lookup(cjs.map, pos[0] - 1, pos[1]); // minus the FN_HEADER line
      pos = pos && esMap ? lookup(esMap, pos[0], pos[1]) : undefined;
      if (!pos || pos[0] < SRC_PREFIX_LINES) return undefined;
      return [pos[0] - SRC_PREFIX_LINES, pos[1]];
    };
    const js = fn.code;
    return {
      js,
      mapPosition,
      diagnostics,
      hasTopLevelAwait: !!r.hasToplevelAwait,
      lastExpressionVar: r.lastExpressionVar,
      declOutput: r.declOutput,
      sideOutputs: r.sideOutputs,
    };
  }

  /** Last seen modification time of each local source file the converter reads. */
  private readonly localTimes = new Map<string, number>();

  /**
   * Tells the converter about local files (not packages, not declarations) that changed on
   * disk since the last cell, so a cell run right after an edit is checked against the edit.
   */
  private noticeLocalChanges(opts: PatchedOptions): void {
    for (const [file, changed] of opts.fileWatchers ?? []) {
      if (/[\\/]node_modules[\\/]|\.d\.ts$/.test(file)) continue;
      let mtime: number;
      try {
        mtime = statSync(file).mtimeMs;
      } catch {
        continue;
      }
      const seen = this.localTimes.get(file);
      this.localTimes.set(file, mtime);
      if (seen !== undefined && seen !== mtime) changed(file, ts.FileWatcherEventKind.Changed);
    }
  }

  /**
   * The type errors of a cell that will not run for its syntax errors (TypeScript recovers
   * from those and checks the rest, as tslab reports them): the user fixes both in one go.
   * Diagnostics at the same place and with the same code as a syntax error are left out.
   */
  private typeErrorsBesides(syntax: Diagnostic[], src: string, isJS: boolean): Diagnostic[] {
    if (this.mode === 'off') return [];
    const opts = this.opts[isJS ? 'js' : 'ts'];
    opts.emitOnError = false;
    let found: Diagnostic[];
    try {
      this.noticeLocalChanges(opts);
      found = this.converter(isJS)
        .convert(this.prevDecl, src)
        .diagnostics.map((d) => toDiagnostic(d, src));
      this.noticeLocalChanges(opts);
    } catch {
      return []; // the syntax errors alone still say what to fix
    }
    const seen = new Set(syntax.map((d) => `${d.code}:${d.start.line}:${d.start.character}`));
    return found.filter((d) => !seen.has(`${d.code}:${d.start.line}:${d.start.character}`));
  }

  complete(src: string, offset: number): { start: number; end: number; items: { label: string; kind: string }[] } {
    const info = this.converter(false).complete(this.prevDecl, src, offset);
    const kinds = new Map(info.original?.entries.map((e) => [e.name, String(e.kind)]) ?? []);
    return { start: info.start, end: info.end, items: info.candidates.map((label) => ({ label, kind: kinds.get(label) ?? 'unknown' })) };
  }

  hover(src: string, offset: number): string | undefined {
    const info = this.converter(false).inspect(this.prevDecl, src, offset);
    if (!info) return undefined;
    const sig = ts.displayPartsToString(info.displayParts);
    const doc = ts.displayPartsToString(info.documentation);
    return doc ? `${sig}\n\n${doc}` : sig;
  }
}
