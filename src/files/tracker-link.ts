/**
 * Keeps this peer registered with a tracker: registers the node's address (its port also
 * answers P2P-CI GET), announces the shared folder with sizes and content hashes, and
 * re-announces after every change, reconnect or tracker restart.
 */
import type { EventBus } from '../bus/event-bus.js';
import type { LogLevel } from '../core/log.js';
import { joinHostPort, splitAddress } from '../wire/address.js';
import { TrackerClient, type TrackerCallOptions, type TrackerClientState } from '../tracker/tracker-client.js';
import type { AnnouncedFile, SearchMatch } from '../tracker/native-protocol.js';
import type { SharedFolder } from './shared-folder.js';

/** How often the peer list is asked for again while connected (ms): peers go offline without telling us. */
export const PEERS_REFRESH_MS = 5_000;

export class TrackerLink {
  readonly client: TrackerClient;
  private syncing: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private refresh: NodeJS.Timeout | null = null;

  constructor(
    readonly address: string,
    private readonly nodeAddress: string,
    private readonly folder: SharedFolder,
    private readonly isShared: (name: string) => boolean,
    private readonly bus: EventBus,
    private readonly refreshMs = PEERS_REFRESH_MS,
    networkKey?: Buffer,
  ) {
    this.client = new TrackerClient({ address, networkKey, log: (level, message) => this.log(level, message) });
  }

  async start(): Promise<void> {
    this.client.on('state', (s) => this.publish(s));
    this.client.on('registered', () => void this.sync());
    this.folder.on('changed', () => void this.sync());
    this.publish('idle');
    this.refresh = setInterval(() => {
      if (this.client.state === 'connected' && !this.syncing) void this.refreshPeers();
    }, this.refreshMs);
    this.refresh.unref();
    const { host, port } = splitAddress(this.nodeAddress);
    // A tracker that is down now is not fatal: the node works without it, and keeps trying.
    await this.client
      .connect({ keepTrying: true })
      .catch((e: Error) => this.log('warn', `cannot reach tracker ${this.address} (trying again): ${e.message}`));
    await this.client
      .register(host, port)
      .catch((e: Error) => this.log('debug', `registering with tracker ${this.address} failed: ${e.message}`));
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

  search(text: string, opts: TrackerCallOptions = {}): Promise<SearchMatch[]> {
    return this.client.search(text, opts);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.refresh) clearInterval(this.refresh);
    await this.client.close();
  }

  private async syncNow(): Promise<void> {
    const files: AnnouncedFile[] = [];
    for (const f of this.folder.list) {
      if (!this.isShared(f.name)) continue;
      const m = await this.folder.manifest(f.name).catch((e: Error) => {
        this.log('debug', `not announcing ${f.name}: ${e.message}`); // gone or unreadable since the listing
        return null;
      });
      if (m) files.push({ name: f.name, size: m.size, sha256: m.manifest.sha256 });
    }
    if (this.stopped) return;
    await this.client.sync(files).catch((e: Error) => this.log('warn', `announce failed: ${e.message}`));
    await this.refreshPeers();
  }

  /** Asks the tracker which peers it knows (those with files) and publishes them, online first. */
  private async refreshPeers(): Promise<void> {
    const matches = await this.client.list().catch((e: Error) => {
      this.log('debug', `peer list not refreshed: ${e.message}`);
      return null;
    });
    if (!matches || this.stopped) return;
    const online = new Set<string>();
    const offline = new Set<string>();
    for (const m of matches) for (const s of m.sources) (s.online ? online : offline).add(joinHostPort(s.host, s.port));
    for (const a of online) offline.delete(a);
    this.bus.emit('tracker:peers', {
      online: online.size,
      offline: offline.size,
      peers: [
        ...[...online].sort().map((address) => ({ address, online: true })),
        ...[...offline].sort().map((address) => ({ address, online: false })),
      ],
    });
  }

  publishState(): void {
    this.publish(this.client.state);
  }

  private log(level: LogLevel, message: string): void {
    this.bus.emit('log:line', { at: Date.now(), level, topic: 'tracker', message });
  }

  private publish(s: TrackerClientState | 'idle'): void {
    const state =
      s === 'connected' ? 'connected' : s === 'idle' ? 'connecting' : s === 'closed' ? 'off' : 'disconnected';
    this.bus.emit('tracker:state', { state, address: this.address });
  }
}
