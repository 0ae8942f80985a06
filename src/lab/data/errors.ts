/**
 * Errors of the data layer, and the one sentence that tells the user how to supply a data set
 * in the terms of whoever runs the lab: VS Code (a setting to set, a cell to run again), the
 * command line (a flag, an environment variable) or a program using the library (an option).
 * The extension sets $VAE_LAB_AUDIENCE=vscode for the kernels it starts, the CLI sets `cli`.
 */

import { LabError } from '../core/errors';

export type Audience = 'vscode' | 'cli' | 'library';
export const AUDIENCE_ENV = 'VAE_LAB_AUDIENCE';
/** Overrides the per-user data folder (the `vaeLab.dataDir` setting reaches kernels through it). */
export const DATA_DIR_ENV = 'VAE_LAB_DATA_DIR';

export function audience(): Audience {
  const a = process.env[AUDIENCE_ENV];
  return a === 'vscode' || a === 'cli' ? a : 'library';
}

/**
 * How to put a data set's files in place by hand, for this audience. `dir` is the folder the lab
 * looks in (the data set's folder in the cache), `files` the exact names it needs there.
 */
export function supplyHint(dir: string, files: readonly string[], who: Audience = audience()): string {
  const put = `put ${files.join(', ')} into ${dir}`;
  if (who === 'vscode') {
    return (
      `To supply the files by hand, ${put}, or set the "vaeLab.dataDir" setting (File > Preferences > Settings, search "vaeLab.dataDir") ` +
      'to a folder that has them in a subfolder named after the data set; then run the cell or the command again.'
    );
  }
  if (who === 'cli')
    return `To supply the files by hand, ${put}, or pass --data-dir DIR (a folder holding them), or set ${DATA_DIR_ENV}=DIR (DIR/<data set>/<files>).`;
  return `To supply the files by hand, ${put}, or pass the \`dataDir\` option (a folder holding them), or set $${DATA_DIR_ENV} (DIR/<data set>/<files>).`;
}

/**
 * A data set's files could not be found (nowhere in the search order) or do not belong
 * together. Thrown by the loaders; the message says where the lab looked and how to supply
 * the files. The caller shows it as it is.
 */
export class DataNotFoundError extends LabError {}

/**
 * A download failed: offline, a mirror answered with an error, the connection dropped, the
 * body was short, or the checksum did not match. Nothing of it was left in the cache. The
 * message names every URL tried, the cache folder and the files to put there by hand.
 */
export class DownloadError extends LabError {
  constructor(
    message: string,
    readonly urls: readonly string[],
    readonly dir: string,
    readonly files: readonly string[],
  ) {
    super(message);
  }
}

/** The user cancelled a download (AbortSignal); nothing of it was left in the cache. */
export class DownloadCancelledError extends LabError {
  constructor(readonly file: string) {
    super(`Download of ${file} cancelled; nothing was saved. Run it again to download it.`);
  }
}
