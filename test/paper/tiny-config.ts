/** A paper configuration small enough for a few seconds' run (tests about mechanics, not numbers). */
import { paperConfig, type PaperConfig } from '../../src/paper/paper-config.js';

export function tinyConfig(seed = 3): PaperConfig {
  const q = paperConfig('quick', seed);
  return {
    ...q,
    load: { ...q.load, nodes: 500, keyCounts: [1_000, 5_000], virtualKeys: 5_000 },
    path: { exponents: [3, 5, 7], lookups: 300, pdfExponent: 7 },
    failures: { ...q.failures, nodes: 64, lookups: 300 },
    churn: { ...q.churn, nodes: 64, rates: [0.05, 0.1], warmupMs: 60_000, measureMs: 120_000 },
  };
}
