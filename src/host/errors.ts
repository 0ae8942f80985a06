/**
 * Errors a user can meet when starting or talking to a kernel process. Each says what
 * happened and what to do; the extension host shows `message` as is.
 */

/** Base class so callers can tell kernel lifecycle errors from cell errors. */
export class KernelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The Node executable chosen for the kernel does not exist or cannot be run.
 * Raised by KernelClient.start(); the extension host shows it and points at the setting.
 */
export class NodeNotFoundError extends KernelError {
  constructor(
    readonly nodePath: string,
    cause: string,
  ) {
    super(
      `Cannot run the Node executable "${nodePath}" for the VAE Lab kernel (${cause}). ` +
        'Install Node.js 20.15 or newer, or set "vaeLab.nodePath" to the full path of a node executable.',
    );
  }
}

/**
 * The Node executable chosen for the kernel is older than 20 (the kernel bundle targets node20).
 * Raised by KernelClient.start(); the extension host shows it and points at the setting.
 */
export class NodeTooOldError extends KernelError {
  constructor(
    readonly nodePath: string,
    readonly version: string,
  ) {
    super(`The VAE Lab kernel needs Node.js 20.15 or newer, but "${nodePath}" is ${version}. ` + 'Install a newer Node.js, or set "vaeLab.nodePath" to one.');
  }
}

/**
 * The kernel process exited (killed, out of memory, native crash) while something was
 * pending. KernelClient turns a running cell into an `error` output with this message and
 * rejects pending requests (complete, hover, renderer messages) with it; the next execute
 * starts a fresh kernel.
 */
export class KernelDiedError extends KernelError {
  /** `stderr`: the end of what the process wrote to stderr, already trimmed (see lastWords). */
  constructor(
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly stderr?: string,
  ) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    super(
      `The kernel process died (it ${how}). All kernel state is lost; the next run starts a fresh kernel.` +
        (stderr ? `\nThe end of its stderr:\n${stderr}` : ''),
    );
  }
}

/** How much of a dead kernel's stderr its KernelDiedError quotes. */
export const LAST_WORDS_CHARS = 600;

/**
 * The end of a dead process's stderr, as a user should read it: without the source excerpt
 * Node prints above a fatal error (`file:line`, the source line, a caret), which for the
 * kernel is a line of the minified bundle (kilobytes of it), and without any other line too
 * long to be a message, and with only the first frames of each stack. At most `max`
 * characters, cut at a line start.
 */
export function lastWords(stderr: string, max = LAST_WORDS_CHARS): string {
  const lines = stderr.replace(/\r\n/g, '\n').split('\n');
  const kept: string[] = [];
  let frames = 0;
  for (let i = 0; i < lines.length; i++) {
    // A stack's first frames say where; the rest would push its message out of the quote.
    frames = /^\s+at /.test(lines[i]) ? frames + 1 : 0;
    if (frames > 3) {
      if (frames === 4) kept.push('    at …');
      continue;
    }
    // Node's excerpt: `file:line`, the source line, a caret under the column (the buffer may
    // have cut its head off, and in a minified bundle the caret line itself is long).
    if (/^\S.*:\d+$/.test(lines[i]) && i + 2 < lines.length && /^\s*\^+\s*$/.test(lines[i + 2])) {
      i += 2;
      continue;
    }
    if (lines[i].length > 300 || /^\s*\^+\s*$/.test(lines[i])) continue;
    kept.push(lines[i]);
  }
  let text = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text.length > max) {
    const cut = text.indexOf('\n', text.length - max);
    text = `…${text.slice(cut >= 0 && cut < text.length - 1 ? cut : text.length - max)}`;
  }
  return text;
}

/**
 * The kernel process started but never said it was ready (e.g. the kernel bundle is missing
 * or broken). Raised by KernelClient.start(); rebuilding or reinstalling the extension fixes it.
 */
export class KernelStartError extends KernelError {}

/** A request was made after dispose(). Programming error in the caller. */
export class KernelDisposedError extends KernelError {
  constructor() {
    super('This kernel was shut down; start a new one.');
  }
}
