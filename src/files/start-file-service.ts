/** Starts a TCP node with its file service: the order matters (store before join, P2P-CI on the node's port). */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChordNode } from '../dht/chord-node.js';
import { stopVnodes } from '../dht/vnode-group.js';
import { UploadServer } from '../tracker/upload-server.js';
import { FileService } from './file-service.js';
import { startPeerNode, type PeerNode, type PeerOptions } from './peer-node.js';

export type { PeerOptions } from './peer-node.js';

export interface Peer {
  readonly node: ChordNode;
  /** Every ring member of the process (`--vnodes`), `node` first. */
  readonly vnodes: readonly ChordNode[];
  readonly files: FileService;
  stop(): Promise<void>;
}

/** `${XDG_DATA_HOME:-~/.local/share}/p2pterm/nodes/<host>_<port>`. */
export function defaultDataDir(address: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'p2pterm', 'nodes', address.replace(/[^A-Za-z0-9.-]/g, '_'));
}

export async function startPeer(opts: PeerOptions): Promise<Peer> {
  return attachFiles(await startPeerNode(opts));
}

/** The second half: the upload server on the node's port and the file service (before any join). */
export async function attachFiles({ node, vnodes, opts, slot }: PeerNode): Promise<Peer> {
  const bus = opts.bus;
  const upload = new UploadServer({
    dir: resolve(opts.dir),
    log: (level, message) =>
      bus.emit('log:line', { at: Date.now(), level: level === 'debug' ? 'debug' : level, topic: 'p2p-ci', message }),
  });
  await mkdir(resolve(opts.dir), { recursive: true });
  await upload.prepare();
  slot.target = upload;
  const files = new FileService(node, {
    dir: opts.dir,
    dataDir: opts.dataDir ?? defaultDataDir(node.self.address),
    tracker: opts.tracker,
    replicas: opts.replicas,
    limits: opts.limits,
    storeQuota: opts.storeQuota,
    networkKey: opts.networkKey,
    siblings: vnodes.slice(1),
  });
  try {
    await files.start();
  } catch (e) {
    await stopVnodes(vnodes);
    throw e;
  }
  return {
    node,
    vnodes,
    files,
    async stop() {
      await files.stop();
      await upload.stop();
      await stopVnodes(vnodes);
    },
  };
}
