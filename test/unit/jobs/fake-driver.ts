// A `sweep run` driver in its own process, for the tests that kill it with -9:
//   node --import tsx fake-driver.ts DIR FILE
// runs one job of fake-cli.mjs in mode sleep-unless-file (it trains until killed unless FILE exists).
import { join } from 'node:path';
import { checkSpec, runSweep } from '../../../src/lab/jobs';

export const driverSpec = (f: string) =>
  checkSpec(
    { name: 'killed', base: { mode: 'sleep-unless-file', file: f }, grid: { seed: [0] } },
    {
      train: [
        { name: 'mode', type: 'string' },
        { name: 'file', type: 'string' },
        { name: 'seed', type: 'number', range: { min: 0, integer: true } },
      ],
    },
  );
if (require.main === module) {
  const [dir, file] = process.argv.slice(2);
  void runSweep(driverSpec(file), dir, { cli: join(__dirname, 'fake-cli.mjs'), jobs: 1 });
}
