/**
 * The serving side: reads exactly one chunk of a local file with a positioned read, never
 * buffering more than that chunk. The index usually comes from the network: it is checked.
 *
 * Invariants:
 * - a read returns exactly chunkLength(manifest, index) bytes, in a buffer that owns its
 *   memory (it can be moved to a worker or handed to a socket without a copy).
 * - a file whose size differs from the manifest is refused (CHANGED): it is not what was
 *   announced. Content is not re-hashed here; the downloader verifies every chunk.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ChunkSource } from './download-session.js';
import { chunkLength, chunkOffset, type Manifest, spanLength } from './manifest.js';
import type { RateLimiter } from './rate-limiter.js';
import { readFully, readInto } from './read-fully.js';
import { MAX_SPAN_BYTES } from './transfer-constants.js';
import { abortError, TransferError } from './transfer-error.js';

/** Throws BAD_INDEX unless `index` is an integer chunk index of `m`. */
export function checkIndex(m: Manifest, index: unknown): number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= m.chunks.length) {
    throw new TransferError('BAD_INDEX', `no chunk ${String(index)} in ${m.name} (${m.chunks.length} chunks)`);
  }
  return index;
}

/** An open file served chunk by chunk. */
export class ChunkReader {
  private constructor(
    readonly manifest: Manifest,
    private readonly fh: FileHandle,
  ) {}

  /** Opens `path`, refusing it (CHANGED) when its size is not the manifest's. */
  static async open(path: string, manifest: Manifest): Promise<ChunkReader> {
    const fh = await open(path, 'r');
    const st = await fh.stat().catch(async (e: unknown) => (await fh.close(), Promise.reject(e)));
    if (!st.isFile() || st.size !== manifest.size) {
      await fh.close();
      throw new TransferError('CHANGED', `${path} is ${st.size} bytes, manifest says ${manifest.size}`);
    }
    return new ChunkReader(manifest, fh);
  }

  /** Chunk `index`, read from disk now. */
  async read(index: number): Promise<Buffer> {
    const i = checkIndex(this.manifest, index);
    return readFully(this.fh, chunkLength(this.manifest, i), chunkOffset(this.manifest, i));
  }

  /** Reads chunk `index` into `target`, which must be exactly the chunk's length. */
  async readInto(index: number, target: Uint8Array): Promise<void> {
    const i = checkIndex(this.manifest, index);
    const len = chunkLength(this.manifest, i);
    if (target.byteLength !== len) throw new RangeError(`chunk ${i} is ${len} bytes, target is ${target.byteLength}`);
    await readInto(this.fh, target, chunkOffset(this.manifest, i));
  }

  /**
   * Reads chunks `first` .. `first + count - 1` into `target`, which must be exactly their
   * length (see servedCount for a count a server should accept).
   */
  async readSpanInto(first: number, count: number, target: Uint8Array): Promise<void> {
    const i = checkIndex(this.manifest, first);
    checkIndex(this.manifest, i + count - 1);
    const len = spanLength(this.manifest, i, count);
    if (target.byteLength !== len)
      throw new RangeError(`chunks ${i}+${count} are ${len} bytes, target is ${target.byteLength}`);
    await readInto(this.fh, target, chunkOffset(this.manifest, i));
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * How many chunks from `first` (a checked index) a server sends for a request of `count`:
 * at least 1, at most to the end of the file and MAX_SPAN_BYTES.
 */
export function servedCount(m: Manifest, first: number, count = 1): number {
  const most = Math.max(1, Math.floor(MAX_SPAN_BYTES / m.chunkSize));
  return Math.max(1, Math.min(count, most, m.chunks.length - first));
}

/** Reads chunk `index` of the file at `path` (opens and closes the file). */
export async function readChunk(path: string, manifest: Manifest, index: number): Promise<Buffer> {
  checkIndex(manifest, index);
  const reader = await ChunkReader.open(path, manifest);
  try {
    return await reader.read(index);
  } finally {
    await reader.close();
  }
}

export interface FileChunkSourceOptions {
  /** Source id (default "file:" + path). */
  readonly id?: string;
  /** Upload limiter applied to every chunk served. */
  readonly limiter?: RateLimiter;
}

/** A ChunkSource serving a complete local file (a local seed; handy in tests). */
export class FileChunkSource implements ChunkSource {
  readonly id: string;
  private reader: Promise<ChunkReader> | null = null;

  constructor(
    readonly path: string,
    readonly manifest: Manifest,
    private readonly opts: FileChunkSourceOptions = {},
  ) {
    this.id = opts.id ?? `file:${path}`;
  }

  has(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.manifest.chunks.length;
  }

  async fetch(index: number, signal: AbortSignal): Promise<Uint8Array> {
    return (await this.ready(index, signal)).read(index);
  }

  /** Reads straight into `target`; settles only once the read no longer touches it. */
  async fetchInto(index: number, target: Uint8Array, signal: AbortSignal): Promise<void> {
    await (await this.ready(index, signal)).readInto(index, target);
  }

  private async ready(index: number, signal: AbortSignal): Promise<ChunkReader> {
    if (signal.aborted) throw abortError(signal);
    await this.opts.limiter?.take(chunkLength(this.manifest, checkIndex(this.manifest, index)), signal);
    this.reader ??= ChunkReader.open(this.path, this.manifest).catch((e: unknown) => {
      this.reader = null; // let a later fetch try again
      throw e;
    });
    return this.reader;
  }

  async close(): Promise<void> {
    const r = this.reader;
    this.reader = null;
    await (await r?.catch(() => null))?.close(); // a reader that failed to open has nothing to close
  }
}
