// npm run bench: runs every test/bench/*.bench.ts in its own process (so one benchmark's
// backend or threads cannot skew another's) and passes through their `name: value` lines.
// Usage: npm run bench [-- filter]
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2] ?? '';
const dir = join(root, 'test/bench');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort();
// The runtime bench's PyTorch reference needs PyTorch on OpenBLAS (setup-bench-env.sh says why);
// BENCH_NO_SETUP=1 skips the check (the bench then refuses or skips what is missing).
if (files.some((f) => f.startsWith('runtime')) && !process.env.BENCH_NO_SETUP && !process.env.BENCH_NO_REFERENCE && process.platform === 'linux') {
  spawnSync('bash', [join(root, 'scripts/setup-bench-env.sh')], { cwd: root, stdio: 'inherit' });
}
let failed = 0;
for (const f of files) {
  console.log(`# ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, f)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
