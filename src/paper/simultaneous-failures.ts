/**
 * Experiment 5: a fraction p of the nodes fails at once and lookups run before stabilization
 * repairs anything (stabilization is paused on every node before the crash; SIGCOMM 2001 §6.4
 * Figure 11, ToN 2003 Table II).
 *
 * Each lookup is p2pterm's own (ChordNode.lookupId: iterative, routing around silent nodes).
 * - Without replication a lookup fails when it throws, names a node other than the key's
 *   owner before the crash, or that owner is dead (its keys died with it).
 * - With replication (r copies: the owner and its next r-1 successors, the ring store's
 *   placement) the client reads as RingStore.get does: the named owner, then the successor
 *   list of the owner (when it answers) or of the node that named it, past the owner, up to
 *   r + 2 nodes; the read succeeds at the first live node that held a copy before the crash.
 */
import type { ChordNode } from '../dht/chord-node.js';
import { hashId } from '../core/ring-math.js';
import { seededRandom } from '../core/random.js';
import { OwnerOracle } from './owner-oracle.js';
import { buildStableRing } from './stable-ring.js';

/** A read asks this many nodes past the r holders (RingStore's GET_EXTRA_CANDIDATES). */
const EXTRA_CANDIDATES = 2;

export interface FailurePoint {
  /** Fraction of nodes crashed. */
  readonly failed: number;
  readonly nodes: number;
  readonly lookups: number;
  /** Failed lookups without replication, as a fraction of lookups. */
  readonly noReplication: number;
  /** Failed reads with r-fold replication, as a fraction of lookups. */
  readonly withReplication: number;
  /** Keys whose r holders all crashed (no read can succeed), as a fraction. */
  readonly allHoldersDead: number;
  /** Lookups that threw, or named a node that is not the key's live successor now. */
  readonly routingFailures: number;
  readonly meanHops: number;
  /** Mean RPCs that timed out per lookup. */
  readonly meanTimeouts: number;
  readonly replicas: number;
}

export interface FailureOptions {
  readonly nodes: number;
  readonly fractions: readonly number[];
  readonly lookups: number;
  readonly replicas: number;
  readonly seed: number;
  /** Successor-list length (default p2pterm's, 8). */
  readonly successors?: number;
  readonly onPoint?: (p: FailurePoint) => void;
}

export async function simultaneousFailures(o: FailureOptions): Promise<FailurePoint[]> {
  const out: FailurePoint[] = [];
  for (const p of o.fractions) {
    const point = await failFraction(p, o);
    o.onPoint?.(point);
    out.push(point);
  }
  return out;
}

interface Tally {
  noRep: number;
  rep: number;
  allDead: number;
  routing: number;
  hops: number;
  timeouts: number;
}

async function failFraction(p: number, o: FailureOptions): Promise<FailurePoint> {
  // The same ring for every p (same seed), so the points differ only in what failed.
  const ring = await buildStableRing({ nodes: o.nodes, seed: o.seed, successors: o.successors });
  try {
    const before = new OwnerOracle(ring.live);
    const random = seededRandom(o.seed * 104_729 + Math.round(p * 1000));
    const victims = shuffle(ring.live, random).slice(0, Math.round(p * o.nodes));
    for (const v of victims) await ring.crash(v);
    const live = ring.live;
    const after = new OwnerOracle(live);
    const up = new Set(live.map((n) => n.self.address));
    const t: Tally = { noRep: 0, rep: 0, allDead: 0, routing: 0, hops: 0, timeouts: 0 };
    const batch = Array.from({ length: o.lookups }, (_, i) => {
      const from = live[Math.floor(random() * live.length)]!;
      const id = hashId(`fail-${o.seed}-${p}-${i}`, from.bits);
      return lookupOnce(from, id, { before, after, up, replicas: o.replicas }, t);
    });
    await ring.settle(Promise.all(batch));
    return {
      failed: p,
      nodes: o.nodes,
      lookups: o.lookups,
      noReplication: t.noRep / o.lookups,
      withReplication: t.rep / o.lookups,
      allHoldersDead: t.allDead / o.lookups,
      routingFailures: t.routing / o.lookups,
      meanHops: t.hops / o.lookups,
      meanTimeouts: t.timeouts / o.lookups,
      replicas: o.replicas,
    };
  } finally {
    await ring.stop();
  }
}

interface Truth {
  readonly before: OwnerOracle;
  readonly after: OwnerOracle;
  readonly up: ReadonlySet<string>;
  readonly replicas: number;
}

async function lookupOnce(from: ChordNode, id: bigint, truth: Truth, t: Tally): Promise<void> {
  const holders = truth.before.holdersOf(id, truth.replicas);
  if (!holders.some((h) => truth.up.has(h))) t.allDead++;
  // A rejected lookup is a failed one under every definition below.
  const r = await from.lookupId(id).catch(() => null);
  if (!r) {
    t.noRep++, t.rep++, t.routing++;
    return;
  }
  t.hops += r.hops;
  t.timeouts += r.rpcs - r.hops;
  const owner = r.owner.address;
  if (owner !== truth.after.ownerOf(id)) t.routing++;
  if (owner !== holders[0] || !truth.up.has(owner)) t.noRep++;
  const asker = r.path[r.path.length - 1]!.address;
  const candidates = await readCandidates(from, owner, asker, truth.replicas + EXTRA_CANDIDATES);
  if (!candidates.some((c) => truth.up.has(c) && holders.includes(c))) t.rep++;
}

/**
 * The nodes a ring-store read would try, in order: the owner, then the owner's successor list
 * when it answers, else the list of the node that named the owner, past the owner.
 */
async function readCandidates(from: ChordNode, owner: string, asker: string, n: number): Promise<string[]> {
  const listOf = async (address: string): Promise<string[] | null> => {
    // A node that does not answer is passed over, as the ring store passes it over.
    const nb = await from.request(address, 'neighbours', {}).catch(() => null);
    return nb ? nb.successors.map((s) => s.address).filter((a) => a !== address) : null;
  };
  let after = await listOf(owner);
  if (!after) {
    const list = (await listOf(asker)) ?? [];
    const at = list.indexOf(owner);
    after = at >= 0 ? list.slice(at + 1) : list;
  }
  const chain = [owner, ...after, asker];
  return chain.filter((a, i) => chain.indexOf(a) === i).slice(0, n);
}

/** A seeded Fisher–Yates shuffle (a copy). */
export function shuffle<T>(list: readonly T[], random: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
