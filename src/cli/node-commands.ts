/** The ring member's headless commands, and leaving cleanly on the way out (shared by every front end). */
import type { ChordNode } from '../dht/chord-node.js';
import type { Peer } from '../files/start-file-service.js';
import { P2pError } from '../wire/errors.js';
import type { CommandFn } from '../commands/command-fn.js';

/** The headless command set for a ring member. */
export function nodeCommands(node: ChordNode): Record<string, CommandFn> {
  return {
    state: async () => stateReply(node),
    join: async ([addr]) => {
      if (!addr) throw new P2pError('USAGE', 'usage: join HOST:PORT');
      await node.join(addr);
      return stateReply(node);
    },
    lookup: async (args) => {
      if (args.length === 0) throw new P2pError('USAGE', 'usage: lookup KEY');
      const r = await node.lookup(args.join(' '));
      return { key: r.key, owner: r.owner, hops: r.hops, path: r.path, ms: r.ms };
    },
    leave: async () => {
      await node.leave();
      return {};
    },
    pause: async () => (node.stabilization.pause(), {}),
    resume: async () => (node.stabilization.resume(), {}),
    step: async () => (await node.stabilization.step(), stateReply(node)),
  };
}

function stateReply(node: ChordNode): Record<string, unknown> {
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
  };
}

/** Leaves gracefully when part of a larger ring (bounded), then frees the port. */
export async function shutdownNode(node: ChordNode): Promise<void> {
  await leaveGracefully(node);
  await node.stop();
}

/** The same for a node with its file service: keys are handed on before the store closes. */
export async function shutdownPeer(peer: Peer): Promise<void> {
  await leaveGracefully(peer.node);
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
