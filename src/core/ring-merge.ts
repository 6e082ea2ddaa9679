/**
 * The pure steps of merging two rings that formed apart (a healed partition): a node that
 * learns of a live node of another ring threads it into its successor list when it is closer
 * than the current successor. Repeated along the ring (a "zipper": each node that adopts a
 * node of the other ring passes its old successor on to it), the two successor chains become
 * one, in the spirit of ring unification (Shafaat, Ghodsi and Haridi, 2009); stabilization's
 * rectify and walk-back fix the predecessors behind it.
 *
 * Invariants:
 * - a merge step only ever makes the successor closer (never adopts a node past it), so
 *   merges started at many nodes at once cannot undo each other;
 * - the merged successor list is the r closest distinct nodes of both lists, in ring order.
 */
import { setSuccessors, successorOf, type ChordState, type StateChange } from './chord-state.js';
import { sameNode, type NodeRef } from './node-ref.js';
import { distance, inOpen } from './ring-math.js';

/** Whether `x` would be a closer successor than the current one (any node, for a node alone). */
export function closerThanSuccessor(s: ChordState, x: NodeRef): boolean {
  if (sameNode(x, s.self)) return false;
  const succ = successorOf(s);
  return sameNode(succ, s.self) || inOpen(x.id, s.self.id, succ.id);
}

/** Takes the r closest of the current successors and `candidates` (live nodes of another ring). */
export function mergeSuccessors(s: ChordState, candidates: readonly NodeRef[]): StateChange[] {
  const seen = new Set<string>([s.self.address]);
  const all: { n: NodeRef; d: bigint }[] = [];
  for (const n of [...candidates, ...s.successors]) {
    if (seen.has(n.address)) continue;
    seen.add(n.address);
    all.push({ n, d: distance(s.self.id, n.id, s.bits) });
  }
  all.sort((a, b) => (a.d < b.d ? -1 : a.d > b.d ? 1 : 0));
  const list = all.map((x) => x.n);
  return setSuccessors(s, list[0] ?? s.self, list.slice(1));
}
