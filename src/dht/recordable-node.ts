/** A ring member as the bus recorder (io/bus-recorder.ts) sees it: bus, clock and its state now. */
import type { RecordedNode } from '../bus/recording.js';
import type { RecordableNode } from '../io/bus-recorder.js';
import type { ChordNode } from './chord-node.js';

export function recordable(node: ChordNode): RecordableNode {
  return {
    bus: node.bus,
    clock: node.clock,
    describe: (): RecordedNode => {
      const s = node.snapshot();
      return {
        address: s.address,
        id: s.id,
        bits: s.bits,
        routing: s.routing,
        state: {
          inRing: s.inRing,
          predecessor: s.predecessor,
          successors: s.successors,
          fingers: s.fingers.map((f) => ({ index: f.index, node: f.node, fixedAt: f.fixedAt })),
        },
      };
    },
  };
}
