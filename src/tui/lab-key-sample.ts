/**
 * Keys per node on the lab's running ring, for the lab pane's histogram (the Chord paper's
 * Figure 8 for the ring on screen). The lab stores no data, so it places a sample of keys:
 * ids drawn uniformly from the lab's seeded random (what hashed keys are; hashing the names
 * would cost ten times as much), each owned by the first live id at or after
 * it (the rule every node applies). With V virtual nodes per host (`--vnodes`), the keys of a
 * host's V points are summed: load per host is what virtual nodes even out.
 *
 * Invariants:
 * - the sample (hashing and sorting) is rebuilt only for a new ring or when the ring's size
 *   has moved by more than 2× from the size it was built for;
 * - owners are recomputed only when the lab's membership version changes: one sweep, O(K + N).
 */
import { seededRandom } from '../core/random.js';
import { type Point, ownersOf, point } from '../paper/load-balance.js';
import { type Spread, spread } from '../paper/summary-stats.js';
import type { Lab } from '../sim/lab.js';
import { hostOf } from '../wire/address.js';

/** Keys sampled per live node (the paper's Figure 9: 5×10^5 keys on 10^4 nodes). */
export const KEYS_PER_NODE = 50;
/** Fewest and most keys sampled: enough for a small ring; a frame's worth of work (tens of ms) for a large one. */
const MIN_KEYS = 1000;
const MAX_KEYS = 20_000;

export interface KeyLoad extends Spread {
  /** Keys placed. */
  readonly keys: number;
  /** Keys held by each live node in id order, or by each host (`per: 'host'`). */
  readonly counts: readonly number[];
  /** What one count is for: a node, or a host of `vnodes` virtual nodes (their keys summed). */
  readonly per: 'node' | 'host';
  /** Virtual nodes per host (1 when `per` is 'node'). */
  readonly vnodes: number;
}

/** Keys per node: `counts[i]` = keys owned by `nodeIds[i]` (sorted ascending), keys sorted by id. */
export function keyLoad(nodeIds: readonly bigint[], keys: readonly Point[], bits: number): KeyLoad {
  const counts = new Array<number>(nodeIds.length).fill(0);
  if (nodeIds.length > 0) {
    const owner = ownersOf(
      keys,
      nodeIds.map((id, i) => point(id, bits, i)),
    );
    for (const k of keys) counts[owner[k.index]!]!++;
  }
  return { keys: keys.length, counts, per: 'node', vnodes: 1, ...spread(counts) };
}

/**
 * Keys per host: `nodeLoad.counts[i]` summed over the nodes of each host, `hosts[i]` naming
 * node i's host. Hosts in the order their first node appears.
 */
export function hostLoad(nodeLoad: KeyLoad, hosts: readonly string[], vnodes: number): KeyLoad {
  const index = new Map<string, number>();
  const counts: number[] = [];
  for (const [i, h] of hosts.entries()) {
    let j = index.get(h);
    if (j === undefined) index.set(h, (j = counts.push(0) - 1));
    counts[j]! += nodeLoad.counts[i]!;
  }
  return { keys: nodeLoad.keys, counts, per: 'host', vnodes, ...spread(counts) };
}

export class LabKeySample {
  private sample: { readonly ring: unknown; readonly size: number; readonly keys: Point[] } | null = null;
  private cached: { readonly ring: unknown; readonly version: number; readonly load: KeyLoad } | null = null;

  constructor(private readonly lab: Lab) {}

  /** Keys per live node of the current ring (null with no live node). */
  load(): KeyLoad | null {
    const m = this.lab.members();
    if (m.nodes.length === 0) return null;
    const ring = this.lab.ring;
    if (this.cached?.ring === ring && this.cached.version === m.version) return this.cached.load;
    const keys = this.keys(ring, m.nodes.length);
    const perNode = keyLoad(
      m.nodes.map((n) => n.self.id),
      keys,
      this.lab.bits,
    );
    const v = this.lab.vnodes;
    const load =
      v > 1
        ? hostLoad(
            perNode,
            m.nodes.map((n) => hostOf(n.self.address)),
            v,
          )
        : perNode;
    this.cached = { ring, version: m.version, load };
    return load;
  }

  /** The sample's size follows the number of points (virtual nodes), as the paper's keys per node. */
  private keys(ring: unknown, nodes: number): Point[] {
    const want = Math.min(MAX_KEYS, Math.max(MIN_KEYS, KEYS_PER_NODE * nodes));
    const s = this.sample;
    if (s && s.ring === ring && want <= 2 * s.size && want >= s.size / 2) return s.keys;
    const keys = randomKeys(seededRandom(this.lab.opts.seed ?? 7), want, this.lab.bits);
    this.sample = { ring, size: want, keys };
    return keys;
  }
}

/** `count` uniform ids of `bits` bits, sorted, each with its draw index. */
export function randomKeys(random: () => number, count: number, bits: number): Point[] {
  const keys: Point[] = new Array(count);
  const extra = BigInt((32 - (bits % 32)) % 32);
  for (let j = 0; j < count; j++) {
    let id = 0n;
    for (let b = 0; b < bits; b += 32) id = (id << 32n) | BigInt(Math.floor(random() * 2 ** 32));
    keys[j] = point(id >> extra, bits, j);
  }
  return keys.sort((a, b) => a.hi - b.hi || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
