import type { ChordNode } from '../../src/dht/chord-node.js';
import { successorIndex } from '../../src/sim/ring-check.js';
import type { SimRing } from '../../src/sim/sim-ring.js';

/** The true owner of each key (recomputed from the live ids), and how many lookups disagreed. */
export async function checkLookups(
  ring: SimRing,
  from: readonly ChordNode[],
  keys: readonly string[],
): Promise<{ wrong: number; total: number; meanHops: number }> {
  const ids = ring.live.map((n) => n.self.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let wrong = 0;
  let total = 0;
  let hops = 0;
  for (const node of from) {
    for (const key of keys) {
      const r = await ring.settle(node.lookup(key));
      const want = ids[successorIndex(ids, BigInt('0x' + r.key))]!;
      if (BigInt('0x' + r.owner.id) !== want) wrong++;
      hops += r.hops;
      total++;
    }
  }
  return { wrong, total, meanHops: hops / total };
}
