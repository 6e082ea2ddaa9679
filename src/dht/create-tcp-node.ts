/** A ChordNode on real TCP: what the CLI and library users start. */
import type { Routing } from '../core/chord-state.js';
import { EventBus } from '../bus/event-bus.js';
import { DEFAULT_BACKOFF } from '../core/constants.js';
import type { AlternateProtocol } from '../transport/tcp-transport.js';
import type { PeerLimits } from '../transport/peer-limits.js';
import type { LogLevel } from '../core/log.js';
import { ChordNode } from './chord-node.js';
import { isWildcard, joinHostPort, parseAdvertise } from '../wire/address.js';
import type { LocalIdentity } from '../transport/transport.js';
import { newVnodes } from './vnode-group.js';

export interface TcpNodeOptions {
  /** Interface to listen on and the host part of the node's address (default 127.0.0.1). */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one (default 0). */
  readonly port?: number;
  /**
   * The address peers are told and the id is computed from, "host" or "host:port" (default:
   * the listened-on host; for a wildcard host, the address of the default route's interface).
   */
  readonly advertise?: string;
  /** Identifier width m, 1..160 (default 160). */
  readonly bits?: number;
  /** Default 'chord'. */
  readonly routing?: Routing;
  /** Successor-list length r (default 8). */
  readonly successors?: number;
  /** Stabilization interval in ms (default 500). */
  readonly stabilizeMs?: number;
  /** Most the interval stretches while the ring is quiet, as a multiple (default 8; 1 = never). */
  readonly backoff?: number;
  /** Request timeout in ms (default 2000). */
  readonly rpcTimeoutMs?: number;
  readonly bus?: EventBus;
  /** Another protocol answered on the same port (the P2P-CI upload server). */
  readonly alternate?: AlternateProtocol;
  /** A private network's key: every connection is PSK TLS under it (default: an open network). */
  readonly networkKey?: Buffer;
  /** Per-peer limits: connections, requests, bytes in flight, idle and slow-frame bounds (see PeerLimits). */
  readonly peerLimits?: PeerLimits;
  /**
   * Virtual nodes this process runs on the ring, sharing its port (default 1): see
   * vnode-group.ts. Used by newTcpVnodes; newTcpNode makes one node whatever it says.
   */
  readonly vnodes?: number;
}

/** Creates and starts a node listening on TCP (it forms a ring of one until it joins). */
export async function createTcpNode(opts: TcpNodeOptions = {}): Promise<ChordNode> {
  const node = newTcpNode(opts);
  await node.start();
  return node;
}

/**
 * A TCP node not started yet. With an explicit port its id is known at once (see
 * ChordNodeOptions.address); the wire code (schemas, codec) is loaded by start(), so a console
 * can draw the node before paying for it.
 */
export function newTcpNode(opts: TcpNodeOptions = {}): ChordNode {
  const { transport, ...rest } = tcpParts(opts);
  return new ChordNode({ ...rest, transport });
}

/**
 * The `opts.vnodes` ring members of one process on one TCP port, not started (member 0, at the
 * plain address, first; see vnode-group.ts). One member is exactly newTcpNode's node.
 */
export function newTcpVnodes(opts: TcpNodeOptions = {}): ChordNode[] {
  const count = opts.vnodes ?? 1;
  if (count <= 1) return [newTcpNode(opts)];
  return newVnodes({ ...tcpParts(opts), count });
}

/** What a TCP node is built from: its transport factory, planned address and settings. */
function tcpParts(opts: TcpNodeOptions) {
  const bus = opts.bus ?? new EventBus();
  const log = (level: LogLevel, topic: string, message: string) =>
    bus.emit('log:line', { at: Date.now(), level, topic, message });
  const host = opts.host ?? '127.0.0.1';
  return {
    transport: async (identity: () => LocalIdentity) => {
      const { TcpTransport } = await import('../transport/tcp-transport.js');
      return new TcpTransport({
        host,
        port: opts.port,
        advertise: opts.advertise,
        identity,
        timeoutMs: opts.rpcTimeoutMs,
        log,
        alternate: opts.alternate,
        networkKey: opts.networkKey,
        limits: opts.peerLimits,
      });
    },
    address: plannedAddress(host, opts.port, opts.advertise),
    bits: opts.bits,
    routing: opts.routing,
    successors: opts.successors,
    stabilizeMs: opts.stabilizeMs,
    backoff: opts.backoff ?? DEFAULT_BACKOFF,
    bus,
  };
}

/** The address the node will have, when it is known before listening (else undefined). */
function plannedAddress(host: string, port: number | undefined, advertise: string | undefined): string | undefined {
  if (advertise) {
    const a = parseAdvertise(advertise);
    const p = a.port ?? port;
    return p ? joinHostPort(a.host, p) : undefined;
  }
  return port && !isWildcard(host) ? joinHostPort(host, port) : undefined;
}
