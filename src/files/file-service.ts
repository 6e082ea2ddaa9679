/**
 * Everything a node does with files: the shared folder, serving it to peers, the replicated
 * ring store (put / get), the tracker link (share / unshare / search) and the transfer engine
 * that downloads from every source at once. Publishes files:*, transfer:* and tracker:* events.
 */
import { promises as fsp } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import type { EventBus } from '../bus/event-bus.js';
import type { FileEntry } from '../bus/events.js';
import type { ChordNode } from '../dht/chord-node.js';
import { DiskBlobStore } from '../store/disk-blob-store.js';
import { chunkKey, ringChunkSources } from '../store/ring-chunk-sources.js';
import type { RingStore } from '../store/ring-store.js';
import { VnodeStores } from '../store/vnode-stores.js';
import { HashPool } from '../transfer/hash-pool.js';
import { buildManifest, decodeManifest, encodeManifest, manifestId, type Manifest } from '../transfer/manifest.js';
import { readChunk } from '../transfer/chunk-reader.js';
import type { ChunkSource } from '../transfer/download-session.js';
import { TransferManager, type TransferManagerOptions } from '../transfer/transfer-manager.js';
import { safeFileName } from '../transfer/safe-name.js';
import { joinHostPort } from '../wire/address.js';
import { abortReason, P2pError, raceAbort } from '../wire/errors.js';
import { writeFileAtomic } from '../io/write-atomic.js';
import { fetchRfc } from '../tracker/fetch-rfc.js';
import type { SearchMatch } from '../tracker/native-protocol.js';
import { FileServing } from './file-serving.js';
import { PeerChunkSource } from './peer-chunk-source.js';
import { SharedFolder } from './shared-folder.js';
import { TrackerLink } from './tracker-link.js';
import type { ChokeState } from './choker.js';
import { publishPut, publishTransfers } from './transfer-events.js';
import { readSizes, resolveLocal } from './local-path.js';

export interface FileServiceOptions {
  /** The shared/download folder. */
  readonly dir: string;
  /** Where the node keeps its store and lists. */
  readonly dataDir: string;
  /** Copies of each ring key (default 3). */
  readonly replicas?: number;
  /** Tracker "host:port", if any. */
  readonly tracker?: string;
  /** Download/upload rate limits (bytes/s, 0 unlimited) and downloads at once (--max-down, --max-up, --max-transfers). */
  readonly limits?: Pick<TransferManagerOptions, 'downloadRateBps' | 'uploadRateBps' | 'maxConcurrent'>;
  /** Bytes one remote peer may store on this node through the ring store (0: no limit; default 16 GiB). */
  readonly storeQuota?: number;
  /** Chunk size for files put in the ring (default 256 KiB). */
  readonly chunkSize?: number;
  /** How often the tracker's peer list is refreshed (ms, default tracker-link's PEERS_REFRESH_MS). */
  readonly peersRefreshMs?: number;
  /** A private network's key: the tracker link is PSK TLS under it (the node's own links are set on its transport). */
  readonly networkKey?: Buffer;
  /** The process's other ring members (`--vnodes`): each gets a ring store over the same blob store. */
  readonly siblings?: readonly ChordNode[];
}

/** Per-call options of the file service. */
export interface FileCallOptions {
  /**
   * Ends the call early: it rejects with ABORTED (or the signal's reason if it is an Error).
   * Each step keeps its own time bound (RPC, tracker and download timeouts) as well.
   */
  readonly signal?: AbortSignal;
}

export interface FileResult {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

/** Chunks stored into the ring at once by `put`. */
const PUT_PARALLEL = 8;
/** Chunk requests in flight over all sources: keeps a link busy and memory bounded (× 256 KiB). */
const IN_FLIGHT = 16;
/** ... but never fewer than this per source. */
const MIN_PIPELINE = 4;

export class FileService {
  readonly folder: SharedFolder;
  readonly transfers: TransferManager;
  /** Member 0's ring store (puts and gets start there; the other members' stores serve their keys). */
  ring!: RingStore;
  private stores: VnodeStores | null = null;
  tracker: TrackerLink | null = null;
  private blobs!: DiskBlobStore;
  private readonly hashPool = new HashPool();
  private readonly serving: FileServing;
  private readonly bus: EventBus;
  private unshared = new Set<string>();
  private inRing = new Set<string>();
  /** Sizes of the files put from outside the shared folder (the folder knows its own). */
  private ringSizes = new Map<string, number>();
  private readonly downloading = new Set<string>();

  constructor(
    readonly node: ChordNode,
    private readonly opts: FileServiceOptions,
  ) {
    this.bus = node.bus;
    this.folder = new SharedFolder(opts.dir, this.hashPool, (level, topic, message) => node.log(level, topic, message));
    this.transfers = new TransferManager({ ...opts.limits, hashPool: this.hashPool });
    this.serving = new FileServing(node, this.folder, this.transfers.uploadLimiter, (n) => !this.unshared.has(n));
  }

  /** Opens the store and starts serving; call before the node joins a ring. */
  async start(): Promise<void> {
    await fsp.mkdir(this.opts.dataDir, { recursive: true });
    this.unshared = new Set(await this.readList('unshared.json'));
    this.inRing = new Set(await this.readList('ring-files.json'));
    this.ringSizes = await readSizes(join(this.opts.dataDir, 'ring-sizes.json'), (m) =>
      this.node.log('warn', 'files', m),
    );
    this.blobs = await DiskBlobStore.open(join(this.opts.dataDir, 'store'));
    this.stores = new VnodeStores([this.node, ...(this.opts.siblings ?? [])], this.blobs, {
      replicas: this.opts.replicas,
      quotaBytesPerPeer: this.opts.storeQuota,
    });
    this.ring = this.stores.first;
    this.stores.start();
    this.serving.register();
    publishTransfers(this.transfers, this.bus, this.downloading, () => this.publishFiles());
    this.folder.on('changed', () => this.publishFiles());
    await this.folder.start();
    if (this.opts.tracker) {
      this.tracker = new TrackerLink(
        this.opts.tracker,
        this.node.self.address,
        this.folder,
        (n) => !this.unshared.has(n),
        this.bus,
        this.opts.peersRefreshMs,
        this.opts.networkKey,
      );
      await this.tracker.start();
    }
    this.publishFiles();
  }

  /** Peers asking us for chunks: who is choked and why (fair sharing, see choker.ts). */
  uploadPeers(): ChokeState[] {
    return this.serving.choker.states();
  }

  async stop(): Promise<void> {
    this.folder.stop();
    await this.tracker?.stop();
    await this.stores?.stop();
    await this.serving.close();
    await this.transfers.close();
    await this.hashPool.close();
    await this.blobs?.close();
  }

  /** Stores a file in the ring: every chunk at its holders, then the manifest under the file name. */
  async put(path: string, opts: FileCallOptions = {}): Promise<FileResult> {
    const { signal } = opts;
    const src = await this.localPath(path);
    const name = safeFileName(basename(src));
    const building = buildManifest(src, { name, chunkSize: this.opts.chunkSize, hashPool: this.hashPool });
    const manifest = await raceAbort(building, signal, `put of ${name}`);
    const up = publishPut(this.bus, name, manifest.size);
    let next = 0;
    const worker = async () => {
      while (next < manifest.chunks.length) {
        if (signal?.aborted) throw abortReason(signal, `put of ${name}`);
        const i = next++;
        const chunk = await readChunk(src, manifest, i);
        await this.ring.put(chunkKey(manifest.chunks[i]!), chunk, 'chunk', { signal });
        up.stored(chunk.length);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(PUT_PARALLEL, manifest.chunks.length) }, worker));
      await this.ring.put(name, encodeManifest(manifest), 'manifest', { signal });
    } catch (e) {
      up.end(e);
      throw e;
    }
    up.end();
    this.inRing.add(name);
    this.ringSizes.set(name, manifest.size);
    await this.writeList('ring-files.json', this.inRing);
    await writeFileAtomic(
      join(this.opts.dataDir, 'ring-sizes.json'),
      JSON.stringify(Object.fromEntries(this.ringSizes)),
    );
    this.publishFiles();
    return { name, size: manifest.size, sha256: manifest.sha256 };
  }

  /**
   * Downloads NAME from every source that has it: the ring's holders and the tracker's online
   * p2pterm peers (all verified against one manifest), or else a plain P2P-CI peer.
   */
  async get(
    name: string,
    outPath?: string,
    opts: FileCallOptions = {},
  ): Promise<FileResult & { path: string; resumedChunks?: number }> {
    const { signal } = opts;
    safeFileName(name);
    const out = outPath ? resolve(outPath) : resolve(this.opts.dir, name);
    const [dir, outName] = [dirname(out), safeFileName(basename(out))];
    await fsp.mkdir(dir, { recursive: true });
    const ringManifest = await this.ring
      .get(name, { signal })
      .then(decodeManifest, this.noSource(`${name} in the ring`, null, signal));
    const matches = this.tracker
      ? await this.tracker
          .search(name, { signal })
          .then((m) => m.filter((x) => x.name === name), this.noSource(`${name} on the tracker`, [], signal))
      : [];
    const peers = await this.peerSources(name, matches, ringManifest, signal);
    const manifest = ringManifest ?? peers.manifest;
    if (!manifest) return this.getFromP2pci(name, matches, out, signal);
    const sources: ChunkSource[] = [
      ...(ringManifest ? ringChunkSources(this.ring, manifest.chunks) : []),
      ...peers.sources,
    ];
    const pipeline = Math.max(MIN_PIPELINE, Math.ceil(IN_FLIGHT / Math.max(1, sources.length)));
    const r = await this.transfers.download({ manifest, dir, outName, sources, pipeline }, signal);
    await this.folder.rescan();
    return { name, path: r.path, size: r.size, sha256: r.sha256, resumedChunks: r.resumedChunks };
  }

  keys(): {
    primary: number;
    replica: number;
    keys: { key: string; kind: string; role: string; size: number; vnode?: number }[];
    truncated: boolean;
  } {
    const k = this.stores!.keys(1000);
    return {
      primary: k.primary,
      replica: k.replica,
      keys: k.entries.map((e) => ({ key: e.key, kind: e.kind, role: e.role, size: e.size, vnode: e.vnode })),
      truncated: k.truncated,
    };
  }

  /**
   * Adds a file to the shared folder and announces it. An abort ends the wait for the
   * announcement; the file stays shared and is announced anyway.
   */
  async share(path: string, opts: FileCallOptions = {}): Promise<FileResult> {
    const name = await this.folder.add(await this.localPath(path));
    this.unshared.delete(name);
    await this.writeList('unshared.json', this.unshared);
    const m = await raceAbort(this.folder.manifest(name), opts.signal, `share of ${name}`);
    await this.announce(`share of ${name}`, opts.signal);
    this.publishFiles();
    return { name, size: m.size, sha256: m.manifest.sha256 };
  }

  /** Stops sharing a file (it stays on disk) and tells the tracker (an abort ends only the wait). */
  async unshare(name: string, opts: FileCallOptions = {}): Promise<{ name: string }> {
    if (!this.folder.has(name)) throw new P2pError('NOT_FOUND', `no shared file named ${name}`);
    this.unshared.add(name);
    await this.writeList('unshared.json', this.unshared);
    await this.announce(`unshare of ${name}`, opts.signal);
    this.publishFiles();
    return { name };
  }

  async search(text: string, opts: FileCallOptions = {}): Promise<SearchMatch[]> {
    if (!this.tracker) throw new P2pError('NO_TRACKER', 'no tracker configured: start with --tracker HOST:PORT');
    return this.tracker.search(text, opts);
  }

  /** The folder as the console shows it. */
  entries(): FileEntry[] {
    const out: FileEntry[] = this.folder.list.map((f) => ({
      name: f.name,
      size: f.size,
      states: this.statesOf(f.name, true),
    }));
    for (const name of this.inRing)
      if (!this.folder.has(name))
        out.push({ name, size: this.ringSizes.get(name) ?? 0, states: this.statesOf(name, false) });
    return out;
  }

  private statesOf(name: string, local: boolean): FileEntry['states'] {
    const states: FileEntry['states'][number][] = local ? ['local'] : [];
    if (local && this.tracker && !this.unshared.has(name)) states.push('shared');
    if (this.inRing.has(name)) states.push('ring');
    if (this.downloading.has(name)) states.push('downloading');
    return states;
  }

  /** Publishes the current files and tracker state (for a console attached after start). */
  publishState(): void {
    this.publishFiles();
    this.serving.publisher.publishState();
    this.tracker?.publishState();
  }

  /**
   * Where a `put`/`share` argument points: a bare name is a file of the shared folder (the
   * folder the console shows), else of the current directory; any other path is as given.
   */
  private localPath(path: string): Promise<string> {
    return resolveLocal(path, this.opts.dir);
  }

  /** Waits (until `signal` aborts) for the tracker to learn the current folder, if there is a tracker. */
  private async announce(what: string, signal: AbortSignal | undefined): Promise<void> {
    if (this.tracker) await raceAbort(this.tracker.sync(), signal, what);
  }

  /**
   * A failed lookup for sources (`fallback` instead): not found, or a peer or tracker that did
   * not answer, only means one source fewer and is logged; an abort still rejects.
   */
  private noSource<T>(what: string, fallback: T, signal: AbortSignal | undefined): (e: Error) => T {
    return (e) => {
      if (signal?.aborted) throw e;
      this.node.log('debug', 'files', `no source: ${what}: ${e.message}`);
      return fallback;
    };
  }

  private publishFiles(): void {
    if (this.bus.wants('files:changed')) this.bus.emit('files:changed', { files: this.entries() });
  }

  /** Online p2pterm peers with the file, checked against one manifest (the ring's if known). */
  private async peerSources(
    name: string,
    matches: readonly SearchMatch[],
    want: Manifest | null,
    signal: AbortSignal | undefined,
  ): Promise<{ manifest: Manifest | null; sources: ChunkSource[] }> {
    const self = this.node.self.address;
    const addrs = [
      ...new Set(
        matches.flatMap((m) =>
          m.sources.filter((s) => s.online && s.kind === 'p2pterm').map((s) => joinHostPort(s.host, s.port)),
        ),
      ),
    ].filter((a) => a !== self);
    let manifest = want;
    const sources: ChunkSource[] = [];
    const fetched = await Promise.all(
      addrs.map((a) =>
        this.node
          .request(a, 'file_manifest', { name }, { timeoutMs: 5_000, signal })
          .then((r) => ({ a, m: decodeManifest(r.manifest) }), this.noSource(`${name} at ${a}`, null, signal)),
      ),
    );
    for (const f of fetched) {
      if (!f) continue;
      manifest ??= f.m;
      if (manifestId(f.m) !== manifestId(manifest)) continue;
      const credit = (bytes: number) => this.serving.choker.received(f.a, bytes);
      sources.push(new PeerChunkSource(this.node, f.a, name, manifestId(f.m), credit));
    }
    return { manifest, sources };
  }

  private async getFromP2pci(
    name: string,
    matches: readonly SearchMatch[],
    out: string,
    signal: AbortSignal | undefined,
  ): Promise<FileResult & { path: string }> {
    const rfc = matches.find((m) => m.rfc !== null);
    const src = rfc?.sources.find((s) => s.online);
    if (!rfc || !src)
      throw new P2pError(
        'NOT_FOUND',
        `${name} was not found in the ring${this.tracker ? ' nor on any online peer' : ''}`,
      );
    const r = await fetchRfc(src.host, src.port, rfc.rfc!, out, { signal });
    const sha256 = await this.hashPool.fileDigest(r.path).digest(r.bytes);
    await this.folder.rescan();
    return { name, path: r.path, size: r.bytes, sha256 };
  }

  /** A list written by `writeList`; empty when there is none yet, or (logged) when it is unreadable. */
  private async readList(file: string): Promise<string[]> {
    const path = join(this.opts.dataDir, file);
    try {
      const v: unknown = JSON.parse(await fsp.readFile(path, 'utf8'));
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.node.log('warn', 'files', `ignoring ${path}, starting with an empty list: ${(e as Error).message}`);
      return [];
    }
  }

  private async writeList(file: string, set: ReadonlySet<string>): Promise<void> {
    await writeFileAtomic(join(this.opts.dataDir, file), JSON.stringify([...set]));
  }
}
