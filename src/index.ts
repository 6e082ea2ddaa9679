/**
 * p2pterm as a library: start ring members on TCP (or a whole simulated ring in memory),
 * join, look up, leave, and subscribe to what happens on the event bus.
 */
export { ChordNode, type ChordNodeOptions, type NodeSnapshot } from './dht/chord-node.js';
export { createTcpNode, type TcpNodeOptions } from './dht/create-tcp-node.js';
export { EventBus } from './bus/event-bus.js';
export type { BusEvents, BusEventName, LookupResult, StabilizeOutcome } from './bus/events.js';
export { SimRing, type SimRingOptions } from './sim/sim-ring.js';
export { checkRing, type RingHealth } from './sim/ring-check.js';
export { MemoryNetwork, MemoryTransport } from './transport/memory-transport.js';
export { TcpTransport } from './transport/tcp-transport.js';
export type { Transport } from './transport/transport.js';
export { VirtualClock } from './core/virtual-clock.js';
export { hashId, idToHex, inHalfOpen, inOpen, fingerStart } from './core/ring-math.js';
export {
  P2pError,
  RemoteError,
  RpcTimeoutError,
  UnreachableError,
  IncompatiblePeerError,
  DecodeError,
  AbortedError,
} from './wire/errors.js';
