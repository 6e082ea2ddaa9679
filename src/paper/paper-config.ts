/**
 * The sizes of each experiment for `p2pterm paper`, `--quick` and `--full`. Defaults keep the
 * whole run to a few minutes on two cores; `--full` uses the paper's sizes (and beyond).
 */

export type Preset = 'quick' | 'default' | 'full';

export interface PaperConfig {
  readonly preset: Preset;
  readonly seed: number;
  /** Experiments 1–2: hosts, total key counts, keys with virtual nodes, virtual nodes per host, seeds. */
  readonly load: {
    readonly nodes: number;
    readonly keyCounts: readonly number[];
    readonly virtualKeys: number;
    readonly virtualNodes: readonly number[];
    readonly seeds: readonly number[];
  };
  /** Experiments 3–4: ring sizes 2^k, lookups per size, the size whose distribution is drawn. */
  readonly path: { readonly exponents: readonly number[]; readonly lookups: number; readonly pdfExponent: number };
  /** Experiment 5: ring size, failed fractions, lookups per fraction, copies with replication. */
  readonly failures: {
    readonly nodes: number;
    readonly fractions: readonly number[];
    readonly lookups: number;
    readonly replicas: number;
  };
  /** Experiment 6: ring size, join/failure rates, virtual time, lookups per second, stabilization interval. */
  readonly churn: {
    readonly nodes: number;
    readonly rates: readonly number[];
    readonly warmupMs: number;
    readonly measureMs: number;
    readonly lookupsPerSecond: number;
    readonly stabilizeMs: number;
  };
}

const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

const FAILED_FRACTIONS = [0.1, 0.2, 0.3, 0.4, 0.5];
const MINUTE = 60_000;

/** The sizes of each preset; `seed` offsets every random choice. */
export function paperConfig(preset: Preset, seed = 1): PaperConfig {
  const base = { preset, seed };
  if (preset === 'quick')
    return {
      ...base,
      load: {
        nodes: 10_000,
        keyCounts: range(1, 10).map((k) => k * 10_000),
        virtualKeys: 100_000,
        virtualNodes: [1, 2, 5, 10, 20],
        seeds: [seed],
      },
      path: { exponents: range(3, 10), lookups: 2_000, pdfExponent: 10 },
      failures: { nodes: 500, fractions: FAILED_FRACTIONS, lookups: 2_000, replicas: 3 },
      churn: {
        nodes: 500,
        rates: [0.01, 0.05, 0.1],
        warmupMs: 2 * MINUTE,
        measureMs: 10 * MINUTE,
        lookupsPerSecond: 1,
        stabilizeMs: 30_000,
      },
    };
  if (preset === 'full')
    return {
      ...base,
      load: {
        nodes: 10_000,
        keyCounts: range(1, 10).map((k) => k * 100_000),
        virtualKeys: 1_000_000,
        virtualNodes: [1, 2, 5, 10, 20],
        seeds: range(seed, seed + 19),
      },
      path: { exponents: range(3, 16), lookups: 20_000, pdfExponent: 12 },
      failures: { nodes: 10_000, fractions: FAILED_FRACTIONS, lookups: 10_000, replicas: 3 },
      churn: {
        nodes: 500,
        rates: [0.01, 0.02, 0.05, 0.1, 0.2, 0.4],
        warmupMs: 10 * MINUTE,
        measureMs: 120 * MINUTE,
        lookupsPerSecond: 1,
        stabilizeMs: 30_000,
      },
    };
  return {
    ...base,
    load: {
      nodes: 10_000,
      keyCounts: range(1, 10).map((k) => k * 100_000),
      virtualKeys: 1_000_000,
      virtualNodes: [1, 2, 5, 10, 20],
      seeds: [seed],
    },
    path: { exponents: range(3, 14), lookups: 10_000, pdfExponent: 12 },
    failures: { nodes: 1_000, fractions: FAILED_FRACTIONS, lookups: 5_000, replicas: 3 },
    churn: {
      nodes: 500,
      rates: [0.01, 0.02, 0.05, 0.1, 0.2, 0.4],
      warmupMs: 5 * MINUTE,
      measureMs: 40 * MINUTE,
      lookupsPerSecond: 1,
      stabilizeMs: 30_000,
    },
  };
}
