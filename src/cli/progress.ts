/**
 * Training progress on the terminal: a redrawn bar on a TTY; otherwise (a log file, a pipe)
 * plain lines, one per epoch and one every tenth of the steps, so a long run written to a log
 * (the comparison runners' train.log) says how far it is and when it will end.
 */
import type { train } from '../lab';
import { appendEvent, bothCallbacks, eventCallbacks } from '../lab/jobs';

type TrainerCallbacks = train.TrainerCallbacks;
type StepInfo = train.StepInfo;
type EpochInfo = train.EpochInfo;

/** Plain progress lines per run when the output is not a terminal. */
const LOG_LINES = 10;

/** Every term, `name value`, as the epoch lines print them. */
const termsText = (terms: Record<string, number>) =>
  Object.entries(terms)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');

/** Seconds left at the rate so far. */
const etaSeconds = (secs: number, frac: number) => (frac > 0 ? Math.round(secs / frac - secs) : 0);

export function progressCallbacks(out: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr, now: () => number = Date.now): TrainerCallbacks {
  const t0 = now();
  const tty = !!out.isTTY;
  let nextLine = 1;
  return {
    onStep(i: StepInfo) {
      const frac = i.step / i.totalSteps;
      const secs = (now() - t0) / 1000;
      if (!tty) {
        if (frac * LOG_LINES < nextLine || i.step >= i.totalSteps) return;
        nextLine = Math.floor(frac * LOG_LINES) + 1;
        out.write(
          `step ${i.step}/${i.totalSteps} (${(frac * 100).toFixed(0)}%, ${secs.toFixed(0)}s, ${(i.step / Math.max(secs, 1e-3)).toFixed(1)} steps/s, eta ${etaSeconds(secs, frac)}s): ${termsText(i.terms)}\n`,
        );
        return;
      }
      const width = 30;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      out.write(
        `\r[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% step ${i.step}/${i.totalSteps} epoch ${i.epoch + 1} loss ${i.terms.loss?.toFixed(2) ?? '?'} eta ${etaSeconds(secs, frac)}s  `,
      );
    },
    onEpochEnd(e: EpochInfo) {
      out.write(`${tty ? '\r\x1b[K' : ''}epoch ${e.epoch + 1} (step ${e.step}, ${((now() - t0) / 1000).toFixed(0)}s): ${termsText(e.meanTerms)}\n`);
    },
  };
}

/**
 * The callbacks of `vae-lab train --out DIR`: progress on the terminal and typed events in
 * DIR/events.jsonl (a `train` phase, then thinned steps and every epoch) for whoever follows the run.
 */
export function runCallbacks(out: string): TrainerCallbacks {
  appendEvent(out, { type: 'phase', phase: 'train' });
  return bothCallbacks(progressCallbacks(), eventCallbacks(out));
}

/** A phase event in DIR/events.jsonl ('evaluate' after training). */
export function phase(out: string, name: string, message?: string): void {
  appendEvent(out, { type: 'phase', phase: name, ...(message ? { message } : {}) });
}
