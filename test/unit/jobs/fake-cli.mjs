// A stand-in `vae-lab` for the job engine's tests: a real child process that behaves as its flags
// say, so the engine's handling of each ending is tested without training a model.
//   train --mode ok|fail|nometrics|sleep|needs-file|sleep-unless-file [--seed N] [--value X] [--file F] --out DIR
// ok: events, then metrics.json {value, seed, nested: {twice}}; fail: exit 3; nometrics: exit 0
// with no metrics; sleep: runs until killed; needs-file: ok when F exists, else exit 4;
// sleep-unless-file: ok when F exists, else runs until killed.
import { appendFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = Object.fromEntries(
  process.argv
    .slice(3)
    .filter((a) => a.startsWith('--'))
    .map((a) => {
      const eq = a.indexOf('=');
      return eq < 0 ? [a.slice(2), true] : [a.slice(2, eq), a.slice(eq + 1)];
    }),
);
const outAt = process.argv.indexOf('--out');
const out = process.argv[outAt + 1];
mkdirSync(out, { recursive: true });
const ev = (e) => appendFileSync(join(out, 'events.jsonl'), JSON.stringify({ t: Date.now(), ...e }) + '\n');
ev({ type: 'phase', phase: 'train' });
for (let s = 1; s <= 3; s++) ev({ type: 'step', step: s, totalSteps: 3, terms: { loss: 10 - s } });
console.log(`fake train pid ${process.pid} mode ${args.mode}`);
const value = Number(args.value ?? 1);
const seed = Number(args.seed ?? 0);
const finish = () => {
  writeFileSync(join(out, '.m.tmp'), JSON.stringify({ value, seed, nested: { twice: 2 * value }, curve: [1, 2] }));
  renameSync(join(out, '.m.tmp'), join(out, 'metrics.json'));
  ev({ type: 'done' });
};
switch (args.mode) {
  case 'fail':
    console.error('fake failure: the loss went to NaN');
    ev({ type: 'error', message: 'the loss went to NaN' });
    process.exit(3);
  case 'nometrics':
    process.exit(0);
  case 'sleep':
    setInterval(() => {}, 1000);
    break;
  case 'sleep-unless-file':
    if (existsSync(args.file)) finish();
    else setInterval(() => {}, 1000);
    break;
  case 'needs-file':
    if (!existsSync(args.file)) {
      console.error(`no such file ${args.file}`);
      process.exit(4);
    }
    finish();
    break;
  default:
    finish();
}
