/** `p2pterm node --headless`: a ring member driven through stdin/stdout. */
import { fileCommands } from '../files/file-commands.js';
import { startPeer, type Peer } from '../files/start-file-service.js';
import type { ChordNode } from '../dht/chord-node.js';
import { EventBus } from '../bus/event-bus.js';
import { P2pError } from '../wire/errors.js';
import { printJson, runHeadless, type CommandFn } from './headless.js';
import type { NodeCliOptions } from './node-options.js';
import { attachStderrLog } from './stderr-log.js';

export async function runHeadlessNode(o: NodeCliOptions): Promise<void> {
  const bus = new EventBus();
  attachStderrLog(bus, o.verbose);
  let peer: Peer;
  try {
    peer = await startPeer({ host: o.host, port: o.port, bits: o.bits, routing: o.routing, stabilizeMs: o.stabilizeMs, successors: o.successors, bus, dir: o.dir, dataDir: o.data, tracker: o.tracker });
  } catch (e) {
    process.stderr.write(`p2pterm: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const { node, files } = peer;
  const snap = node.snapshot();
  printJson({ event: 'listening', id: snap.id, address: snap.address });
  if (o.join) {
    try {
      await node.join(o.join);
    } catch (e) {
      process.stderr.write(`p2pterm: ${(e as Error).message}\n`);
      await peer.stop();
      process.exit(2);
    }
  }
  await runHeadless({ commands: { ...nodeCommands(node), ...fileCommands(files) }, ignoreStdin: o.daemon, shutdown: () => shutdownPeer(peer) });
}

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

async function leaveGracefully(node: ChordNode): Promise<void> {
  const s = node.snapshot({ fingers: false });
  const others = s.successors.some((n) => n.address !== s.address);
  if (s.inRing && others) await Promise.race([node.leave().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
}
