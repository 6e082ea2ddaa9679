/** What a node started from the command line is given: the one mapping of node flags to a peer. */
import type { EventBus } from '../bus/event-bus.js';
import type { startPeer } from '../files/start-file-service.js';
import type { NodeCliOptions } from './node-options.js';
import { limitsOf } from './rate-option.js';
import { peerLimitsOf } from './limit-options.js';

export function peerOptionsOf(o: NodeCliOptions, bus: EventBus): Parameters<typeof startPeer>[0] {
  return {
    host: o.host,
    port: o.port,
    advertise: o.advertise,
    bits: o.bits,
    routing: o.routing,
    stabilizeMs: o.stabilizeMs,
    backoff: o.backoff,
    successors: o.successors,
    bus,
    dir: o.dir,
    dataDir: o.data,
    limits: limitsOf(o),
    tracker: o.tracker,
    networkKey: o.networkKey,
    peerLimits: peerLimitsOf(o),
    storeQuota: o.peerQuota,
  };
}
