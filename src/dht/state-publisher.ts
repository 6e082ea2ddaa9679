/**
 * Puts the core's state changes on the bus, one event per change: `ring:predecessor-changed`,
 * `ring:successor-changed`, `ring:successors-changed` and `finger:updated`. A payload is only
 * built when someone listens (large simulations run thousands of nodes on one bus).
 */
import type { EventBus } from '../bus/event-bus.js';
import type { StateChange } from '../core/chord-state.js';
import type { NodeRef } from '../core/node-ref.js';
import { fingerStart } from '../core/ring-math.js';
import { toJson } from './wire-refs.js';

export function publishChange(bus: EventBus, self: NodeRef, bits: number, c: StateChange): void {
  switch (c.kind) {
    case 'predecessor':
      if (bus.wants('ring:predecessor-changed'))
        bus.emit('ring:predecessor-changed', { from: c.from && toJson(c.from), to: c.to && toJson(c.to) });
      break;
    case 'successor':
      if (bus.wants('ring:successor-changed'))
        bus.emit('ring:successor-changed', { from: toJson(c.from), to: toJson(c.to) });
      break;
    case 'successors':
      if (bus.wants('ring:successors-changed')) bus.emit('ring:successors-changed', { successors: c.list.map(toJson) });
      break;
    case 'finger':
      if (bus.wants('finger:updated')) publishFinger(bus, self, bits, c);
      break;
  }
}

function publishFinger(bus: EventBus, self: NodeRef, bits: number, c: StateChange & { kind: 'finger' }): void {
  bus.emit('finger:updated', {
    index: c.index,
    start: fingerStart(self.id, c.index, bits).toString(16),
    node: c.node && toJson(c.node),
    at: c.at,
  });
}
