/**
 * Download progress where the loader runs: in a notebook cell, one output updated in place
 * (interrupting the cell cancels the download); on a terminal, a redrawn bar on stderr; with no
 * terminal, one line per file. Callers that pass their own `onProgress` (the VS Code
 * notification) get it unchanged.
 */
import { currentHost, type DisplayHandle } from '../../common/display';
import { formatBytes, type DownloadOptions, type DownloadProgress } from './download';

function line(p: DownloadProgress): string {
  const pct = p.total ? ` ${Math.floor((100 * p.received) / p.total)}%` : '';
  return `Downloading ${p.dataset} (file ${p.fileIndex + 1} of ${p.fileCount}, ${p.file}):${pct} ${formatBytes(p.received, p.total)}`;
}

/** A terminal bar: `[#####.....]  52% train-images-idx3-ubyte.gz 13.7 of 26.4 MB`. */
export function terminalProgress(out: NodeJS.WriteStream = process.stderr): (p: DownloadProgress) => void {
  let lastFile = '';
  return (p) => {
    const done = p.total !== undefined && p.received >= p.total;
    if (!out.isTTY) {
      if (p.file !== lastFile) out.write(`Downloading ${p.dataset}: ${p.file} from ${p.url}\n`);
      lastFile = p.file;
      return;
    }
    const frac = p.total ? Math.min(1, p.received / p.total) : 0;
    const width = 30;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    out.write(`\r\x1b[K[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${p.file} ${formatBytes(p.received, p.total)}${done ? '\n' : ''}`);
  };
}

/** `opts` with a progress reporter and a cancel signal for where the loader runs. */
export function cellDownloadOptions<T extends DownloadOptions>(opts: T): T {
  if (opts.onProgress) return opts;
  const host = currentHost();
  if (!host) return { ...opts, onProgress: terminalProgress() };
  let handle: DisplayHandle | undefined;
  const onProgress = (p: DownloadProgress) => {
    const bundle = { 'text/plain': line(p) };
    if (handle) handle.update(bundle);
    else handle = host.display(bundle);
  };
  return { ...opts, onProgress, signal: opts.signal ?? host.signal };
}
