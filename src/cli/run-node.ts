/** `p2pterm node --headless`: a ring member driven through stdin/stdout. */
import { EventBus } from '../bus/event-bus.js';
import { formOwnRing, joinVnodes, vnodeRefs } from '../dht/vnode-group.js';
import { fileCommands } from '../files/file-commands.js';
import { type Peer, startPeer } from '../files/start-file-service.js';
import { printJson, runHeadless } from './headless.js';
import { nodeCommands, shutdownPeer } from './node-commands.js';
import type { NodeCliOptions } from './node-options.js';
import { peerOptionsOf } from './peer-options.js';
import { attachLogSink } from './log-options.js';
import { attachJsonProgress } from './json-progress.js';
import { attachStderrProgress } from './stderr-progress.js';
import { dataDirFor } from './temp-data-dir.js';

export async function runHeadlessNode(given: NodeCliOptions): Promise<void> {
  const o = { ...given, data: dataDirFor(given.port, given.data).data };
  const bus = new EventBus();
  const log = attachLogSink(bus, o);
  if (!o.quiet) attachStderrProgress(bus);
  attachJsonProgress(bus);
  const peer = await startOrExit(o, bus);
  const { node, files, vnodes } = peer;
  const snap = node.snapshot();
  printJson({ event: 'listening', id: snap.id, address: snap.address, vnodes: vnodeRefs(vnodes) });
  if (o.join) await joinOrExit(peer, o.join);
  else await formOwnRing(vnodes);
  await runHeadless({
    commands: { ...nodeCommands(node, vnodes), ...fileCommands(files) },
    ignoreStdin: o.daemon,
    shutdown: () => shutdownPeer(peer).finally(() => log.close()),
  });
}

/** The node with its file service, listening; exit code 2 when it cannot start. */
async function startOrExit(o: NodeCliOptions, bus: EventBus): Promise<Peer> {
  try {
    return await startPeer(peerOptionsOf(o, bus));
  } catch (e) {
    printStartError(e);
    process.exit(2);
  }
}

/** Joins through `address`; exit code 2 (after freeing the port) when the join fails. */
async function joinOrExit(peer: Peer, address: string): Promise<void> {
  try {
    await joinVnodes(peer.vnodes, address);
  } catch (e) {
    printStartError(e);
    await peer.stop();
    process.exit(2);
  }
}

function printStartError(e: unknown): void {
  process.stderr.write(`p2pterm: ${(e as Error).message}\n`);
}
