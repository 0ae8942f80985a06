/**
 * Data sets for the commands, fetched in the extension host behind a progress notification with
 * Cancel. The host may run this because the download code (src/lab/data/{catalog,download,locate})
 * uses node built-ins only, never tfjs; the kernel that trains then finds the files in the cache.
 * Doing it here rather than in the kernel gives the notification real byte counts and a Cancel
 * that stops the transfer at once.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { CATALOG, isDatasetId } from '../lab/data/catalog';
import { formatBytes } from '../lab/data/download';
import { DownloadCancelledError } from '../lab/data/errors';
import { ensureDataset, findDataset } from '../lab/data/locate';

/** The `vaeLab.dataDir` setting, `~` expanded; undefined when empty. */
export function dataDirSetting(scope?: vscode.Uri): string | undefined {
  const v = vscode.workspace.getConfiguration('vaeLab', scope).get<string>('dataDir', '').trim();
  return v ? v.replace(/^~(?=$|[\\/])/, homedir()) : undefined;
}

export type DataOutcome = { ok: true } | { ok: false; cancelled: boolean; message: string };

/** Makes the named data set available (downloading it with a notification when it is nowhere). */
export async function ensureDataInHost(spec: string, log: vscode.LogOutputChannel): Promise<DataOutcome> {
  if (!isDatasetId(spec)) return { ok: true };
  const dataRoot = dataDirSetting();
  if (findDataset(spec, { dataRoot })) return { ok: true };
  const entry = CATALOG[spec];
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('VAE Lab: downloading {0}', entry.title), cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        let shown = 0;
        const located = await ensureDataset(spec, {
          dataRoot,
          signal: ac.signal,
          audience: 'vscode',
          onProgress: (p) => {
            const pct = p.total ? (100 * p.received) / p.total : 0;
            // `increment` adds up: report this file's share of the bar since the last report.
            const overall = ((p.fileIndex + pct / 100) / p.fileCount) * 100;
            progress.report({
              message: `${p.file} (file ${p.fileIndex + 1} of ${p.fileCount}): ${formatBytes(p.received, p.total)}`,
              increment: Math.max(0, overall - shown),
            });
            shown = Math.max(shown, overall);
          },
        });
        log.info(`data: ${entry.title} in ${located.dir} (${located.source})`);
      },
    );
    return { ok: true };
  } catch (e) {
    const message = (e as Error).message;
    log.error(`data: ${message}`);
    return { ok: false, cancelled: e instanceof DownloadCancelledError, message };
  }
}
