/** `p2pterm node --headless`: a ring member driven through stdin/stdout. */
import { fileCommands } from '../files/file-commands.js';
import { startPeer, type Peer } from '../files/start-file-service.js';
import { EventBus } from '../bus/event-bus.js';
import { printJson, runHeadless } from './headless.js';
import { nodeCommands, shutdownPeer } from './node-commands.js';
import type { NodeCliOptions } from './node-options.js';
import { attachStderrLog } from './stderr-log.js';

export async function runHeadlessNode(o: NodeCliOptions): Promise<void> {
  const bus = new EventBus();
  attachStderrLog(bus, o.verbose);
  let peer: Peer;
  try {
    peer = await startPeer({
      host: o.host,
      port: o.port,
      bits: o.bits,
      routing: o.routing,
      stabilizeMs: o.stabilizeMs,
      backoff: o.backoff,
      successors: o.successors,
      bus,
      dir: o.dir,
      dataDir: o.data,
      tracker: o.tracker,
    });
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
  await runHeadless({
    commands: { ...nodeCommands(node), ...fileCommands(files) },
    ignoreStdin: o.daemon,
    shutdown: () => shutdownPeer(peer),
  });
}
