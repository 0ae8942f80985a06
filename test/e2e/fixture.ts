/**
 * The notebook the end-to-end tests run, and what each cell's saved outputs must show.
 * Shared by the code-server test (code-server.ts) and the @vscode/test-electron entry.
 *
 * To cover another output kind, add one `{ title, code, check }` entry to `cells`: `check`
 * gets the cell's outputs as saved in the .ipynb (nbformat 4) and returns what is wrong
 * (an empty list when the cell is right). Cells run top to bottom with "Run All", which stops
 * at the first failing cell, so the one cell that is meant to throw (`throws: true`) is
 * always placed last by `fixtureNotebook()`.
 */

export interface IpynbOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error' | string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface IpynbCell {
  cell_type: 'code' | 'markdown';
  source: string | string[];
  outputs?: IpynbOutput[];
  execution_count?: number | null;
  metadata: Record<string, unknown>;
}

export interface FixtureCell {
  title: string;
  code: string;
  /** This cell is meant to fail; it runs last. */
  throws?: boolean;
  check(outputs: IpynbOutput[], cellNumber: number): string[];
}

const join = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join('') : (t ?? ''));

/** Concatenated text of one stream across all its outputs. */
export function streamText(outputs: IpynbOutput[], name: 'stdout' | 'stderr'): string {
  return outputs
    .filter((o) => o.output_type === 'stream' && o.name === name)
    .map((o) => join(o.text))
    .join('');
}

/** `text/plain` of the cell's value. */
export function resultText(outputs: IpynbOutput[]): string | undefined {
  const r = outputs.find((o) => o.output_type === 'execute_result');
  return r ? join(r.data?.['text/plain'] as string | string[] | undefined) : undefined;
}

function noErrors(outputs: IpynbOutput[]): string[] {
  return outputs.filter((o) => o.output_type === 'error').map((o) => `unexpected error ${o.ename}: ${o.evalue}`);
}

function expectResult(outputs: IpynbOutput[], pattern: RegExp): string[] {
  const text = resultText(outputs);
  if (text === undefined) return [`no execute_result (outputs: ${JSON.stringify(outputs).slice(0, 300)})`];
  return pattern.test(text) ? [] : [`result ${JSON.stringify(text)} does not match ${pattern}`];
}

/** One display_data with our `application/vnd.vae-lab.<kind>+json` payload, a PNG fallback and a text/plain one. */
function expectLabOutput<P>(outputs: IpynbOutput[], kind: string, checkPayload: (payload: P) => string[]): string[] {
  const mime = `application/vnd.vae-lab.${kind}+json`;
  const found = outputs.filter((x) => x.output_type === 'display_data' && x.data?.[mime]);
  if (found.length !== 1) return [`expected one ${mime} output, got ${found.length} (outputs: ${JSON.stringify(outputs).slice(0, 300)})`];
  const data = found[0].data!;
  const problems = [...noErrors(outputs), ...checkPayload(data[mime] as P)];
  const png = Buffer.from(join(data['image/png'] as string | string[] | undefined), 'base64');
  if (png.subarray(1, 4).toString() !== 'PNG') problems.push('no image/png fallback');
  else if (png.readUInt32BE(16) < 28 || png.readUInt32BE(20) < 28) problems.push(`image/png fallback is only ${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`);
  if (!join(data['text/plain'] as string | string[] | undefined).trim()) problems.push('no text/plain fallback');
  return problems;
}

export const cells: FixtureCell[] = [
  {
    title: 'state: a typed let and const',
    code: "let counter: number = 40;\nconst greeting: string = 'hello';\ncounter",
    check: (o) => [...noErrors(o), ...expectResult(o, /^40$/)],
  },
  {
    title: 'state carries to the next cell',
    code: 'counter += 2;\n`${greeting} ${counter}`',
    check: (o) => [...noErrors(o), ...expectResult(o, /hello 42/)],
  },
  {
    // A throwing timer or a rejection nobody handles used to end the kernel (exit code 7): the
    // error is an output of the cell, the cell still succeeds, and Run All goes on.
    title: 'stray async errors are shown on the cell and fail nothing',
    code: [
      'let strayKept = 7;',
      "setTimeout(() => { throw new Error('stray timer'); }, 10);",
      "Promise.reject(new Error('stray rejection'));",
      'await new Promise((resolve) => setTimeout(resolve, 200));',
      // throws once the next cell has started, however long VS Code takes between cells
      "const strayPoll = setInterval(() => { if ((globalThis as any).strayGo) { clearInterval(strayPoll); throw new Error('thrown after the cell'); } }, 10);",
      'strayKept',
    ].join('\n'),
    check: (o, n) => {
      const problems = [...noErrors(o), ...expectResult(o, /^7$/)];
      const err = streamText(o, 'stderr');
      if (!new RegExp(`Uncaught exception: Error: stray timer\\n\\s+at .*Cell ${n}, line 2:`).test(err))
        problems.push(`no mapped stray timer error in stderr: ${JSON.stringify(err)}`);
      if (!/Uncaught exception.*: Error: stray rejection/.test(err)) problems.push(`no stray rejection in stderr: ${JSON.stringify(err)}`);
      return problems;
    },
  },
  {
    title: 'a later cell keeps every variable after stray errors',
    code: '(globalThis as any).strayGo = true;\nawait new Promise((resolve) => setTimeout(resolve, 400));\n`${strayKept} ${counter}`',
    check: (o) => {
      const problems = [...noErrors(o), ...expectResult(o, /7 42/)];
      // The previous cell's last timer fires while this one runs: it is shown here.
      if (!/Uncaught exception: Error: thrown after the cell/.test(streamText(o, 'stderr')))
        problems.push(`stderr was ${JSON.stringify(streamText(o, 'stderr'))}`);
      return problems;
    },
  },
  {
    title: 'a const re-declared in a later cell',
    code: "const greeting = 'bonjour';\ngreeting.toUpperCase()",
    check: (o) => [...noErrors(o), ...expectResult(o, /BONJOUR/)],
  },
  {
    title: 'top-level await',
    code: 'const later = await new Promise<number>((resolve) => setTimeout(() => resolve(6), 20));\nlater * 7',
    check: (o) => [...noErrors(o), ...expectResult(o, /^42$/)],
  },
  {
    title: 'console.log and console.error stream in order',
    code: "for (let i = 0; i < 5; i++) console.log('line', i);\nconsole.error('careful');\nconsole.log('after');",
    check: (o) => {
      const problems = noErrors(o);
      const out = streamText(o, 'stdout');
      if (out !== 'line 0\nline 1\nline 2\nline 3\nline 4\nafter\n') problems.push(`stdout was ${JSON.stringify(out)}`);
      if (streamText(o, 'stderr') !== 'careful\n') problems.push(`stderr was ${JSON.stringify(streamText(o, 'stderr'))}`);
      return problems;
    },
  },
  {
    title: 'display.png of a tfjs tensor',
    code: [
      "import * as tf from '@tensorflow/tfjs';",
      '// A 48x64 horizontal ramp, black to white.',
      'const ramp = tf.tidy(() => tf.linspace(0, 1, 64).reshape([1, 64]).tile([48, 1]));',
      'display.png(ramp);',
      'ramp.dispose();',
    ].join('\n'),
    check: (o) => {
      const d = o.find((x) => x.output_type === 'display_data' && x.data?.['image/png']);
      if (!d) return [`no display_data with image/png (outputs: ${JSON.stringify(o).slice(0, 300)})`];
      const png = Buffer.from(join(d.data!['image/png'] as string | string[]), 'base64');
      const problems = noErrors(o);
      if (png.subarray(1, 4).toString() !== 'PNG') return [...problems, 'image/png is not a PNG'];
      // IHDR: width and height are the first two big-endian uint32 after the 16-byte header.
      const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      if (w !== 64 || h !== 48) problems.push(`PNG is ${w}x${h}, expected 64x48`);
      if (!join(d.data!['text/plain'] as string | string[]).includes('64x48')) problems.push('no text/plain fallback naming the size');
      return problems;
    },
  },
  {
    title: 'a display updated in place keeps one output',
    code: "const progress = display.markdown('step 0');\nfor (let step = 1; step <= 3; step++) progress.update(`step ${step}`);",
    check: (o) => {
      const displays = o.filter((x) => x.output_type === 'display_data');
      if (displays.length !== 1) return [`expected one display output, got ${displays.length}`];
      const md = join(displays[0].data?.['text/markdown'] as string | string[] | undefined);
      return md === 'step 3' ? noErrors(o) : [`markdown is ${JSON.stringify(md)}, expected the last update "step 3"`];
    },
  },
  {
    title: 'a vega-lite chart',
    code: [
      'display.vegalite({',
      "  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',",
      "  title: 'loss',",
      "  mark: 'line',",
      '  data: { values: [1, 3, 2, 5].map((loss, step) => ({ step, loss })) },',
      "  encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' } },",
      '});',
    ].join('\n'),
    check: (o) => {
      const d = o.find((x) => x.output_type === 'display_data' && x.data?.['application/vnd.vegalite.v5+json']);
      if (!d) return [`no vega-lite display (outputs: ${JSON.stringify(o).slice(0, 300)})`];
      const spec = d.data!['application/vnd.vegalite.v5+json'] as { mark?: string; data?: { values?: unknown[] } };
      const problems = noErrors(o);
      if (spec.mark !== 'line' || spec.data?.values?.length !== 4) problems.push(`spec came back as ${JSON.stringify(spec).slice(0, 200)}`);
      if (!d.data!['text/plain']) problems.push('no text/plain fallback');
      return problems;
    },
  },
  {
    title: 'a tiny VAE trains on synthetic 28x28 images with a live chart (one output, updated in place)',
    code: [
      "import { tf, ImageDataset, VAE, Trainer, liveChart, show } from 'vae-lab';",
      '// 64 images: a bright 10x10 square in one of four quadrants (the class), faint texture elsewhere.',
      'const n = 64, bytes = new Uint8Array(n * 784), classes = new Uint8Array(n);',
      'for (let i = 0; i < n; i++) {',
      '  const c = i % 4, r0 = c < 2 ? 3 : 15, c0 = c % 2 ? 15 : 3;',
      '  classes[i] = c;',
      '  for (let r = 0; r < 28; r++) for (let q = 0; q < 28; q++)',
      '    bytes[i * 784 + r * 28 + q] = r >= r0 && r < r0 + 10 && q >= c0 && q < c0 + 10 ? 240 : (i * 7 + r * 3 + q) % 23;',
      '}',
      "const blobs = new ImageDataset(bytes, [28, 28, 1], classes, 'blobs');",
      "const vaeConfig = { kind: 'vae' as const, inputShape: [28, 28, 1] as [number, number, number], latentDim: 4, net: { kind: 'mlp' as const, hidden: [64] }, learningRate: 1e-2 };",
      'const vae = new VAE(vaeConfig);',
      '// throttleMs 0: every step updates the chart, so many updates must still leave one output.',
      "const fit = await new Trainer({ epochs: 3, batchSize: 16, callbacks: liveChart({ title: 'e2e training', throttleMs: 0 }) }).fit(vae, blobs);",
      '`${fit.steps} steps`',
    ].join('\n'),
    check: (o) => {
      const problems = [...noErrors(o), ...expectResult(o, /^'12 steps'$/)];
      const charts = o.filter(
        (x) => x.output_type === 'display_data' && Object.keys(x.data ?? {}).some((k) => /^application\/vnd\.vegalite\.v\d\+json$/.test(k)),
      );
      if (charts.length !== 1) return [...problems, `expected one live chart output, got ${charts.length} (outputs: ${JSON.stringify(o).slice(0, 300)})`];
      const data = charts[0].data!;
      const spec = data[Object.keys(data).find((k) => k.includes('vegalite'))!] as { data?: { values?: { kind: string; term: string }[] } };
      const values = spec.data?.values ?? [];
      // The saved chart is the last update: all 3 epoch means are in it.
      const epochs = values.filter((v) => v.kind === 'epoch' && v.term === 'loss').length;
      if (epochs !== 3) problems.push(`chart holds ${epochs} epoch loss points, expected 3 (the final update)`);
      if (!/last step 12/.test(join(data['text/plain'] as string | string[] | undefined)))
        problems.push(`text/plain fallback ${JSON.stringify(data['text/plain'])} does not name the last step 12`);
      return problems;
    },
  },
  {
    title: 'show.reconstructions draws a grid (with an image/png fallback)',
    code: [
      'const { x } = blobs.batch(Int32Array.from({ length: 8 }, (_, i) => i));',
      "// x~: each image mirrored left-right, for the grid's transformed rows and the arrows below.",
      'const xt = tf.tidy(() => tf.reverse(x, 2)) as typeof x;',
      'const y = Array.from(classes.subarray(0, 8));',
      'await show.reconstructions(vae, x, { transformed: xt, labels: y });',
    ].join('\n'),
    check: (o) =>
      expectLabOutput(o, 'grid', (p: { count?: number; rows?: unknown[] }) =>
        p.count === 8 && p.rows?.length === 4 ? [] : [`grid payload has count ${p.count} and ${p.rows?.length} rows, expected 8 and 4`],
      ),
  },
  {
    title: 'show.traversal draws a latent traversal (with an image/png fallback)',
    code: "await show.traversal(vae, x, { id: 'e2e' });",
    check: (o) =>
      expectLabOutput(o, 'traversal', (p: { id?: string; latentDim?: number; order?: number[] }) =>
        p.id === 'e2e' && p.latentDim === 4 && p.order?.length === 4 ? [] : [`traversal payload ${JSON.stringify(p).slice(0, 200)}`],
      ),
  },
  {
    title: 'show.arrows draws two panels side by side (with an image/png fallback)',
    code: [
      'const untrained = new VAE(vaeConfig);',
      "await show.arrows([{ title: 'VAE (trained)', model: vae }, { title: 'untrained', model: untrained }], x, xt, y, { classNames: ['TL', 'TR', 'BL', 'BR'] });",
      'untrained.dispose();',
    ].join('\n'),
    check: (o) =>
      expectLabOutput(o, 'arrows', (p: { count?: number; panels?: { title: string }[] }) =>
        p.count === 8 && p.panels?.map((q) => q.title).join() === 'VAE (trained),untrained'
          ? []
          : [`arrows payload has count ${p.count}, panels ${JSON.stringify(p.panels?.map((q) => q.title))}`],
      ),
  },
  {
    title: 'an error points at the cell line',
    throws: true,
    code: "const before = 1;\n\nthrow new Error('boom ' + before);",
    check: (o, cellNumber) => {
      const e = o.find((x) => x.output_type === 'error');
      if (!e) return [`no error output (outputs: ${JSON.stringify(o).slice(0, 300)})`];
      const problems: string[] = [];
      if (!/boom 1/.test(e.evalue ?? '')) problems.push(`evalue ${JSON.stringify(e.evalue)}`);
      const trace = (e.traceback ?? []).join('\n');
      if (!trace.includes(`Cell ${cellNumber}, line 3`))
        problems.push(`traceback does not point at Cell ${cellNumber}, line 3: ${JSON.stringify(trace).slice(0, 300)}`);
      return problems;
    },
  },
];

/** Cells in run order: the throwing one last (Run All stops there). */
export function orderedCells(): FixtureCell[] {
  const throwing = cells.filter((c) => c.throws);
  if (throwing.length > 1) throw new Error('fixture: only one cell may throw, Run All stops at the first');
  return [...cells.filter((c) => !c.throws), ...throwing];
}

/** The test notebook as .ipynb JSON: a markdown title per cell, then its code cell. */
export function fixtureNotebook(): object {
  const nbCells: IpynbCell[] = [];
  for (const c of orderedCells()) {
    nbCells.push({ cell_type: 'markdown', source: `### ${c.title}`, metadata: {} });
    nbCells.push({ cell_type: 'code', source: c.code, outputs: [], execution_count: null, metadata: {} });
  }
  return {
    cells: nbCells,
    metadata: {
      kernelspec: { name: 'vae-lab', display_name: 'VAE Lab (TypeScript)', language: 'typescript' },
      language_info: { name: 'typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

export interface CheckResult {
  title: string;
  problems: string[];
}

/** Checks a saved notebook against the fixture; one result per fixture cell. */
export function checkNotebook(saved: { cells: IpynbCell[] }): CheckResult[] {
  const codeCells = saved.cells.map((c, index) => ({ c, index })).filter(({ c }) => c.cell_type === 'code');
  return orderedCells().map((fixture, i) => {
    const found = codeCells[i];
    if (!found) return { title: fixture.title, problems: ['cell missing from the saved notebook'] };
    const problems = fixture.check(found.c.outputs ?? [], found.index + 1);
    if (!fixture.throws && typeof found.c.execution_count !== 'number') problems.push('no execution count (did it run?)');
    return { title: fixture.title, problems };
  });
}

// ---------------------------------------------------------------- kernel lifecycle

/**
 * A second notebook for what "Run All" cannot show: the toolbar's Interrupt on a busy
 * synchronous loop (state survives), and a kernel killed mid-cell (the cell says so and the
 * next run starts a fresh kernel). The test runs cells by index: Run All (stops after the
 * interrupted loop), then LIFECYCLE.afterInterrupt, LIFECYCLE.kill and LIFECYCLE.fresh one
 * at a time.
 */
export const LIFECYCLE = {
  cells: ['let kept = 41;', 'while (true) {}', 'kept + 1', "process.kill(process.pid, 'SIGKILL');", 'typeof kept'],
  loop: 1,
  afterInterrupt: 2,
  kill: 3,
  fresh: 4,
};

export function lifecycleNotebook(): object {
  return {
    cells: LIFECYCLE.cells.map((source) => ({ cell_type: 'code', source, outputs: [], execution_count: null, metadata: {} })),
    metadata: { language_info: { name: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

export function checkLifecycle(saved: { cells: IpynbCell[] }): CheckResult[] {
  const outputs = (i: number) => saved.cells[i]?.outputs ?? [];
  const interrupted = outputs(LIFECYCLE.loop).find((o) => o.output_type === 'error');
  const afterInterrupt = resultText(outputs(LIFECYCLE.afterInterrupt));
  const killed = outputs(LIFECYCLE.kill).find((o) => o.output_type === 'error');
  const fresh = resultText(outputs(LIFECYCLE.fresh));
  return [
    {
      title: 'Interrupt stops `while (true) {}` and keeps the kernel state',
      problems:
        afterInterrupt && /^42$/.test(afterInterrupt)
          ? []
          : [`cell after the interrupt gave ${JSON.stringify(afterInterrupt)} (outputs: ${JSON.stringify(outputs(LIFECYCLE.afterInterrupt)).slice(0, 300)})`],
    },
    {
      title: 'the interrupted cell says it was interrupted',
      problems:
        interrupted && /interrupt/i.test(`${interrupted.ename} ${interrupted.evalue}`)
          ? []
          : [`outputs: ${JSON.stringify(outputs(LIFECYCLE.loop)).slice(0, 300)}`],
    },
    {
      title: 'a killed kernel ends its cell with an error that says so',
      problems:
        killed && /KernelDied/.test(killed.ename ?? '') && /died/.test(killed.evalue ?? '')
          ? []
          : [`outputs: ${JSON.stringify(outputs(LIFECYCLE.kill)).slice(0, 300)}`],
    },
    {
      title: 'the next run after a kernel death starts a fresh kernel',
      problems: fresh && /undefined/.test(fresh) ? [] : [`typeof kept gave ${JSON.stringify(fresh)}`],
    },
  ];
}
