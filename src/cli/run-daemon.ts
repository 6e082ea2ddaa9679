/**
 * `p2pterm daemon`: a ring member (optionally with a tracker of its own) without a screen and
 * without reading stdin, run until SIGTERM/SIGINT or `p2pterm ctl stop`. Consoles attach to it
 * and one-shot commands reach it through its control socket (control-server.ts). It ignores
 * SIGHUP: the terminal it was started from may go away. On the way out it leaves the ring
 * gracefully (its keys handed over) and removes the socket.
 */
import { join } from 'node:path';
import { EventBus } from '../bus/event-bus.js';
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
import { limitsOf } from './rate-option.js';
import { attachStderrLog } from './stderr-log.js';

export interface DaemonCliOptions extends NodeCliOptions {
  readonly name?: string;
  readonly socket?: string;
  /** Run a tracker in the daemon on this port (0: a free one); the node registers with it unless --tracker. */
  readonly serveTracker?: number;
}

export async function runDaemon(o: DaemonCliOptions): Promise<void> {
  const bus = new EventBus();
  const history = new EventHistory();
  bus.onAny((name, payload) => history.record(name, payload));
  keepLoggingWithoutTerminal();
  attachStderrLog(bus, o.verbose);
  process.on('SIGHUP', () => bus.emit('log:line', logLine('info', 'hang-up ignored: the daemon keeps running')));
  const tracker = o.serveTracker === undefined ? null : await startTracker(o, bus);
  const peer = await startOrExit({ ...o, tracker: o.tracker ?? tracker?.address }, bus, tracker);
  const path = pickSocket(o);
  const commands = {
    ...nodeCommands(peer.node),
    ...fileCommands(peer.files),
    // The reply goes out first; SIGTERM then takes the one way out.
    stop: async () => (setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50), { stopping: true }),
  };
  const server = new ControlServer({ path, node: peer.node, commands, history });
  await serveOrExit(server, path, peer, tracker);
  peer.files.publishState();
  const snap = peer.node.snapshot({ fingers: false });
  printJson({ event: 'listening', id: snap.id, address: snap.address, socket: path, pid: process.pid });
  await runHeadless({
    commands,
    ignoreStdin: true,
    shutdown: async () => {
      await server.close();
      await shutdownPeer(peer);
      await tracker?.server.stop();
    },
  });
  if (o.join) await joinOrLog(peer, o.join);
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
    return await startPeer({
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
      networkKey: o.networkKey,
      limits: limitsOf(o),
    });
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

/** A daemon whose bootstrap peer is down keeps running as a ring of one (`ctl join` can retry). */
async function joinOrLog(peer: Peer, address: string): Promise<void> {
  try {
    await peer.node.join(address);
  } catch (e) {
    peer.node.log('error', 'ring', `joining through ${address}: ${(e as Error).message}`);
  }
}
