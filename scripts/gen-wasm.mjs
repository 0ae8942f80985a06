// Assembles the lab's readable WebAssembly kernels (src/lab/runtime/wasm/*.wat, the text format)
// with wabt (npm `wabt`: the WebAssembly Binary Toolkit built to wasm, so no native toolchain is
// needed) into src/lab/runtime/wasm/generated/<name>.ts, each exporting the module's bytes as
// base64. scripts/build.mjs runs it first; the generated files are committed so tests run from
// source, and test/unit/runtime/wasm-gen.test.ts fails when one is stale.
//
// A .wat may use a few line directives (comments to wabt, expanded here first) so that unrolled
// register tiles are written once, not copied out by hand:
//   ;;#define NAME EXPR            a number, also exported by the generated file (`defines`)
//   ;;#variant NAME V1 V2 ...      one module per combination of every variant's values, keyed
//                                  'NAME=V ...' in the generated `wasmBase64` record
//   ;;#for X in range(EXPR)        the lines up to the matching ;;#end once per X = 0 .. EXPR-1
//   ;;#for X Y in A B, C D         ... once per group (X = A, Y = B), (X = C, Y = D)
//   ;;#if EXPR / ;;#else / ;;#end  the lines kept when EXPR is non-zero (or the ;;#else part)
//   {EXPR} in any other line       the value of EXPR: integer arithmetic (+ - * / % == != < >)
//                                  over the names above; {X} for a name alone is its value
// Usage: node scripts/gen-wasm.mjs [--check]   (--check: exit 1 if a generated file would change)
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** wabt's factory, or null where the devDependency is not installed (a checkout before `npm ci`). */
async function loadWabt() {
  try {
    return (await import('wabt')).default;
  } catch {
    return null;
  }
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WAT_DIR = join(root, 'src/lab/runtime/wasm');
export const OUT_DIR = join(WAT_DIR, 'generated');

const FEATURES = { simd: true, relaxed_simd: true, threads: true };

/** The value of a directive's expression over `env` (a bare name may be a string). */
export function evaluate(expr, env, where) {
  const e = expr.trim();
  if (/^[A-Za-z_]\w*$/.test(e)) {
    if (!(e in env)) throw new Error(`${where}: unknown name ${e}`);
    return env[e];
  }
  const js = e.replace(/[A-Za-z_]\w*/g, (name) => {
    if (typeof env[name] !== 'number') throw new Error(`${where}: ${name} is not a number in {${e}}`);
    return `(${env[name]})`;
  });
  if (!/^[\d\s+\-*/%()<>=!]+$/.test(js)) throw new Error(`${where}: not integer arithmetic: ${e}`);
  const v = Function(`return (${js});`)();
  return typeof v === 'boolean' ? Number(v) : v;
}

/** A for-list item: a defined name's value, a number, or else the word itself (a function name). */
const item = (tok, env) => (tok in env ? env[tok] : /^-?\d+$/.test(tok) ? Number(tok) : tok);

/** Parses the directive lines into a tree: text lines, `for` and `if` nodes. */
function parse(lines) {
  let i = 0;
  const block = (closers) => {
    const out = [];
    while (i < lines.length) {
      const line = lines[i];
      const at = `line ${i + 1}`;
      const d = /^\s*;;#(\w+)\s*(.*)$/.exec(line);
      i++;
      if (!d) {
        out.push({ text: line, at });
        continue;
      }
      const [, word, rest] = d;
      if (closers.includes(word)) return { out, closer: word };
      if (word === 'for') {
        const m = /^(.*?)\s+in\s+(.*)$/.exec(rest);
        if (!m) throw new Error(`${at}: ;;#for X in ... expected`);
        const body = block(['end']);
        out.push({ for: m[1].trim().split(/\s+/), list: m[2].trim(), body: body.out, at });
      } else if (word === 'if') {
        const then = block(['else', 'end']);
        const otherwise = then.closer === 'else' ? block(['end']).out : [];
        out.push({ if: rest, then: then.out, otherwise, at });
      } else if (word === 'define' || word === 'variant') {
        out.push({ [word]: rest.trim().split(/\s+/), at });
      } else throw new Error(`${at}: unknown directive ;;#${word}`);
    }
    if (closers.length) throw new Error(`unclosed directive: ;;#${closers.join(' or ;;#')} missing`);
    return { out };
  };
  return block([]).out;
}

/** The text of `nodes` under `env` (directives expanded, {EXPR}s substituted). */
function expand(nodes, env) {
  const out = [];
  for (const n of nodes) {
    if ('text' in n) out.push(n.text.replace(/\{([^{}]+)\}/g, (_, e) => String(evaluate(e, env, n.at))));
    else if ('define' in n) env[n.define[0]] = evaluate(n.define.slice(1).join(' '), env, n.at);
    else if ('if' in n) out.push(...expand(evaluate(n.if, env, n.at) ? n.then : n.otherwise, env));
    else if ('for' in n) {
      const r = /^range\((.*)\)$/.exec(n.list);
      const groups = r
        ? [...Array(evaluate(r[1], env, n.at)).keys()].map((x) => [x])
        : n.list.split(',').map((g) =>
            g
              .trim()
              .split(/\s+/)
              .map((t) => item(t, env)),
          );
      for (const g of groups) {
        if (g.length !== n.for.length) throw new Error(`${n.at}: ;;#for ${n.for.join(' ')} given ${g.join(' ')}`);
        out.push(...expand(n.body, { ...env, ...Object.fromEntries(n.for.map((name, j) => [name, g[j]])) }));
      }
    }
  }
  return out;
}

/** Every module a .wat source makes: [{ key, text }], key '' where it has no ;;#variant. */
export function preprocess(text) {
  const nodes = parse(text.split('\n'));
  const variants = nodes.filter((n) => 'variant' in n).map((n) => [n.variant[0], n.variant.slice(1).map(Number)]);
  let combos = [{}];
  for (const [name, values] of variants) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  const defines = {};
  const modules = combos.map((c) => {
    const env = { ...c };
    const out = expand(nodes, env);
    for (const n of nodes) if ('define' in n) defines[n.define[0]] = env[n.define[0]];
    return {
      key: Object.entries(c)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      text: out.join('\n'),
    };
  });
  return { modules, defines };
}

/** A module's bytes, base64, from wat text. */
async function assemble(name, text, wabtInit) {
  const wabt = await wabtInit();
  const mod = wabt.parseWat(name, text, FEATURES);
  try {
    mod.validate(FEATURES);
    const { buffer } = mod.toBinary({ log: false, write_debug_names: false });
    return Buffer.from(buffer).toString('base64');
  } finally {
    mod.destroy();
  }
}

const quoted = (b64, indent) => (b64.match(/.{1,100}/g) ?? []).map((l) => `${indent}'${l}'`).join(' +\n');

/** The generated TypeScript for one .wat source (its bytes, base64). */
export async function generate(file, wabtInit) {
  const { modules, defines } = preprocess(readFileSync(file, 'utf8'));
  const head = `// Generated by scripts/gen-wasm.mjs from ${basename(file)} (wabt): do not edit, edit the .wat and run npm run build.\n`;
  const defs = Object.keys(defines).length
    ? `/** The source's ;;#define constants. */\nexport const defines = ${JSON.stringify(defines).replace(/"/g, '').replace(/,/g, ', ').replace(/:/g, ': ').replace(/^\{/, '{ ').replace(/\}$/, ' }')} as const;\n`
    : '';
  if (modules.length === 1 && modules[0].key === '') {
    return head + defs + `export const wasmBase64 =\n${quoted(await assemble(basename(file), modules[0].text, wabtInit), '  ')};\n`;
  }
  const entries = [];
  for (const m of modules) entries.push(`  '${m.key}':\n${quoted(await assemble(`${basename(file)} (${m.key})`, m.text, wabtInit), '    ')},\n`);
  return (
    head +
    defs +
    `/** The module's bytes for each combination of the source's ;;#variant values, keyed '${modules[0].key.replace(/=\d+/g, '=N')}'. */\n` +
    `export const wasmBase64: Record<string, string> = {\n${entries.join('')}};\n`
  );
}

export async function generateAll(check = false) {
  const wabtInit = await loadWabt();
  if (!wabtInit) {
    if (check) throw new Error('wabt is not installed: run npm ci (it is a devDependency)');
    console.warn('gen-wasm: wabt is not installed (npm ci): the committed generated kernels are used as they are');
    return [];
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const stale = [];
  for (const f of readdirSync(WAT_DIR)
    .filter((f) => f.endsWith('.wat'))
    .sort()) {
    const out = join(OUT_DIR, basename(f, '.wat') + '.ts');
    const code = await generate(join(WAT_DIR, f), wabtInit);
    const old = existsSync(out) ? readFileSync(out, 'utf8') : '';
    if (old === code) continue;
    stale.push(out);
    if (!check) writeFileSync(out, code);
  }
  return stale;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const stale = await generateAll(check);
  if (check && stale.length) {
    console.error(`stale generated kernels (run node scripts/gen-wasm.mjs): ${stale.join(', ')}`);
    process.exit(1);
  }
  for (const f of stale) console.log(`gen-wasm: wrote ${f}`);
}
