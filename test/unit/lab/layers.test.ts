/**
 * The lab's layer order (ARCHITECTURE.md), enforced rather than hoped for: each folder of
 * src/lab imports values only from itself and the folders before it, no two folders import
 * each other even through types, one paper's experiment never reaches into another's, and
 * the process boundaries around the lab hold (src/cli is imported by nothing, the host code
 * never loads the lab or vscode, the kernel never loads host code). Imports are read with the
 * TypeScript parser, so `import type` and `{ type X }` count as type-only exactly as tsc
 * elides them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const root = join(__dirname, '../../..');

/** The lab's folders in order; a folder may import values from those before it. */
export const LAYERS = ['core', 'runtime', 'data', 'nets', 'models', 'train', 'jobs', 'metrics', 'viz', 'experiments'];

export interface ImportEdge {
  /** Importing file, relative to the repo root. */
  from: string;
  /** The specifier as written. */
  spec: string;
  /** Resolved path relative to the repo root (relative specifiers only). */
  to?: string;
  typeOnly: boolean;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) out.push(...filesUnder(rel));
    else if (name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** `x` -> `x.ts`, or `x/index.ts` for a folder (the path may name a file a test made up). */
function resolveModule(path: string): string {
  if (path.endsWith('.ts') || existsSync(join(root, `${path}.ts`))) return path.endsWith('.ts') ? path : `${path}.ts`;
  if (existsSync(join(root, path)) && statSync(join(root, path)).isDirectory()) return `${path}/index.ts`;
  return `${path}.ts`;
}

/** Every import, re-export, `require(...)` and `import(...)` of a source text. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const to = spec.startsWith('.') ? resolveModule(relative(root, resolve(root, dirname(file), spec))) : undefined;
    edges.push({ from: file, spec, to, typeOnly });
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const c = st.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(st.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      const named = st.exportClause && ts.isNamedExports(st.exportClause) ? st.exportClause.elements : undefined;
      add(st.moduleSpecifier.text, st.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    }
  }
  const visit = (n: ts.Node) => {
    if (
      ts.isCallExpression(n) &&
      n.arguments.length === 1 &&
      ts.isStringLiteral(n.arguments[0]) &&
      (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))
    ) {
      add(n.arguments[0].text, false);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return edges;
}

/** The layer of a lab file: its first folder ('experiments/<paper>' for a paper); tf.ts belongs to the runtime, index.ts sits above all. */
export function layerOf(path: string): string | undefined {
  const m = /^src\/lab\/(.+)$/.exec(path.replace(/\\/g, '/'));
  if (!m) return undefined;
  const parts = m[1].split('/');
  if (parts.length === 1) return parts[0] === 'tf.ts' ? 'runtime' : 'index';
  if (parts[0] === 'experiments' && parts.length > 2) return `experiments/${parts[1]}`;
  return parts[0];
}

const rank = (layer: string) => (layer === 'index' ? LAYERS.length : LAYERS.indexOf(layer.split('/')[0]));

/** What is wrong with the lab's imports: value imports against the order, folder cycles, unknown folders, imports out of the lab. */
export function layerViolations(files: { path: string; text: string }[]): string[] {
  const problems: string[] = [];
  const graph = new Map<string, Set<string>>();
  for (const { path, text } of files) {
    const from = layerOf(path)!;
    if (rank(from) < 0) problems.push(`${path}: folder '${from}' is not in the layer order (${LAYERS.join(' <- ')})`);
    for (const e of importsOf(path, text)) {
      if (e.spec === 'vscode') problems.push(`${path} imports vscode`);
      if (!e.to) continue;
      const to = layerOf(e.to);
      if (!to) {
        if (!e.to.startsWith('src/common/')) problems.push(`${path} imports ${e.spec}, outside the lab (only src/common is shared)`);
        continue;
      }
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
      if (e.typeOnly) continue;
      if (rank(to) > rank(from)) problems.push(`${path} (${from}) imports a value from ${e.spec} (${to}), a later layer`);
      else if (from.startsWith('experiments/') && to.startsWith('experiments/'))
        problems.push(`${path} (${from}) imports ${e.spec}: one paper's experiment must not use another's`);
    }
  }
  // Folder cycles, through type-only imports too: a depth-first search for a back edge.
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const dfs = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') problems.push(`folder cycle: ${[...stack.slice(stack.indexOf(m)), m].join(' -> ')}`);
      else if (!state.has(m)) dfs(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) dfs(n);
  return problems;
}

const read = (dir: string) => filesUnder(dir).map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));

test('src/lab: every folder imports values only from the folders before it, and no folders form a cycle', () => {
  assert.deepEqual(layerViolations(read('src/lab')), []);
});

test('the checker itself: a value import against the order, a type-only cycle and a cross-paper import are each caught', () => {
  const f = (path: string, text: string) => ({ path, text });
  assert.deepEqual(
    layerViolations([f('src/lab/models/a.ts', "import type { T } from '../train/trainer';\nimport { x } from '../core/random';")]),
    [],
    'type-only upward and value downward pass',
  );
  assert.match(layerViolations([f('src/lab/models/registry.ts', "import { loadCheckpoint } from '../train/checkpoint';")]).join(), /a later layer/);
  assert.match(layerViolations([f('src/lab/data/a.ts', "const m = require('../metrics/evaluate');")]).join(), /a later layer/);
  assert.match(
    layerViolations([f('src/lab/data/a.ts', "import { type A, b } from '../viz/show';")]).join(),
    /a later layer/,
    'one value specifier makes the import a value import',
  );
  assert.match(
    layerViolations([
      f('src/lab/models/a.ts', "import type { T } from '../train/trainer';"),
      f('src/lab/train/b.ts', "import type { M } from '../models/types';"),
    ]).join(),
    /folder cycle: (models -> train -> models|train -> models -> train)/,
  );
  assert.match(layerViolations([f('src/lab/experiments/factor-vae/a.ts', "import { presets } from '../cr-vae/presets';")]).join(), /another's/);
  assert.match(layerViolations([f('src/lab/viz/a.ts', "import { x } from '../../extension/kernels';")]).join(), /outside the lab/);
});

test('process boundaries: nothing imports src/cli; host code loads neither the lab nor vscode; the kernel loads no host code', () => {
  const all = ['src/extension', 'src/kernel', 'src/lab', 'src/host', 'src/common', 'src/renderers'].flatMap(read);
  const bad: string[] = [];
  for (const { path, text } of all) {
    for (const e of importsOf(path, text)) {
      if (e.to?.startsWith('src/cli/')) bad.push(`${path} imports ${e.spec}: src/cli is an entry point only`);
      if (path.startsWith('src/host/') && (e.spec === 'vscode' || e.to?.startsWith('src/lab/') || e.to?.startsWith('src/extension/')))
        bad.push(`${path} imports ${e.spec}`);
      if (path.startsWith('src/kernel/') && (e.to?.startsWith('src/host/') || e.to?.startsWith('src/extension/')))
        bad.push(`${path} imports ${e.spec}: the kernel process holds kernel code only`);
    }
  }
  assert.deepEqual(bad, []);
});
