/**
 * The manifest follows VS Code's conventions for an extension that runs code: Restricted Mode
 * support "limited" with the executable and data paths restricted, no virtual workspaces, a
 * scope on every setting (an executable path at most machine-overridable), localizable strings
 * that all resolve in package.nls.json, a LICENSE that matches `license`, a repository, and an
 * engines.vscode whose Node is new enough for the kernel (zlib.crc32: Node 20.15).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_NODE, nodeNewEnough } from '../../../src/host/client';

const root = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;

test('Restricted Mode is limited, with the executable and data folder settings restricted; no virtual workspaces', () => {
  const u = pkg.capabilities.untrustedWorkspaces;
  assert.equal(u.supported, 'limited');
  assert.deepEqual([...u.restrictedConfigurations].sort(), ['vaeLab.dataDir', 'vaeLab.nodePath']);
  assert.ok(u.description);
  assert.equal(pkg.capabilities.virtualWorkspaces, false);
  // Commands that run code are disabled in Restricted Mode (cells are refused by the controller).
  for (const id of ['vaeLab.trainCrVae', 'vaeLab.installGpuRuntime']) {
    assert.equal(pkg.contributes.commands.find((c: { command: string }) => c.command === id)?.enablement, 'isWorkspaceTrusted', id);
  }
});

test('every setting has a scope; an executable path is machine-overridable at most', () => {
  const ok = ['application', 'machine', 'machine-overridable', 'window', 'resource', 'language-overridable'];
  for (const [name, prop] of Object.entries(pkg.contributes.configuration.properties as Record<string, { scope?: string }>)) {
    assert.ok(prop.scope && ok.includes(prop.scope), `${name}: scope ${prop.scope}`);
  }
  assert.ok(['application', 'machine', 'machine-overridable'].includes(pkg.contributes.configuration.properties['vaeLab.nodePath'].scope));
});

test('every %key% of the manifest is in package.nls.json, and no key there is unused', () => {
  const text = readFileSync(join(root, 'package.json'), 'utf8');
  const used = new Set([...text.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
  assert.ok(used.size >= 20, `only ${used.size} localized strings`);
  for (const k of used) assert.equal(typeof nls[k], 'string', `missing nls key ${k}`);
  for (const k of Object.keys(nls)) assert.ok(used.has(k), `unused nls key ${k}`);
  assert.ok(readFileSync(join(root, '.vscodeignore'), 'utf8').includes('!package.nls.json'), 'package.nls.json ships in the .vsix');
});

test('LICENSE matches the license field; a repository is named', () => {
  assert.equal(pkg.license, 'MIT');
  assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License/);
  assert.match(pkg.repository.url, /^https:\/\//);
});

test('the oldest VS Code allowed runs a Node the kernel accepts (zlib.crc32 needs 20.15); @types/vscode matches', () => {
  // The Node inside each VS Code's extension host (its Electron), from the release notes.
  const bundledNode: Record<string, string> = { '1.90': '20.9.0', '1.92': '20.14.0', '1.96': '20.18.1', '1.100': '20.19.0', '1.101': '22.15.1' };
  const floor = /^\^(\d+\.\d+)\.\d+$/.exec(pkg.engines.vscode)![1];
  assert.ok(bundledNode[floor], `add the Node of VS Code ${floor} to this table`);
  assert.ok(nodeNewEnough(bundledNode[floor]), `VS Code ${floor} runs Node ${bundledNode[floor]}, older than ${MIN_NODE.join('.')}`);
  assert.equal(nodeNewEnough('20.14.0'), false);
  assert.equal(nodeNewEnough('v20.15.0'), true);
  assert.equal(nodeNewEnough('22.0.0'), true);
  assert.equal(pkg.devDependencies['@types/vscode'], `${floor}.0`);
  assert.equal(pkg.engines.node, `>=${MIN_NODE.join('.')}`);
  assert.ok(existsSync(join(root, 'node_modules/@types/vscode')));
});
