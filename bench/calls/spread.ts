// Median and spread of a series of measurements (call setup times), as the results tables print them.

export interface Spread {
  readonly count: number;
  readonly min: number;
  /** 10th percentile. */
  readonly p10: number;
  readonly median: number;
  /** 90th percentile. */
  readonly p90: number;
  readonly max: number;
}

/**
 * The `fraction` quantile of already sorted values, interpolated linearly between the two nearest ranks (so the
 * median of an even count is the mean of the middle two).
 */
export function quantile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) throw new RangeError('no values');
  if (fraction < 0 || fraction > 1) throw new RangeError(`quantile ${fraction} is outside 0–1`);
  const position = fraction * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('no values');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0]!,
    p10: quantile(sorted, 0.1),
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    max: sorted[sorted.length - 1]!,
  };
}
