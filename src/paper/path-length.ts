/**
 * Experiments 3 and 4: lookup path length as the ring grows, and its distribution at one size
 * (SIGCOMM 2001 §6.3, Figure 10). Every number comes from real lookups through SimRing's
 * ChordNode instances on a stable ring (see stable-ring.ts), each answer checked against the
 * true owner.
 *
 * Path length is the number of nodes a lookup traverses: p2pterm's `path` (the asker, then
 * every node that answered a routing step), so `hops + 1`. `hops` is kept alongside.
 */
import { hashId } from '../core/ring-math.js';
import { seededRandom } from '../core/random.js';
import { OwnerOracle } from './owner-oracle.js';
import type { SimRing } from '../sim/sim-ring.js';
import { buildStableRing } from './stable-ring.js';
import { histogram, spread, type Spread } from './summary-stats.js';

export interface PathLengthPoint {
  readonly nodes: number;
  readonly lookups: number;
  /** Path length (nodes traversed, asker included): mean, 1st and 99th percentile. */
  readonly path: Spread;
  /** Remote routing steps (p2pterm's `hops`) mean. */
  readonly meanHops: number;
  /** ½·log₂N, the paper's rule. */
  readonly halfLog2N: number;
  /** Lookups whose answer was not the true owner (expected 0 on a stable ring). */
  readonly wrongOwner: number;
  /** Path-length histogram: histogram[k] = lookups of path length k. */
  readonly histogram: number[];
  readonly buildMs: number;
  readonly lookupMs: number;
}

export interface PathLengthOptions {
  /** Ring sizes to measure. */
  readonly sizes: readonly number[];
  readonly lookups: number;
  readonly seed: number;
  /** Lookups in flight at once (default 512). */
  readonly batch?: number;
  /** Called when one size is done (progress). */
  readonly onPoint?: (p: PathLengthPoint) => void;
}

/** Measures each ring size in turn (each ring is built, sampled, then stopped). */
export async function pathLengths(o: PathLengthOptions): Promise<PathLengthPoint[]> {
  const out: PathLengthPoint[] = [];
  for (const n of o.sizes) {
    const p = await measureSize(n, o);
    o.onPoint?.(p);
    out.push(p);
  }
  return out;
}

async function measureSize(n: number, o: PathLengthOptions): Promise<PathLengthPoint> {
  const t0 = performance.now();
  const ring = await buildStableRing({ nodes: n, seed: o.seed + n });
  const t1 = performance.now();
  try {
    const s = await sample(ring, n, o);
    return {
      nodes: n,
      lookups: s.lengths.length,
      path: spread(s.lengths),
      meanHops: s.hops / s.lengths.length,
      halfLog2N: 0.5 * Math.log2(n),
      wrongOwner: s.wrong,
      histogram: histogram(s.lengths),
      buildMs: Math.round(t1 - t0),
      lookupMs: Math.round(performance.now() - t1),
    };
  } finally {
    await ring.stop();
  }
}

interface Sample {
  readonly lengths: number[];
  hops: number;
  wrong: number;
}

/** Lookups of random keys from random nodes, in batches; each answer checked against the true owner. */
async function sample(ring: SimRing, n: number, o: PathLengthOptions): Promise<Sample> {
  const live = ring.live;
  const oracle = new OwnerOracle(live);
  const random = seededRandom(o.seed * 7919 + n);
  const batchSize = o.batch ?? 512;
  const s: Sample = { lengths: [], hops: 0, wrong: 0 };
  const one = async (i: number) => {
    const from = live[Math.floor(random() * live.length)]!;
    const id = hashId(`path-${o.seed}-${n}-${i}`, from.bits);
    const r = await from.lookupId(id);
    s.lengths.push(r.path.length);
    s.hops += r.hops;
    if (r.owner.address !== oracle.ownerOf(id)) s.wrong++;
  };
  for (let done = 0; done < o.lookups; done += batchSize) {
    const size = Math.min(batchSize, o.lookups - done);
    await ring.settle(Promise.all(Array.from({ length: size }, (_, i) => one(done + i))));
  }
  return s;
}
