/**
 * A run's progress as JSON lines in its folder (events.jsonl, see files.ts), so that whoever
 * follows it (the sweep driver, the Runs view, Train CR-VAE) reads typed events instead of
 * parsing a terminal or a display output. Each event is one appendFileSync of one line; a
 * reader skips a torn last line (readEvents).
 *
 * Steps are thinned to about STEP_EVENTS per run plus the last one: a 60,000-step run would
 * otherwise write megabytes nobody reads, and a watcher polls the file about once a second.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import type { EpochInfo, StepInfo, TrainerCallbacks } from '../train/trainer';
import { jobFiles, type JobEvent } from './files';

/** Step events per run (plus the last step). */
export const STEP_EVENTS = 200;

type NewEvent = JobEvent extends infer E ? (E extends JobEvent ? Omit<E, 't'> : never) : never;

export function appendEvent(dir: string, event: NewEvent, now = Date.now()): void {
  mkdirSync(dir, { recursive: true });
  appendFileSync(jobFiles(dir).events, JSON.stringify({ t: now, ...event }) + '\n');
}

/** Trainer callbacks that append step and epoch events to `dir`/events.jsonl. */
export function eventCallbacks(dir: string): TrainerCallbacks {
  let next = 0;
  return {
    onStep(i: StepInfo) {
      // Every totalSteps/STEP_EVENTS-th step, and the last.
      if (i.step < next && i.step < i.totalSteps) return;
      next = i.step + Math.max(1, Math.floor(i.totalSteps / STEP_EVENTS));
      appendEvent(dir, { type: 'step', step: i.step, totalSteps: i.totalSteps, epoch: i.epoch, terms: i.terms });
    },
    onEpochEnd(e: EpochInfo) {
      appendEvent(dir, { type: 'epoch', epoch: e.epoch + 1, step: e.step, terms: { ...e.meanTerms, ...e.metrics } });
    },
  };
}

/** Both callbacks' effects, in order (the terminal's progress and the events). */
export function bothCallbacks(a: TrainerCallbacks, b: TrainerCallbacks): TrainerCallbacks {
  return {
    async onStep(i) {
      await a.onStep?.(i);
      await b.onStep?.(i);
    },
    async onEpochEnd(e) {
      await a.onEpochEnd?.(e);
      await b.onEpochEnd?.(e);
    },
    async onCheckpoint(d, s) {
      await a.onCheckpoint?.(d, s);
      await b.onCheckpoint?.(d, s);
    },
  };
}
