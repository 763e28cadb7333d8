/** Small statistics for benchmark samples. */

/** The median of `samples` (the mean of the middle two for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The smallest sample. */
export function minimum(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('minimum of no samples');
  return Math.min(...samples);
}

/** Rounds to `digits` decimals (for the table and the JSON output). */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
