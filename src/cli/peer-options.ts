/** What a node started from the command line is given: the one mapping of node flags to a peer. */
import type { EventBus } from '../bus/event-bus.js';
import type { startPeer } from '../files/start-file-service.js';
import type { NodeCliOptions } from './node-options.js';
import { limitsOf } from './rate-option.js';
import { peerLimitsOf } from './limit-options.js';
import { DEFAULT_REPLICAS } from '../store/store-constants.js';

export function peerOptionsOf(o: NodeCliOptions, bus: EventBus): Parameters<typeof startPeer>[0] {
  return {
    vnodes: o.vnodes,
    host: o.host,
    port: o.port,
    advertise: o.advertise,
    bits: o.bits,
    routing: o.routing,
    stabilizeMs: o.stabilizeMs,
    backoff: o.backoff,
    successors: successorsFor(o.successors, o.vnodes),
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

/**
 * The successor-list length of each ring member. With V virtual nodes per process, r
 * successors can be as few as r/V processes: the list is at least DEFAULT_REPLICAS × V long,
 * so a key's r copies always find r distinct processes in it (store/distinct-hosts.ts).
 */
export function successorsFor(successors: number, vnodes = 1): number {
  return vnodes > 1 ? Math.max(successors, DEFAULT_REPLICAS * vnodes) : successors;
}
