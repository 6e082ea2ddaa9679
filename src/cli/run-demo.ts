/**
 * `npm start` / `p2pterm demo`: the console on a live local setup with no other input — an
 * embedded tracker and a small ring of local peers, a few sample files shared with the tracker
 * and stored in the ring, and a first download — all under one temporary folder that is
 * removed on the way out, together with every peer and port.
 */
import { DEFAULT_BACKOFF } from '../core/constants.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPeer, type Peer } from '../files/start-file-service.js';
import { TrackerServer } from '../tracker/tracker-server.js';
import type { NodeCliOptions } from './node-options.js';
import type { ConsoleApp } from '../tui/app.js';
import { runConsole } from './run-console.js';

export interface DemoOptions {
  /** Peers besides the console's own node (default 5). */
  readonly peers: number;
  readonly bits: number;
  readonly port: number;
  readonly theme?: string;
}

const SAMPLES: Record<string, () => Buffer> = {
  'rfc2549.txt': () => Buffer.from('IP over Avian Carriers with Quality of Service\n'.repeat(200)),
  'chord-notes.md': () =>
    Buffer.from('# Chord\n\nsuccessor(k) owns key k; fingers halve the distance each hop.\n'.repeat(100)),
  'ring-photo.raw': () => randomBytes(3 * 1024 * 1024),
  'dataset.bin': () => randomBytes(12 * 1024 * 1024),
};

export async function runDemo(o: DemoOptions): Promise<void> {
  const setup = new DemoSetup(mkdtempSync(join(tmpdir(), 'p2pterm-demo-')));
  try {
    const trackerAddress = await setup.startTracker();
    await setup.startPeers(o, trackerAddress);
    await seedFiles(setup.root, setup.peers);
    // The demo's folders are temporary: keep them out of the user's remembered settings.
    process.env.P2PTERM_CONFIG_DIR ??= join(setup.root, 'config');
    await runConsole(consoleOptions(o, setup, trackerAddress), {
      theme: o.theme,
      explicit: new Set(),
      cleanup: () => setup.cleanup(),
      afterStart: firstDownload,
    });
  } catch (e) {
    await setup.cleanup();
    throw e;
  }
}

/** The tracker and the local peers, all under one temporary folder. */
class DemoSetup {
  readonly peers: Peer[] = [];
  private tracker: TrackerServer | null = null;

  constructor(readonly root: string) {}

  startTracker(): Promise<string> {
    this.tracker = new TrackerServer({
      host: '127.0.0.1',
      port: 0,
      dbPath: join(this.root, 'tracker.db'),
      livenessMs: 5_000,
    });
    return this.tracker.start();
  }

  async startPeers(o: DemoOptions, tracker: string): Promise<void> {
    for (let i = 0; i < o.peers; i++) {
      const dir = join(this.root, `peer-${i}`);
      mkdirSync(dir);
      const peer = await startPeer({
        port: 0,
        bits: o.bits,
        stabilizeMs: 500,
        dir,
        dataDir: join(this.root, `data-${i}`),
        tracker,
      });
      if (i > 0) await peer.node.join(this.peers[0]!.node.self.address);
      this.peers.push(peer);
    }
  }

  /** Stops every peer and the tracker, then removes the folder. */
  async cleanup(): Promise<void> {
    // Best effort: whatever fails to stop goes away with the process and its folder right after.
    await Promise.all(this.peers.map((p) => p.stop().catch(() => undefined)));
    // The same for the tracker: its database is in the folder removed next.
    await this.tracker?.stop().catch(() => undefined);
    rmSync(this.root, { recursive: true, force: true });
  }
}

function consoleOptions(o: DemoOptions, setup: DemoSetup, tracker: string): NodeCliOptions {
  return {
    host: '127.0.0.1',
    port: o.port,
    join: setup.peers[0]!.node.self.address,
    bits: o.bits,
    routing: 'chord',
    stabilizeMs: 500,
    backoff: DEFAULT_BACKOFF,
    successors: 8,
    vnodes: 1,
    dir: join(setup.root, 'console'),
    data: join(setup.root, 'console-data'),
    tracker,
    headless: false,
    daemon: false,
    verbose: false,
  };
}

/** Once the console is up: a first download, then a lookup, as if typed. */
function firstDownload(app: ConsoleApp): void {
  const quiet = { quiet: true };
  setTimeout(
    () => void app.runCommand('get dataset.bin', quiet).then(() => app.runCommand('lookup chord-notes.md', quiet)),
    1500,
  ).unref();
}

/** Shares every sample with the tracker from some peer, and stores two of them in the ring. */
async function seedFiles(root: string, peers: readonly Peer[]): Promise<void> {
  const names = Object.keys(SAMPLES);
  for (const [i, name] of names.entries()) {
    const src = join(root, name);
    writeFileSync(src, SAMPLES[name]!());
    await peers[i % peers.length]!.files.share(src);
    if (i % 2 === 1) await peers[(i + 1) % peers.length]!.files.put(src);
  }
}
