/**
 * The base of every error the lab throws on purpose, and the errors every area shares.
 * Each area keeps its own classes beside its code (train/errors.ts, runtime/errors.ts,
 * data/idx.ts, ...), all extending LabError, so a caller tells "the lab refused this, and the
 * message says what to do" (`instanceof LabError`) from a bug (any other Error).
 *
 * A plain `Error` left in the lab marks an internal invariant: a user cannot reach it by any
 * input, so reaching it is a bug to report, not something to handle.
 */

/**
 * Base class: `name` is the concrete class's name (`new.target.name`), so subclasses need no
 * `this.name = ...` and a notebook shows `CheckpointError: ...`. The build keeps class names
 * (esbuild `keepNames`) for this.
 */
export class LabError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A value given to a lab function is out of its range, of the wrong shape or type, or does not
 * fit the other arguments (a tensor of the wrong rank, too few samples, a bad request from a
 * renderer). Thrown before any work is done; the message names the argument and what it must
 * be, and the caller (cell, CLI, renderer) shows it for the user to fix the call.
 */
export class InvalidArgumentError extends LabError {}

/** Levenshtein distance: insertions, deletions and substitutions, each costing 1. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * The candidate nearest to `word` by edit distance, if it is near enough to be a typo: at most
 * max(2, len/3) edits (so 'x' does not "suggest" every two-letter name). Ties: the first listed.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined,
    bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD) {
      best = c;
      bestD = dist;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * A name the lab looks up is not one it knows: a model kind, a data set, a preset, a backend,
 * a command-line flag or choice. The message suggests the nearest known name and lists them all
 * ("Unknown model 'vea'. Did you mean 'vae'? Known: vae, iwae."); `hint` may add how to extend
 * the list (after a space, or on its own lines when it starts with a newline). Thrown by the registries and option parsers before any work; the caller shows it
 * (the CLI exits with status 2) and the user fixes the spelling.
 */
export class UnknownNameError extends LabError {
  /** The nearest known name, when one is near enough to be a typo. */
  readonly suggestion?: string;

  constructor(
    readonly kind: string,
    readonly unknown: string,
    readonly known: readonly string[],
    hint?: string,
  ) {
    const near = nearest(unknown, known);
    super(
      `Unknown ${kind} '${unknown}'.${near ? ` Did you mean '${near}'?` : ''} Known: ${known.join(', ') || 'none'}.${hint ? (hint.startsWith('\n') ? hint : ` ${hint}`) : ''}`,
    );
    this.suggestion = near;
  }
}
