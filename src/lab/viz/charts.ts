/**
 * Vega-Lite spec builders and the trainer's live chart. Specs use field predicates (no
 * expression strings) and keep their data as `{name: 'series', values}`, which lets the
 * renderer swap the values in place on each update instead of re-embedding the chart.
 */
import type { MimeBundle } from '../../common/protocol';
import { currentHost, type DisplayHandle } from '../../common/display';
import { MIME_VEGALITE } from '../../common/mime';
import { BoundedSeries, trainingCurvesSpec, type TrainingChartOptions } from '../../common/curves';
import type { EpochInfo, StepInfo, TrainerCallbacks } from '../train/trainer';

export { MIME_VEGALITE, trainingCurvesSpec, type TrainingChartOptions };

/** Bundle for a vega-lite spec with a text fallback (no PNG: rendering vega needs a canvas). */
export function chartBundle(spec: Record<string, unknown>, text?: string): MimeBundle {
  return { [MIME_VEGALITE]: spec, 'text/plain': text ?? `Vega-Lite chart${spec.title ? `: ${String(spec.title)}` : ''}` };
}

export interface LiveChartOptions extends TrainingChartOptions {
  /** Kept points per term and kind (default 400); older points merge, the file stays small. */
  maxPoints?: number;
  /** Minimum time between output updates (default 500 ms); the last state always shows. */
  throttleMs?: number;
  /** Only these terms (default: every term and metric the trainer reports). */
  terms?: string[];
}

/**
 * Trainer callbacks (pass as `callbacks` to the Trainer): per-step terms (loss, recon, kl,
 * consistency, ...) and per-epoch means and metrics, drawn into one output updated in place.
 */
export interface LiveChart extends TrainerCallbacks {
  onStep(info: Pick<StepInfo, 'step' | 'terms'>): void;
  onEpochEnd(info: Pick<EpochInfo, 'step' | 'meanTerms'> & Partial<Pick<EpochInfo, 'metrics'>>): void;
  /** Shows the newest state now (the trainer's last step may fall inside the throttle window). */
  flush(): void;
  /** The current bundle (what the output shows; what a CLI run can save). */
  bundle(): MimeBundle;
}

export function liveChart(opts: LiveChartOptions = {}): LiveChart {
  const series = new BoundedSeries(opts.maxPoints ?? 400);
  const throttle = opts.throttleMs ?? 500;
  let handle: DisplayHandle | undefined;
  let last = -Infinity,
    lastStep = 0,
    dirty = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pick = (t: Record<string, number>) => (opts.terms ? Object.fromEntries(Object.entries(t).filter(([k]) => opts.terms!.includes(k))) : t);

  const bundle = () => {
    const pts = series.points();
    const latest = new Map<string, number>();
    for (const p of pts) if (p.kind === 'step') latest.set(p.term, p.value);
    const text = `Training curves (${pts.length} points), last step ${lastStep}: ` + [...latest].map(([k, v]) => `${k}=${v.toPrecision(4)}`).join(' ');
    return chartBundle(trainingCurvesSpec(pts, opts), text);
  };
  const show = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!dirty) return;
    last = Date.now();
    dirty = false;
    const host = currentHost();
    if (!host) return; // CLI: nothing to show; bundle() gives the chart at the end
    if (handle) handle.update(bundle());
    else handle = host.display(bundle());
  };
  /** Throttled: at most one update per `throttle` ms, plus a trailing one for the last state. */
  const schedule = () => {
    dirty = true;
    const wait = last + throttle - Date.now();
    if (wait <= 0) show();
    else timer ??= setTimeout(show, wait);
  };
  return {
    onStep(info) {
      lastStep = info.step;
      series.add('step', info.step, pick(info.terms));
      schedule();
    },
    onEpochEnd(info) {
      series.add('epoch', info.step, pick({ ...info.meanTerms, ...info.metrics }));
      dirty = true;
      show(); // epochs are rare: always show them at once
    },
    flush: show,
    bundle,
  };
}
