/**
 * `p2pterm daemon`: a ring member (optionally with a tracker of its own) without a screen and
 * without reading stdin, run until SIGTERM/SIGINT or `p2pterm ctl stop`. Consoles attach to it
 * and one-shot commands reach it through its control socket (control-server.ts). It ignores
 * SIGHUP: the terminal it was started from may go away. On the way out it leaves the ring
 * gracefully (its keys handed over) and removes the socket.
 */
import { join } from 'node:path';
import { EventBus } from '../bus/event-bus.js';
import { formOwnRing, joinVnodes, vnodeRefs } from '../dht/vnode-group.js';
import { fileCommands } from '../files/file-commands.js';
import { type Peer, startPeer } from '../files/start-file-service.js';
import { TrackerServer } from '../tracker/tracker-server.js';
import { defaultTrackerDbPath } from '../tracker/tracker-main.js';
import { ControlServer } from './control-server.js';
import { pickSocket } from './control-socket-path.js';
import { EventHistory } from './event-history.js';
import { printJson, runHeadless } from './headless.js';
import { nodeCommands, shutdownPeer } from './node-commands.js';
import type { NodeCliOptions } from './node-options.js';
import { peerOptionsOf } from './peer-options.js';
import { attachLogSink } from './log-options.js';
import { dataDirFor } from './temp-data-dir.js';

export interface DaemonCliOptions extends NodeCliOptions {
  readonly name?: string;
  readonly socket?: string;
  /** Run a tracker in the daemon on this port (0: a free one); the node registers with it unless --tracker. */
  readonly serveTracker?: number;
  /** When --join fails: run on as a ring of one instead of exiting with code 2. */
  readonly allowAlone?: boolean;
}

export async function runDaemon(given: DaemonCliOptions): Promise<void> {
  const o = { ...given, data: dataDirFor(given.port, given.data).data };
  const bus = new EventBus();
  const history = new EventHistory();
  bus.onAny((name, payload) => history.record(name, payload));
  keepLoggingWithoutTerminal();
  const log = attachLogSink(bus, o);
  process.on('SIGHUP', () => bus.emit('log:line', logLine('info', 'hang-up ignored: the daemon keeps running')));
  const tracker = o.serveTracker === undefined ? null : await startTracker(o, bus);
  const peer = await startOrExit({ ...o, tracker: o.tracker ?? tracker?.address }, bus, tracker);
  const path = pickSocket(o);
  const commands = {
    ...nodeCommands(peer.node, peer.vnodes),
    ...fileCommands(peer.files),
    // The reply goes out first; SIGTERM then takes the one way out.
    stop: async () => (setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50), { stopping: true }),
  };
  const server = new ControlServer({ path, node: peer.node, commands, history });
  await serveOrExit(server, path, peer, tracker);
  const stopAll = async () => {
    await server.close();
    await shutdownPeer(peer);
    await tracker?.server.stop();
    await log.close();
  };
  if (o.join) await joinOrExit(peer, o.join, o.allowAlone === true, stopAll);
  else await formOwnRing(peer.vnodes);
  peer.files.publishState();
  const snap = peer.node.snapshot({ fingers: false });
  printJson({
    event: 'listening',
    id: snap.id,
    address: snap.address,
    socket: path,
    pid: process.pid,
    vnodes: vnodeRefs(peer.vnodes),
  });
  await runHeadless({
    commands,
    ignoreStdin: true,
    shutdown: stopAll,
  });
}

function logLine(level: 'info' | 'warn' | 'error', message: string) {
  return { at: Date.now(), level, topic: 'daemon', message };
}

/** stdout and stderr may be a terminal that went away: writing there must not end the daemon. */
function keepLoggingWithoutTerminal(): void {
  for (const s of [process.stdout, process.stderr])
    s.on('error', () => {
      // The reader is gone (EPIPE, EIO); the log also reaches attached consoles and --log-file.
    });
}

interface EmbeddedTracker {
  readonly server: TrackerServer;
  readonly address: string;
}

async function startTracker(o: DaemonCliOptions, bus: EventBus): Promise<EmbeddedTracker> {
  const dbPath = o.data ? join(o.data, 'tracker.db') : defaultTrackerDbPath();
  const server = new TrackerServer({
    host: o.host,
    port: o.serveTracker,
    dbPath,
    log: (level, message) => bus.emit('log:line', { at: Date.now(), level, topic: 'tracker', message }),
  });
  try {
    return { server, address: await server.start() };
  } catch (e) {
    process.stderr.write(`p2pterm: the tracker did not start: ${(e as Error).message}\n`);
    process.exit(2);
  }
}

async function startOrExit(o: NodeCliOptions, bus: EventBus, tracker: EmbeddedTracker | null): Promise<Peer> {
  try {
    return await startPeer(peerOptionsOf(o, bus));
  } catch (e) {
    process.stderr.write(`p2pterm: ${(e as Error).message}\n`);
    await tracker?.server.stop();
    process.exit(2);
  }
}

async function serveOrExit(
  server: ControlServer,
  path: string,
  peer: Peer,
  tracker: EmbeddedTracker | null,
): Promise<void> {
  try {
    await server.start();
  } catch (e) {
    process.stderr.write(`p2pterm: cannot open the control socket ${path}: ${(e as Error).message}\n`);
    await peer.stop();
    await tracker?.server.stop();
    process.exit(2);
  }
}

/**
 * Joins through `address`. A daemon whose bootstrap peer is down exits with code 2 and the reason
 * (a service alone on a ring of its own is rarely what was meant), unless --allow-alone.
 */
async function joinOrExit(peer: Peer, address: string, allowAlone: boolean, stopAll: () => Promise<void>) {
  try {
    await joinVnodes(peer.vnodes, address);
  } catch (e) {
    const why = `joining through ${address}: ${(e as Error).message}`;
    if (allowAlone) {
      peer.node.log('error', 'ring', `${why}; running alone (ctl join retries)`);
      return void (await formOwnRing(peer.vnodes));
    }
    process.stderr.write(`p2pterm: ${why} (--allow-alone keeps the daemon running alone)\n`);
    await stopAll().catch((err: Error) => process.stderr.write(`p2pterm: stopping: ${err.message}\n`));
    process.exit(2);
  }
}
