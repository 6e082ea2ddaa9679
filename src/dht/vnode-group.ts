/**
 * The V ring members of one process (`--vnodes V`): ChordNodes sharing one transport through a
 * VnodeHost, virtual node i at "host:port/i" (i = 0 at the plain "host:port"), each with the
 * id SHA-1 of its own address. Each member joins, leaves, stabilizes and fails over on its own;
 * the process starts, joins and leaves them together.
 *
 * Invariants:
 * - member 0 is the process's face: its bus is the caller's, its address the plain one; the
 *   others have buses of their own (ring events of one member must not reach another's ring
 *   store) whose log lines are forwarded to member 0's bus, tagged with the member's index;
 * - members start in index order (0 opens the port) and leave in reverse order;
 * - a process that joins no other ring is a ring of its own members (formOwnRing).
 */
import { EventBus } from '../bus/event-bus.js';
import { refToJson, type NodeRefJson } from '../core/node-ref.js';
import type { LocalIdentity, Transport } from '../transport/transport.js';
import { VnodeHost } from '../transport/vnode-host.js';
import { hostOf, vnodeAddress } from '../wire/address.js';
import { P2pError } from '../wire/errors.js';
import { ChordNode, type ChordNodeOptions } from './chord-node.js';

export interface VnodeGroupOptions extends Omit<ChordNodeOptions, 'transport' | 'address'> {
  /** Members, V ≥ 1. */
  readonly count: number;
  /** Builds the one real transport, given member 0's identity. */
  readonly transport: (identity: () => LocalIdentity) => Transport | Promise<Transport>;
  /** The process's "host:port" when known before listening (see ChordNodeOptions.address). */
  readonly address?: string;
}

/** The members of one process, not started yet (member 0 first). */
export function newVnodes(opts: VnodeGroupOptions): ChordNode[] {
  const host = new VnodeHost(opts.transport);
  const main = opts.bus ?? new EventBus();
  const nodes = Array.from({ length: opts.count }, (_, i) => {
    const bus = i === 0 ? main : new EventBus();
    if (i > 0)
      bus.on('log:line', (l) => main.emit('log:line', { ...l, topic: l.topic, message: `[vnode ${i}] ${l.message}` }));
    return new ChordNode({
      ...opts,
      bus,
      transport: (identity) => host.view(i, identity),
      address: opts.address ? vnodeAddress(opts.address, i) : undefined,
    });
  });
  ChordNode.groupAsProcess(nodes);
  return nodes;
}

/** Starts the members in order (member 0 opens the shared port). */
export async function startVnodes(nodes: readonly ChordNode[]): Promise<void> {
  for (const n of nodes) await n.start();
}

/** Members 1.. join member 0: a process not joining another ring is a ring of its own members. */
export async function formOwnRing(nodes: readonly ChordNode[], signal?: AbortSignal): Promise<void> {
  for (const n of nodes.slice(1)) if (!n.member || aloneInRing(n)) await n.join(nodes[0]!.self.address, { signal });
}

/**
 * Every member joins the ring `address` belongs to, one after another. Members in a ring of
 * their own process only leave it first (their keys go to member 0, which takes them along).
 */
export async function joinVnodes(nodes: readonly ChordNode[], address: string, signal?: AbortSignal): Promise<void> {
  if (nodes.length > 1 && onlyOwnProcess(nodes[0]!))
    await leaveVnodes(
      nodes.slice(1).filter((n) => !aloneInRing(n)),
      signal,
    );
  const via = await joinThroughAny(nodes[0]!, address, signal);
  for (const n of nodes.slice(1)) await n.join(via, { signal });
}

/**
 * Joins `node` through the first of the comma-separated `addresses` that answers, in order
 * (a bootstrap list: one member that left or died does not stop a join); returns that address.
 * Only an unreachable member is passed over: any other refusal (an id taken, another protocol)
 * would be the same through every member.
 */
async function joinThroughAny(node: ChordNode, addresses: string, signal?: AbortSignal): Promise<string> {
  const list = addresses
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const [i, address] of list.entries()) {
    try {
      await node.join(address, { signal });
      return address;
    } catch (e) {
      const last = i === list.length - 1;
      if (last || signal?.aborted || !(e instanceof P2pError && e.code === 'UNREACHABLE')) throw e;
      node.log('warn', 'ring', `${e.message}; trying ${list[i + 1]}`);
    }
  }
  throw new P2pError('BAD_JOIN', 'no member to join through');
}

/** Whether `n`'s ring holds nobody but members of its own process. */
function onlyOwnProcess(n: ChordNode): boolean {
  const s = n.snapshot({ fingers: false });
  const mine = hostOf(s.address);
  return s.inRing && s.successors.every((x) => hostOf(x.address) === mine);
}

/** Whether `n` is a ring of one. */
function aloneInRing(n: ChordNode): boolean {
  const s = n.snapshot({ fingers: false });
  return s.successors.every((x) => x.address === s.address) && !s.predecessor;
}

/** Every member still in a ring leaves it gracefully, the last one first. */
export async function leaveVnodes(nodes: readonly ChordNode[], signal?: AbortSignal): Promise<void> {
  for (const n of [...nodes].reverse()) if (n.member) await n.leave({ signal });
}

/** Stops every member (the shared port closes with the last). */
export async function stopVnodes(nodes: readonly ChordNode[]): Promise<void> {
  for (const n of [...nodes].reverse()) await n.stop();
}

/** The members' ids and addresses, as JSON (member 0 first). */
export function vnodeRefs(nodes: readonly ChordNode[]): NodeRefJson[] {
  return nodes.map((n) => refToJson(n.self));
}
