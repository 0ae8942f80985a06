/** Training progress on the terminal: a redrawn bar on a TTY, plain lines (per epoch) otherwise. */
import type { train } from '../lab';

type TrainerCallbacks = train.TrainerCallbacks;
type StepInfo = train.StepInfo;
type EpochInfo = train.EpochInfo;

export function progressCallbacks(out: NodeJS.WriteStream = process.stderr): TrainerCallbacks {
  const t0 = Date.now();
  const tty = !!out.isTTY;
  return {
    onStep(i: StepInfo) {
      if (!tty) return;
      const frac = i.step / i.totalSteps;
      const width = 30;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      const secs = (Date.now() - t0) / 1000;
      const eta = frac > 0 ? Math.round(secs / frac - secs) : 0;
      out.write(
        `\r[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% step ${i.step}/${i.totalSteps} epoch ${i.epoch + 1} loss ${i.terms.loss?.toFixed(2) ?? '?'} eta ${eta}s  `,
      );
    },
    onEpochEnd(e: EpochInfo) {
      const terms = Object.entries(e.meanTerms)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ');
      out.write(`${tty ? '\r\x1b[K' : ''}epoch ${e.epoch + 1} (step ${e.step}, ${((Date.now() - t0) / 1000).toFixed(0)}s): ${terms}\n`);
    },
  };
}
