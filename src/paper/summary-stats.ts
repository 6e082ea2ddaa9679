/**
 * Small statistics helpers for the paper experiments: mean, percentiles (nearest rank, the
 * paper's "1st and 99th percentile"), and integer histograms.
 */

/** Mean of a list (0 for an empty one). */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? 0 : sum / values.length;
}

/** Nearest-rank percentile q (0..100) of values sorted ascending. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Spread {
  readonly mean: number;
  readonly p1: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/** Mean, 1st and 99th percentile, min and max of a sample. */
export function spread(values: ArrayLike<number>): Spread {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    mean: sorted.length === 0 ? 0 : sum / sorted.length,
    p1: percentileSorted(sorted, 1),
    p99: percentileSorted(sorted, 99),
    min: sorted[0] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    count: sorted.length,
  };
}

/** Counts of each non-negative integer value: result[k] = how many values equal k. */
export function histogram(values: readonly number[]): number[] {
  const out: number[] = [];
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  for (let i = 0; i < out.length; i++) out[i] ??= 0;
  return out;
}

/** Rounds to `digits` decimals (for the report; results.json keeps full precision where it matters). */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
