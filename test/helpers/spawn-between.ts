/** A fresh, not yet joined node of a SimRing whose id falls strictly between two members'. */
import type { ChordNode } from '../../src/dht/chord-node.js';
import { inOpen } from '../../src/core/ring-math.js';
import type { SimRing } from '../../src/sim/sim-ring.js';

/**
 * Starts nodes until one's id falls in (low, high). The others are crashed: a started node
 * is a ring of its own, and would count as live.
 */
export async function spawnBetween(ring: SimRing, low: ChordNode, high: ChordNode): Promise<ChordNode> {
  let node = await ring.spawn();
  while (!inOpen(node.self.id, low.self.id, high.self.id)) {
    await ring.crash(node);
    node = await ring.spawn();
  }
  return node;
}
