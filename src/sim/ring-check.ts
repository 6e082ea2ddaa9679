/**
 * An independent check of a ring's invariants from node snapshots alone: the true ring is
 * recomputed from the set of live ids and compared with what each node believes.
 */
import type { NodeSnapshot } from '../dht/chord-node.js';
import { fingerStart } from '../core/ring-math.js';

export interface RingHealth {
  readonly nodes: number;
  /** Following successors from any node visits every live node once, in id order. */
  readonly orderedRing: boolean;
  /** Nodes whose successor is not the next live node. */
  readonly wrongSuccessors: number;
  /** Nodes whose predecessor is not the previous live node. */
  readonly wrongPredecessors: number;
  /** Finger entries that are not successor(start) (chord only). */
  readonly wrongFingers: number;
  readonly totalFingers: number;
  readonly healthy: boolean;
}

/** Index of the first id >= x in a sorted array, wrapping to 0. */
export function successorIndex(sorted: readonly bigint[], x: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo === sorted.length ? 0 : lo;
}

export function checkRing(snaps: readonly NodeSnapshot[], opts: { fingers?: boolean } = {}): RingHealth {
  const live = snaps.filter((s) => s.inRing);
  const ids = live.map((s) => BigInt('0x' + s.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byId = new Map(live.map((s) => [s.id, s] as const));
  let wrongSucc = 0;
  let wrongPred = 0;
  let wrongFingers = 0;
  let totalFingers = 0;
  for (const s of live) {
    const me = BigInt('0x' + s.id);
    const i = successorIndex(ids, me);
    const next = ids[(i + 1) % ids.length]!;
    const prev = ids[(i - 1 + ids.length) % ids.length]!;
    if (BigInt('0x' + (s.successors[0]?.id ?? '0')) !== next) wrongSucc++;
    const pred = s.predecessor ? BigInt('0x' + s.predecessor.id) : null;
    if (ids.length > 1 ? pred !== prev : pred !== null && pred !== me) wrongPred++;
    if (opts.fingers !== false && s.routing === 'chord') {
      const byIndex = new Map(s.fingers.map((f) => [f.index, f.node.id] as const));
      for (let f = 0; f < s.bits; f++) {
        const want = ids[successorIndex(ids, fingerStart(me, f, s.bits))]!;
        const got = byIndex.get(f);
        totalFingers++;
        if (got === undefined || BigInt('0x' + got) !== want) wrongFingers++;
      }
    }
  }
  const orderedRing = walkVisitsAll(live, byId, ids.length);
  const healthy = orderedRing && wrongSucc === 0 && wrongPred === 0;
  return {
    nodes: live.length,
    orderedRing,
    wrongSuccessors: wrongSucc,
    wrongPredecessors: wrongPred,
    wrongFingers,
    totalFingers,
    healthy,
  };
}

function walkVisitsAll(live: readonly NodeSnapshot[], byId: Map<string, NodeSnapshot>, n: number): boolean {
  if (n === 0) return true;
  let cur = live.reduce((a, b) => (BigInt('0x' + a.id) < BigInt('0x' + b.id) ? a : b));
  const start = cur.id;
  let prevId = -1n;
  for (let steps = 0; steps < n; steps++) {
    const id = BigInt('0x' + cur.id);
    if (steps > 0 && id <= prevId) return false;
    prevId = id;
    const next = byId.get(cur.successors[0]?.id ?? '');
    if (!next) return false;
    cur = next;
    if (cur.id === start) return steps === n - 1;
  }
  return false;
}
