/**
 * The values a numeric option takes, shared by the CLI's flags and the sweep specs that name
 * them: from `min` (exclusive when `above`), up to `max` if given, whole numbers only when
 * `integer`. Every numeric flag has one: a count of -3 epochs or a learning rate of 0 would
 * otherwise run and report the scores of an untrained model.
 */
export interface NumberRange {
  min: number;
  above?: boolean;
  max?: number;
  integer?: boolean;
}

/** "an integer >= 1", "a number > 0 and <= 1": how usage errors and --help state a range. */
export function describeRange(r: NumberRange): string {
  return `${r.integer ? 'an integer' : 'a number'} ${r.above ? '>' : '>='} ${r.min}${r.max !== undefined ? ` and <= ${r.max}` : ''}`;
}

export function inRange(v: number, r: NumberRange): boolean {
  return (r.above ? v > r.min : v >= r.min) && (r.max === undefined || v <= r.max) && (!r.integer || Number.isInteger(v));
}
