/**
 * A download in progress on disk: chunks are written at their offsets into `NAME.part`, and
 * which chunks are verified is kept in the sidecar `NAME.part.state` so a killed download
 * resumes. `commit()` renames the part to `NAME` only after the whole-file SHA-256 matched.
 *
 * Invariants:
 * - a file never appears under its final name unless complete and its whole-file SHA-256
 *   matched the manifest (rename is atomic, after fdatasync of the data).
 * - the state file only claims chunks whose bytes were fdatasync'ed before it was written, and
 *   it is replaced atomically (write tmp, fsync, rename, fsync dir); a state for another
 *   manifest, or for a part of the wrong size, is ignored.
 * - every path used is resolveInside(dir, ...): nothing is written outside the directory; the
 *   part and state files are opened with O_NOFOLLOW.
 * - resumed chunks are trusted until the whole-file check; if that fails, reverify() re-hashes
 *   each chunk on disk and unmarks the bad ones for refetch.
 * - data is written one write at a time (see serialWrite), runs of chunks in one call.
 */
import { constants } from 'node:fs';
import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { readFully, writeFully } from './read-fully.js';
import type { FileDigest } from './file-digest.js';
import type { HashPool } from './hash-pool.js';
import { chunkLength, chunkOffset, manifestId, type Manifest, spanLength } from './manifest.js';
import { resolveInside, safeFileName, truncateUtf8 } from './safe-name.js';
import { CHECKPOINT_BYTES, MAX_NAME_BYTES } from './transfer-constants.js';
import { TransferError } from './transfer-error.js';
import { syncDir, writeFileAtomic } from '../io/write-atomic.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const OPEN_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW;
const stateSchema = z.object({ v: z.literal(1), id: z.string(), bits: z.string() });

export interface PartFileOptions {
  /** Directory the file is downloaded into. */
  readonly dir: string;
  /** Final file name (checked with safeFileName). */
  readonly name: string;
  readonly manifest: Manifest;
  /** Hashes the whole file as it is written, and re-verifies chunks on disk when needed. */
  readonly hashPool: HashPool;
  /** Make the resume state durable after this many new bytes (default 64 MiB). */
  readonly checkpointBytes?: number;
  /**
   * When the whole-file SHA-256 is checked before commit: 'always' (default), or 'resumed':
   * only when chunks were resumed from disk (chunks verified in this run are not re-hashed).
   */
  readonly wholeFileCheck?: WholeFileCheck;
}

export type WholeFileCheck = 'always' | 'resumed';

export class PartFile {
  /** Chunks the state file claimed when opened. */
  resumedChunks = 0;
  /** Whether commit() requires verifyWhole() first (see PartFileOptions.wholeFileCheck). */
  needsWholeCheck = true;
  private verified = 0;
  private prefix = 0;
  private sinceCheckpoint = 0;
  private chain: Promise<void> = Promise.resolve();
  private lastWrite: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private readonly writes = new Set<Promise<unknown>>();
  private readonly writing = new Set<number>();
  private digest: FileDigest | null = null;
  private closed = false;

  private constructor(
    readonly manifest: Manifest,
    /** Final path, inside the directory. */
    readonly path: string,
    readonly partPath: string,
    readonly statePath: string,
    private readonly fh: FileHandle,
    private readonly bits: Uint8Array,
    private readonly id: string,
    private readonly pool: HashPool,
    private readonly checkpointBytes: number,
  ) {}

  /** Opens (or resumes) the part file of `name` in `dir`. */
  static async open(opts: PartFileOptions): Promise<PartFile> {
    const name = safeFileName(opts.name);
    const m = opts.manifest;
    const path = resolveInside(opts.dir, name);
    const base = truncateUtf8(name, MAX_NAME_BYTES - '.part.state.tmp'.length);
    const partPath = resolveInside(opts.dir, `${base}.part`);
    const statePath = resolveInside(opts.dir, `${base}.part.state`);
    const id = manifestId(m);
    const fh = await open(partPath, OPEN_FLAGS, 0o644);
    let bits: Uint8Array;
    try {
      const saved = await loadState(statePath, id, m.chunks.length);
      const size = (await fh.stat()).size;
      if (size !== m.size) await fh.truncate(m.size);
      bits = saved !== null && size === m.size ? saved : new Uint8Array(Math.ceil(m.chunks.length / 8));
    } catch (e) {
      await fh.close();
      throw e;
    }
    const checkpointBytes = opts.checkpointBytes ?? CHECKPOINT_BYTES;
    const pf = new PartFile(m, path, partPath, statePath, fh, bits, id, opts.hashPool, checkpointBytes);
    pf.resumedChunks = bits.reduce((n, b) => n + popcount(b), 0);
    pf.needsWholeCheck = (opts.wholeFileCheck ?? 'always') === 'always' || pf.resumedChunks > 0;
    pf.recount();
    return pf;
  }

  has(index: number): boolean {
    return (this.bits[index >> 3]! & (1 << (index & 7))) !== 0;
  }

  /** Number of verified chunks. */
  get verifiedChunks(): number {
    return this.verified;
  }

  /** Bytes in verified chunks. */
  get verifiedBytes(): number {
    let n = 0;
    for (let i = 0; i < this.manifest.chunks.length; i++) if (this.has(i)) n += chunkLength(this.manifest, i);
    return n;
  }

  verifiedIndices(): number[] {
    return this.manifest.chunks.map((_, i) => i).filter((i) => this.has(i));
  }

  /** Writes verified chunk `index` at its offset and records it. */
  write(index: number, bytes: Uint8Array): Promise<void> {
    return this.writeRun(index, 1, bytes);
  }

  /** Writes `count` verified consecutive chunks from `first` (`bytes`: theirs, back to back) and records them. */
  async writeRun(first: number, count: number, bytes: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new TransferError('ABORTED', 'part file closed');
    const m = this.manifest;
    for (let i = first; i < first + count; i++) {
      if (!(i >= 0 && i < m.chunks.length) || this.has(i) || this.writing.has(i)) {
        throw new TransferError('BAD_INDEX', `chunk ${i} is out of range or already written`);
      }
    }
    const len = spanLength(m, first, count);
    if (bytes.byteLength !== len) throw new TransferError('BAD_CHUNK', `chunks ${first}+${count} are not ${len} bytes`);
    for (let i = first; i < first + count; i++) this.writing.add(i);
    try {
      await this.track(this.serialWrite(bytes, chunkOffset(m, first)));
    } finally {
      for (let i = first; i < first + count; i++) this.writing.delete(i);
    }
    // Chunks that extend the verified prefix are hashed from memory, not read back.
    const fed =
      first === this.prefix && this.needsWholeCheck && !this.closed
        ? this.wholeDigest().feed(chunkOffset(m, first), bytes)
        : null;
    for (let i = first; i < first + count; i++) this.mark(i, true);
    await fed;
    this.sinceCheckpoint += len;
    // A failed checkpoint is kept in `failure` (see checkpoint()) and fails the next write.
    if (this.sinceCheckpoint >= this.checkpointBytes && !this.closed) void this.checkpoint().catch(() => undefined);
  }

  /** Makes the data written so far and the state claiming it durable. */
  checkpoint(): Promise<void> {
    this.sinceCheckpoint = 0;
    this.chain = this.chain.then(() => this.saveState());
    this.chain.catch((e: Error) => (this.failure ??= e));
    return this.chain;
  }

  /** True when the whole file's SHA-256 matches the manifest (every chunk must be verified). */
  async verifyWhole(): Promise<boolean> {
    await Promise.all(this.writes);
    if (this.verified !== this.manifest.chunks.length) throw new Error('verifyWhole before every chunk is written');
    if (this.manifest.size === 0) return this.manifest.sha256 === EMPTY_SHA256;
    const digest = this.wholeDigest();
    this.digest = null;
    return (await digest.digest(this.manifest.size)) === this.manifest.sha256;
  }

  /** Re-hashes every verified chunk on disk; unmarks and returns the bad ones. */
  async reverify(): Promise<number[]> {
    const pool = this.pool;
    const bad: number[] = [];
    const todo = this.verifiedIndices();
    const check = async (): Promise<void> => {
      for (let i = todo.shift(); i !== undefined; i = todo.shift()) {
        const buf = await readFully(this.fh, chunkLength(this.manifest, i), chunkOffset(this.manifest, i));
        if ((await pool.hashTransfer(buf)).hex !== this.manifest.chunks[i]) bad.push(i);
      }
    };
    await Promise.all(Array.from({ length: pool.size * 2 }, check));
    for (const i of bad) this.mark(i, false);
    this.digest?.close();
    this.digest = null;
    await this.checkpoint();
    return bad.sort((a, b) => a - b);
  }

  /** Renames the verified part to its final name; call only after verifyWhole() returned true. */
  async commit(): Promise<string> {
    await Promise.all(this.writes);
    await this.chain;
    this.closed = true;
    await this.fh.datasync();
    await this.fh.close();
    await rename(this.partPath, this.path);
    await syncDir(dirname(this.path));
    // A state file left behind is ignored by the next download (it claims a part that is gone).
    await unlink(this.statePath).catch(() => undefined);
    return this.path;
  }

  /** Verifies the whole file (if needed), then commits it; throws CORRUPT when the hash does not match. */
  async finish(): Promise<string> {
    if (this.needsWholeCheck && !(await this.verifyWhole())) {
      throw new TransferError('CORRUPT', `${this.path}: whole-file SHA-256 mismatch`);
    }
    return this.commit();
  }

  /** Stops without committing, keeping durable resume state (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.writes);
    await this.chain.catch(() => undefined); // its failure is already in `failure`
    // Best effort: without a saved state the next run refetches more, and never trusts more.
    await this.saveState().catch(() => undefined);
    await this.fh.close();
    this.digest?.close();
    this.digest = null;
  }

  /** Closes and deletes the part and its state (a download given up for good). */
  async discard(): Promise<void> {
    await this.close();
    // Either file may not exist (nothing was written yet, or the state was never saved).
    await unlink(this.partPath).catch(() => undefined);
    await unlink(this.statePath).catch(() => undefined);
  }

  private mark(index: number, on: boolean): void {
    if (on === this.has(index)) return;
    this.bits[index >> 3]! ^= 1 << (index & 7);
    this.verified += on ? 1 : -1;
    if (!on) this.prefix = Math.min(this.prefix, index);
    this.advancePrefix();
  }

  private recount(): void {
    this.verified = this.verifiedIndices().length;
    this.advancePrefix();
  }

  private advancePrefix(): void {
    while (this.prefix < this.manifest.chunks.length && this.has(this.prefix)) this.prefix++;
    const upto = Math.min(this.manifest.size, this.prefix * this.manifest.chunkSize);
    if (upto > 0 && !this.closed && this.needsWholeCheck) this.wholeDigest().advance(upto);
  }

  private wholeDigest(): FileDigest {
    this.digest ??= this.pool.fileDigest(this.partPath);
    return this.digest;
  }

  private async saveState(): Promise<void> {
    if (this.fh.fd < 0) return;
    const snapshot = Buffer.from(this.bits); // claims only chunks written before the datasync
    await this.fh.datasync();
    const body = JSON.stringify({ v: 1, id: this.id, bits: snapshot.toString('base64') });
    await writeFileAtomic(this.statePath, body);
  }

  /**
   * Writes one at a time, in the order they come: buffered writes to one file serialize on its
   * inode lock anyway, and a write waiting for the lock holds a thread of the shared pool.
   */
  private serialWrite(bytes: Uint8Array, position: number): Promise<void> {
    const done = this.lastWrite.then(() => writeFully(this.fh, bytes, position));
    this.lastWrite = done.catch(() => undefined); // the failure is the caller's: it awaits `done`
    return done;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.writes.add(p);
    return p.finally(() => this.writes.delete(p));
  }
}

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x !== 0; x &= x - 1) n++;
  return n;
}

async function loadState(path: string, id: string, count: number): Promise<Uint8Array | null> {
  const text = await readFile(path, 'utf8').catch(() => null); // no state: start afresh
  if (text === null) return null;
  try {
    const s = stateSchema.parse(JSON.parse(text));
    const bits = new Uint8Array(Buffer.from(s.bits, 'base64'));
    if (s.id !== id || bits.length !== Math.ceil(count / 8)) return null;
    if (count % 8 !== 0) bits[bits.length - 1]! &= (1 << (count % 8)) - 1; // no claims past the end
    return bits;
  } catch {
    return null; // a damaged state claims nothing: every chunk is fetched again
  }
}
