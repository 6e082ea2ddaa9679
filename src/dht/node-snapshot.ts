/** A read-only view of a node's routing state, as the console, the headless driver and checks read it. */
import type { ChordState, Routing } from '../core/chord-state.js';
import type { NodeRefJson } from '../core/node-ref.js';
import { fingerStart } from '../core/ring-math.js';
import { toJson } from './wire-refs.js';

export interface NodeSnapshot {
  readonly id: string;
  readonly address: string;
  readonly routing: Routing;
  readonly bits: number;
  readonly inRing: boolean;
  readonly predecessor: NodeRefJson | null;
  readonly successors: NodeRefJson[];
  /** Successor-list length r the node keeps (absent in snapshots that predate it, e.g. recordings). */
  readonly r?: number;
  readonly fingers: { index: number; start: string; node: NodeRefJson; fixedAt: number }[];
}

/** A copy of `st` (fingers included unless `withFingers` is false: they cost the most). */
export function snapshotOf(st: ChordState, inRing: boolean, withFingers: boolean): NodeSnapshot {
  return {
    id: st.self.id.toString(16),
    address: st.self.address,
    routing: st.routing,
    bits: st.bits,
    inRing,
    predecessor: st.predecessor ? toJson(st.predecessor) : null,
    successors: st.successors.map(toJson),
    r: st.r,
    fingers: withFingers ? fingersOf(st) : [],
  };
}

function fingersOf(st: ChordState): NodeSnapshot['fingers'] {
  const fingers: NodeSnapshot['fingers'] = [];
  st.fingers.forEach((n, i) => {
    if (n)
      fingers.push({
        index: i,
        start: fingerStart(st.self.id, i, st.bits).toString(16),
        node: toJson(n),
        fixedAt: st.fingerFixedAt[i]!,
      });
  });
  return fingers;
}
