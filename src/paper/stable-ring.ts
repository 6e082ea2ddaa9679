/**
 * A SimRing in the state the paper measures in: every successor list, predecessor and finger
 * correct, and stabilization paused so nothing changes while lookups are sampled.
 *
 * Nodes join one after another through random members (virtual time does not move: with the
 * memory transport's zero latency every RPC completes at once). Then every node runs p2pterm's
 * own stabilization round, in descending id order, twice: a node copies its successor's list,
 * so visiting successors first makes each list whole in one pass (the second covers the wrap
 * at zero). Finally each node fixes all its fingers with refreshFingers(). The ring is checked
 * against the true order before it is handed out.
 */
import type { ChordNode } from '../dht/chord-node.js';
import { DEFAULT_SUCCESSORS } from '../core/constants.js';
import { SimRing, type SimRingOptions } from '../sim/sim-ring.js';

export interface StableRingOptions extends SimRingOptions {
  readonly nodes: number;
}

/** Builds an N-node ring with correct lists and fingers, stabilization paused. Throws if it is not. */
export async function buildStableRing(o: StableRingOptions): Promise<SimRing> {
  const ring = new SimRing(o);
  try {
    await ring.addSequential(o.nodes);
    const live = ring.live;
    pauseAll(live);
    const descending = [...live].sort((a, b) => (a.self.id > b.self.id ? -1 : a.self.id < b.self.id ? 1 : 0));
    for (let pass = 0; pass < 2; pass++) for (const node of descending) await ring.settle(node.stabilization.step());
    for (const node of live) await ring.settle(node.refreshFingers());
    const wrong = wrongSuccessorLists(descending.reverse(), o.successors ?? DEFAULT_SUCCESSORS);
    if (wrong > 0 || !ring.health({ fingers: false }).healthy)
      throw new Error(`ring of ${o.nodes} did not settle: ${wrong} wrong successor lists`);
    return ring;
  } catch (e) {
    await ring.stop();
    throw e;
  }
}

/** Pauses the stabilization timer of every node given (routing state stays as it is). */
export function pauseAll(nodes: readonly ChordNode[]): void {
  for (const n of nodes) n.stabilization.pause();
}

/** Nodes (given in ascending id order) whose successor list is not the next min(r, N-1) nodes. */
export function wrongSuccessorLists(ascending: readonly ChordNode[], r: number): number {
  let wrong = 0;
  ascending.forEach((node, i) => {
    const list = node.snapshot({ fingers: false }).successors;
    const next = (k: number) => ascending[(i + 1 + k) % ascending.length]!.self.address;
    const want = Math.max(1, Math.min(r, ascending.length - 1));
    if (list.length !== want || list.some((s, k) => s.address !== next(k))) wrong++;
  });
  return wrong;
}
