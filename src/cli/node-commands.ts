/** The ring member's headless commands, and leaving cleanly on the way out (shared by every front end). */
import type { ChordNode } from '../dht/chord-node.js';
import { joinVnodes, leaveVnodes } from '../dht/vnode-group.js';
import type { Peer } from '../files/start-file-service.js';
import { P2pError } from '../wire/errors.js';
import type { CommandFn } from '../commands/command-fn.js';

/**
 * The headless command set for a ring member, or for the ring members of one process
 * (`--vnodes`: `vnodes` lists them all, `node` first): join and leave move them all, state
 * reports `node` as before plus every member under `vnodes`.
 */
export function nodeCommands(node: ChordNode, vnodes: readonly ChordNode[] = [node]): Record<string, CommandFn> {
  return {
    state: async () => stateReply(node, vnodes),
    join: async ([addr]) => {
      if (!addr) throw new P2pError('USAGE', 'usage: join HOST:PORT');
      await joinVnodes(vnodes, addr);
      return stateReply(node, vnodes);
    },
    lookup: async (args) => {
      if (args.length === 0) throw new P2pError('USAGE', 'usage: lookup KEY');
      const r = await node.lookup(args.join(' '));
      return { key: r.key, owner: r.owner, hops: r.hops, path: r.path, ms: r.ms };
    },
    leave: async () => {
      if (!node.member) throw new P2pError('NOT_IN_RING', 'not part of a ring');
      await leaveVnodes(vnodes);
      return {};
    },
    pause: async () => {
      for (const n of vnodes) n.stabilization.pause();
      return {};
    },
    resume: async () => {
      for (const n of vnodes) n.stabilization.resume();
      return {};
    },
    step: async () => {
      for (const n of vnodes) await n.stabilization.step();
      return stateReply(node, vnodes);
    },
  };
}

function stateReply(node: ChordNode, vnodes: readonly ChordNode[]): Record<string, unknown> {
  const s = node.snapshot();
  return {
    id: s.id,
    address: s.address,
    routing: s.routing,
    bits: s.bits,
    inRing: s.inRing,
    predecessor: s.predecessor,
    successors: s.successors,
    fingers: s.fingers.map((f) => ({ index: f.index, start: f.start, node: f.node })),
    vnodes: vnodes.map((n) => {
      const v = n.snapshot({ fingers: false });
      return { id: v.id, address: v.address, inRing: v.inRing, predecessor: v.predecessor, successors: v.successors };
    }),
  };
}

/** Leaves gracefully when part of a larger ring (bounded), then frees the port. */
export async function shutdownNode(node: ChordNode): Promise<void> {
  await leaveGracefully(node);
  await node.stop();
}

/** The same for a node with its file service (every member of it): keys are handed on before the store closes. */
export async function shutdownPeer(peer: Peer): Promise<void> {
  for (const n of [...peer.vnodes].reverse()) await leaveGracefully(n);
  await peer.stop();
}

/** Most time a graceful leave may take on the way out (the ring repairs itself after that). */
const LEAVE_MS = 10_000;

async function leaveGracefully(node: ChordNode): Promise<void> {
  const s = node.snapshot({ fingers: false });
  const others = s.successors.some((n) => n.address !== s.address);
  if (!s.inRing || !others) return;
  const left = node.leave().catch((e: Error) => node.log('debug', 'ring', `leaving the ring: ${e.message}`));
  await Promise.race([left, new Promise((r) => setTimeout(r, LEAVE_MS))]);
}
