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
  constructor(readonly nodePath: string, cause: string) {
    super(
      `Cannot run the Node executable "${nodePath}" for the VAE Lab kernel (${cause}). ` +
        'Install Node.js 20 or newer, or set "vaeLab.nodePath" to the full path of a node executable.',
    );
  }
}

/**
 * The Node executable chosen for the kernel is older than 20 (the kernel bundle targets node20).
 * Raised by KernelClient.start(); the extension host shows it and points at the setting.
 */
export class NodeTooOldError extends KernelError {
  constructor(readonly nodePath: string, readonly version: string) {
    super(
      `The VAE Lab kernel needs Node.js 20 or newer, but "${nodePath}" is ${version}. ` +
        'Install a newer Node.js, or set "vaeLab.nodePath" to one.',
    );
  }
}

/**
 * The kernel process exited (killed, out of memory, native crash) while something was
 * pending. KernelClient turns a running cell into an `error` output with this message and
 * rejects pending requests (complete, hover, renderer messages) with it; the next execute
 * starts a fresh kernel.
 */
export class KernelDiedError extends KernelError {
  constructor(readonly exitCode: number | null, readonly signal: string | null, detail?: string) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    super(
      `The kernel process died (it ${how})${detail ? `: ${detail}` : ''}. ` +
        'All kernel state is lost; the next run starts a fresh kernel.',
    );
  }
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
