/** The bounded training-curve series lives in src/common/curves.ts (the extension host draws the same curves). */
export { BoundedSeries, type SeriesPoint } from '../../common/curves';
