/** Starts a TCP node with its file service: the order matters (store before join, P2P-CI on the node's port). */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Socket } from 'node:net';
import { EventBus } from '../bus/event-bus.js';
import { createTcpNode, type TcpNodeOptions } from '../dht/create-tcp-node.js';
import type { ChordNode } from '../dht/chord-node.js';
import { UploadServer } from '../tracker/upload-server.js';
import { FileService } from './file-service.js';

export interface PeerOptions extends TcpNodeOptions {
  readonly dir: string;
  readonly dataDir?: string;
  readonly tracker?: string;
  readonly replicas?: number;
}

export interface Peer {
  readonly node: ChordNode;
  readonly files: FileService;
  stop(): Promise<void>;
}

/** `${XDG_DATA_HOME:-~/.local/share}/p2pterm/nodes/<host>_<port>`. */
export function defaultDataDir(address: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'p2pterm', 'nodes', address.replace(/[^A-Za-z0-9.-]/g, '_'));
}

export async function startPeer(opts: PeerOptions): Promise<Peer> {
  const bus = opts.bus ?? new EventBus();
  const upload = new UploadServer({
    dir: resolve(opts.dir),
    log: (level, message) => bus.emit('log:line', { at: Date.now(), level: level === 'debug' ? 'debug' : level, topic: 'p2p-ci', message }),
  });
  await mkdir(resolve(opts.dir), { recursive: true });
  await upload.prepare();
  // A P2P-CI download starts with "GET "; p2pterm frames start with a 4-byte length.
  const alternate = { match: (first: Buffer) => first.subarray(0, 4).toString('latin1') === 'GET ', accept: (s: Socket, first: Buffer) => upload.acceptSocket(s, first) };
  const node = await createTcpNode({ ...opts, bus, alternate });
  const files = new FileService(node, { dir: opts.dir, dataDir: opts.dataDir ?? defaultDataDir(node.self.address), tracker: opts.tracker, replicas: opts.replicas });
  try {
    await files.start();
  } catch (e) {
    await node.stop();
    throw e;
  }
  return {
    node,
    files,
    async stop() {
      await files.stop();
      await upload.stop();
      await node.stop();
    },
  };
}
