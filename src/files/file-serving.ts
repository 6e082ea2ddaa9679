/**
 * Serves the shared folder to p2pterm peers over the node's own connections: manifests by
 * name and chunks by (name, manifest id, index, count). Reads are positioned (no whole-file buffering)
 * and paced by the global upload limiter.
 */
import type { ChordNode } from '../dht/chord-node.js';
import { BufferPool } from '../transfer/buffer-pool.js';
import { checkIndex, ChunkReader, servedCount } from '../transfer/chunk-reader.js';
import { spanLength } from '../transfer/manifest.js';
import { RELEASE } from '../transport/transport.js';
import type { RateLimiter } from '../transfer/rate-limiter.js';
import { P2pError } from '../wire/errors.js';
import type { SharedFolder } from './shared-folder.js';
import { Choker } from './choker.js';
import { UploadPeersPublisher } from './upload-peers-publisher.js';

/**
 * Uploads served at once; beyond it the choker orders who goes next. Four, as BitTorrent's
 * upload slots (the choker's 3 reciprocation slots and its optimistic one): a downloader keeps
 * about four requests in flight per source, so with more places than that the requests of two
 * or three downloaders never queue and choking decides nothing.
 */
const UPLOADS_AT_ONCE = 4;
/** Open readers kept per manifest id, so a transfer does not reopen the file per chunk. */
const MAX_OPEN_READERS = 32;
/** Chunk buffers kept for reuse once their bytes are sent: 16 MiB. */
const SPARE_BUFFER_BYTES = 16 * 1024 * 1024;

export class FileServing {
  private readonly buffers = new BufferPool(SPARE_BUFFER_BYTES);
  private readonly readers = new Map<string, Promise<ChunkReader>>();
  /** Bytes served so far (for the console's upload figures). */
  bytesServed = 0;
  /** Who gets upload places first (peers that upload to us); see choker.ts. */
  readonly choker: Choker;
  /** The choker's decisions on the bus (`upload:peers`), throttled. */
  readonly publisher: UploadPeersPublisher;

  constructor(
    private readonly node: ChordNode,
    private readonly folder: SharedFolder,
    private readonly uploadLimiter: RateLimiter,
    private readonly isShared: (name: string) => boolean,
  ) {
    this.publisher = new UploadPeersPublisher(node.bus, () => this.choker.states());
    this.choker = new Choker({ concurrency: UPLOADS_AT_ONCE, onChange: () => this.publisher.changed() });
  }

  register(): void {
    this.node.handle('file_manifest', async ({ name }) => {
      this.requireShared(name);
      return { manifest: (await this.folder.manifest(name)).bytes as Uint8Array<ArrayBuffer> };
    });
    this.node.handle('file_chunk', async ({ name, manifest, index, count }, from) => {
      this.requireShared(name);
      // The place is held while the chunk is read and its upload bandwidth taken; not every
      // transport reports when the bytes are out (see RELEASE), so it is given back here.
      const peer = from.address ?? `client ${from.id}`;
      const done = await this.choker.acquire(peer, name);
      try {
        const served = await this.serveChunk(name, manifest, index, count);
        this.choker.sent(peer, served.data.length);
        return served;
      } finally {
        done();
      }
    });
  }

  /** Reads and returns a run of chunks. */
  private async serveChunk(name: string, manifest: string, index: number, count: number | undefined) {
    // An open reader for this manifest serves at once; a file changed since is caught by the
    // downloader's chunk check, and by the size check when a reader is (re)opened.
    let reader = this.readers.get(manifest);
    if (!reader) {
      const entry = await this.folder.manifest(name);
      if (entry.id !== manifest) throw new P2pError('CHANGED', `${name} changed since its manifest was fetched`);
      reader = this.reader(entry.id, this.folder.pathOf(name), entry.manifest);
    }
    const r = await reader;
    // A run of chunks (count > 1) is read and sent at once: one request instead of several.
    const n = servedCount(r.manifest, checkIndex(r.manifest, index), count);
    const data = this.buffers.acquire(spanLength(r.manifest, index, n));
    try {
      await r.readSpanInto(index, n, data);
      await this.uploadLimiter.take(data.length);
    } catch (e) {
      this.buffers.release(data);
      throw e;
    }
    this.bytesServed += data.length;
    return { data: data as Uint8Array<ArrayBuffer>, [RELEASE]: () => this.buffers.release(data) };
  }

  async close(): Promise<void> {
    this.publisher.close();
    const all = [...this.readers.values()];
    this.readers.clear();
    await Promise.all(all.map((p) => this.closeReader(p)));
  }

  /** Closes a reader once open; one that failed to open holds nothing (its requester saw why). */
  private closeReader(p: Promise<ChunkReader>): Promise<void> {
    return p.then(
      (r) => r.close(),
      () => undefined,
    );
  }

  private requireShared(name: string): void {
    if (!this.folder.has(name) || !this.isShared(name)) throw new P2pError('NOT_FOUND', `${name} is not shared here`);
  }

  private reader(id: string, path: string, manifest: Parameters<typeof ChunkReader.open>[1]): Promise<ChunkReader> {
    let r = this.readers.get(id);
    if (!r) {
      if (this.readers.size >= MAX_OPEN_READERS) {
        const [oldId, old] = this.readers.entries().next().value as [string, Promise<ChunkReader>];
        this.readers.delete(oldId);
        this.closeReader(old).catch((e: Error) => this.node.log('debug', 'files', `closing a reader: ${e.message}`));
      }
      r = ChunkReader.open(path, manifest);
      r.catch(() => this.readers.delete(id)); // reopened by the next request; this one sees the error
      this.readers.set(id, r);
    }
    return r;
  }
}
