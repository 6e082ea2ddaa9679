/**
 * A lookup storm: K lookups of random keys from random live nodes, run in batches, each
 * answer checked against the true owner (the first live id at or after the key). Reports
 * the path-length distribution next to ½·log₂N (chord) or N/2 (naive).
 */
import { hashId } from '../core/ring-math.js';
import type { ChordNode } from '../dht/chord-node.js';
import { sortById } from './lab-health.js';
import { successorIndex } from './ring-check.js';
import type { StormResult } from '../bus/lab-events.js';

/** Lookups in flight at once. */
export const STORM_BATCH = 256;

export interface StormDeps {
  readonly live: () => ChordNode[];
  readonly random: () => number;
  /** Waits for a batch while lab time passes (virtual time needs advancing). */
  readonly settle: <T>(p: Promise<T>) => Promise<T>;
  readonly now: () => number;
}

export async function lookupStorm(k: number, deps: StormDeps): Promise<StormResult> {
  const t0 = performance.now();
  const v0 = deps.now();
  const live = deps.live();
  if (live.length === 0) throw new Error('no live nodes');
  const { routing, bits } = live[0]!;
  const sorted = sortById(live);
  const ids = sorted.map((n) => n.self.id);
  const hops: number[] = [];
  let failed = 0;
  let wrongOwner = 0;
  for (let done = 0; done < k; done += STORM_BATCH) {
    const batch: Promise<void>[] = [];
    for (let i = done; i < Math.min(k, done + STORM_BATCH); i++) {
      const from = live[Math.floor(deps.random() * live.length)]!;
      const key = `storm-${Math.floor(deps.random() * 2 ** 32).toString(36)}-${i}`;
      const owner = sorted[successorIndex(ids, hashId(key, bits))]!.self.address;
      batch.push(
        from.lookup(key).then(
          (r) => {
            hops.push(r.hops);
            if (r.owner.address !== owner) wrongOwner++;
          },
          () => void failed++,
        ),
      );
    }
    await deps.settle(Promise.all(batch));
  }
  return summarize(hops, {
    lookups: k,
    failed,
    wrongOwner,
    nodes: live.length,
    routing,
    virtualMs: deps.now() - v0,
    wallMs: performance.now() - t0,
  });
}

function summarize(
  hops: number[],
  base: Pick<StormResult, 'lookups' | 'failed' | 'wrongOwner' | 'nodes' | 'routing' | 'virtualMs' | 'wallMs'>,
): StormResult {
  const sorted = [...hops].sort((a, b) => a - b);
  const histogram: number[] = [];
  for (const h of sorted) histogram[h] = (histogram[h] ?? 0) + 1;
  for (let i = 0; i < histogram.length; i++) histogram[i] ??= 0;
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
  const naive = base.routing === 'naive';
  return {
    ...base,
    ok: hops.length - base.wrongOwner,
    meanHops: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    p50Hops: at(0.5),
    p99Hops: at(0.99),
    maxHops: sorted[sorted.length - 1] ?? 0,
    histogram,
    expectedHops: round(naive ? base.nodes / 2 : 0.5 * Math.log2(Math.max(1, base.nodes))),
    expectedLabel: naive ? 'N/2' : '½·log₂N',
    virtualMs: Math.round(base.virtualMs),
    wallMs: Math.round(base.wallMs),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
