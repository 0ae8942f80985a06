/**
 * Training curves as data and as a chart: a bounded, downsampled series and the vega-lite spec
 * that draws it. Pure (no tfjs, no DOM, no node): the lab's live chart (lab/viz/charts.ts) and
 * the extension host's "CR-VAE training" panel (which builds the curves from the jobs' events
 * files, never loading the lab) draw the same chart from the same code.
 *
 * The series: every update rewrites the output, and the saved notebook keeps the last one, so the
 * point count must not grow with the run: when a term exceeds `maxPoints`, neighbouring points are
 * merged pairwise (mean of value, step of the later one) and the bucket width doubles; new points
 * are averaged into a bucket of the current width first. The curve keeps uniform resolution over
 * the whole run. The spec keeps its data as `{name: 'series', values}`, which lets the renderer
 * swap the values in place on each update instead of re-embedding the chart.
 */
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface SeriesPoint {
  step: number;
  term: string;
  value: number;
  /** 'step' for per-step values, 'epoch' for end-of-epoch values. */
  kind: 'step' | 'epoch';
}

interface Track {
  points: { step: number; value: number }[];
  width: number;
  pending: { step: number; sum: number; n: number } | null;
}

export class BoundedSeries {
  private readonly tracks = new Map<string, Track>();
  constructor(readonly maxPoints = 400) {
    if (maxPoints < 4) throw new RangeError(`maxPoints must be at least 4, got ${maxPoints}`);
  }

  add(kind: 'step' | 'epoch', step: number, terms: Record<string, number>): void {
    for (const [term, value] of Object.entries(terms)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue; // NaN would break the chart's scale
      const key = `${kind}\u0000${term}`;
      let t = this.tracks.get(key);
      if (!t) this.tracks.set(key, (t = { points: [], width: 1, pending: null }));
      const p = (t.pending ??= { step, sum: 0, n: 0 });
      p.step = step;
      p.sum += value;
      p.n++;
      if (p.n >= t.width) {
        t.points.push({ step: p.step, value: p.sum / p.n });
        t.pending = null;
        if (t.points.length > this.maxPoints) this.halve(t);
      }
    }
  }

  private halve(t: Track): void {
    const merged: Track['points'] = [];
    for (let i = 0; i + 1 < t.points.length; i += 2) {
      merged.push({ step: t.points[i + 1].step, value: (t.points[i].value + t.points[i + 1].value) / 2 });
    }
    if (t.points.length % 2) merged.push(t.points[t.points.length - 1]);
    t.points = merged;
    t.width *= 2;
  }

  /** All points (plus each track's partial bucket, so the newest value always shows). */
  points(): SeriesPoint[] {
    const out: SeriesPoint[] = [];
    for (const [key, t] of this.tracks) {
      const [kind, term] = key.split('\u0000') as ['step' | 'epoch', string];
      for (const p of t.points) out.push({ step: p.step, term, value: p.value, kind });
      if (t.pending) out.push({ step: t.pending.step, term, value: t.pending.sum / t.pending.n, kind });
    }
    return out;
  }

  get size(): number {
    let n = 0;
    for (const t of this.tracks.values()) n += t.points.length + (t.pending ? 1 : 0);
    return n;
  }
}

export interface TrainingChartOptions {
  title?: string;
  /** Width of each small chart in pixels (default 420). */
  width?: number;
}

/** One small chart per loss term (independent y scales: loss ~100 nats, consistency ~1). */
export function trainingCurvesSpec(points: SeriesPoint[], opts: TrainingChartOptions = {}): Record<string, unknown> {
  const x = { field: 'step', type: 'quantitative', title: 'step' };
  const y = { field: 'value', type: 'quantitative', title: null, scale: { zero: false } };
  return {
    $schema: SCHEMA,
    title: opts.title,
    data: { name: 'series', values: points },
    // Terms in the order the trainer reported them (loss first), not alphabetical.
    facet: {
      row: { field: 'term', type: 'nominal', title: null, sort: [...new Set(points.map((p) => p.term))], header: { labelAngle: 0, labelAlign: 'left' } },
    },
    spec: {
      width: opts.width ?? 420,
      height: 90,
      layer: [
        { transform: [{ filter: { field: 'kind', equal: 'step' } }], mark: { type: 'line', opacity: 0.8 }, encoding: { x, y } },
        {
          transform: [{ filter: { field: 'kind', equal: 'epoch' } }],
          mark: { type: 'line', color: '#e15759', point: { filled: true, color: '#e15759' } },
          encoding: { x, y, tooltip: [{ field: 'term' }, { field: 'step' }, { field: 'value', format: '.4g' }] },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}
