/**
 * Keeps this peer registered with a tracker: registers the node's address (its port also
 * answers P2P-CI GET), announces the shared folder with sizes and content hashes, and
 * re-announces after every change, reconnect or tracker restart.
 */
import type { EventBus } from '../bus/event-bus.js';
import { splitAddress } from '../transport/tcp-transport.js';
import { TrackerClient, type TrackerClientState } from '../tracker/tracker-client.js';
import type { AnnouncedFile, SearchMatch } from '../tracker/native-protocol.js';
import type { SharedFolder } from './shared-folder.js';

export class TrackerLink {
  readonly client: TrackerClient;
  private syncing: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    readonly address: string,
    private readonly nodeAddress: string,
    private readonly folder: SharedFolder,
    private readonly isShared: (name: string) => boolean,
    private readonly bus: EventBus,
  ) {
    this.client = new TrackerClient({
      address,
      log: (level, message) =>
        bus.emit('log:line', { at: Date.now(), level: level === 'debug' ? 'debug' : level, topic: 'tracker', message }),
    });
  }

  async start(): Promise<void> {
    this.client.on('state', (s) => this.publish(s));
    this.client.on('registered', () => void this.sync());
    this.folder.on('changed', () => void this.sync());
    this.publish('idle');
    const { host, port } = splitAddress(this.nodeAddress);
    // The client reconnects by itself: a tracker that is down now is not fatal.
    await this.client.connect().catch(() => {});
    await this.client.register(host, port).catch(() => {});
  }

  /** Announces the current folder (replacing what the tracker had), once at a time. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = this.syncNow().finally(() => {
      this.syncing = null;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.sync();
      }
    });
    return this.syncing;
  }

  search(text: string): Promise<SearchMatch[]> {
    return this.client.search(text);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client.close();
  }

  private async syncNow(): Promise<void> {
    const files: AnnouncedFile[] = [];
    for (const f of this.folder.list) {
      if (!this.isShared(f.name)) continue;
      const m = await this.folder.manifest(f.name).catch(() => null);
      if (m) files.push({ name: f.name, size: m.size, sha256: m.manifest.sha256 });
    }
    if (this.stopped) return;
    await this.client
      .sync(files)
      .catch((e) =>
        this.bus.emit('log:line', {
          at: Date.now(),
          level: 'warn',
          topic: 'tracker',
          message: `announce failed: ${(e as Error).message}`,
        }),
      );
    const peers = await this.client.list().catch(() => null);
    if (peers) {
      const online = new Set<string>();
      const offline = new Set<string>();
      for (const m of peers) for (const s of m.sources) (s.online ? online : offline).add(`${s.host}:${s.port}`);
      this.bus.emit('tracker:peers', {
        online: online.size,
        offline: [...offline].filter((x) => !online.has(x)).length,
      });
    }
  }

  publishState(): void {
    this.publish(this.client.state);
  }

  private publish(s: TrackerClientState | 'idle'): void {
    const state =
      s === 'connected' ? 'connected' : s === 'idle' ? 'connecting' : s === 'closed' ? 'off' : 'disconnected';
    this.bus.emit('tracker:state', { state, address: this.address });
  }
}
