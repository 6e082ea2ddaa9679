/**
 * The first half of starting a peer: the TCP node, with its port ready to hand P2P-CI GET
 * requests to an upload server attached later. Light to load, so the console can draw before
 * the file stack (store, transfers, tracker) is even imported.
 */
import type { Socket } from 'node:net';
import { EventBus } from '../bus/event-bus.js';
import { newTcpVnodes, type TcpNodeOptions } from '../dht/create-tcp-node.js';
import { startVnodes } from '../dht/vnode-group.js';
import type { ChordNode } from '../dht/chord-node.js';
import type { FileServiceOptions } from './file-service.js';

export interface PeerOptions extends TcpNodeOptions {
  readonly dir: string;
  readonly dataDir?: string;
  readonly tracker?: string;
  readonly replicas?: number;
  /** Rate limits and downloads at once, handed to the file service. */
  readonly limits?: FileServiceOptions['limits'];
  /** Bytes one remote peer may store on this node through the ring store (0: no limit; default 16 GiB). */
  readonly storeQuota?: number;
}

/** Where a connection starting with "GET " goes once the file service is up. */
export interface UploadSlot {
  target: { acceptSocket(socket: Socket, first: Buffer): void } | null;
}

export interface PeerNode {
  /** The process's first ring member (at its plain address): its face to the console and the tracker. */
  readonly node: ChordNode;
  /** Every ring member of the process (`--vnodes`), `node` first. */
  readonly vnodes: readonly ChordNode[];
  readonly opts: PeerOptions & { readonly bus: EventBus };
  readonly slot: UploadSlot;
}

export async function startPeerNode(opts: PeerOptions): Promise<PeerNode> {
  const peer = newPeerNode(opts);
  await startVnodes(peer.vnodes);
  return peer;
}

/** The same, not started yet (see newTcpNode): the console draws it, then starts it. */
export function newPeerNode(opts: PeerOptions): PeerNode {
  const bus = opts.bus ?? new EventBus();
  const slot: UploadSlot = { target: null };
  // A P2P-CI download starts with "GET "; p2pterm frames start with a 4-byte length.
  const alternate = {
    match: (first: Buffer) => first.subarray(0, 4).toString('latin1') === 'GET ',
    accept: (s: Socket, first: Buffer) => (slot.target ? slot.target.acceptSocket(s, first) : void s.destroy()),
  };
  const vnodes = newTcpVnodes({ ...opts, bus, alternate });
  return { node: vnodes[0]!, vnodes, opts: { ...opts, bus }, slot };
}
