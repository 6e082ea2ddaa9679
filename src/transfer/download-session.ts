/**
 * One verified, multi-source, resumable download. Network-agnostic: sources are anything that
 * can fetch a chunk by index (a peer over the wire, a local file, a test double).
 *
 * Invariants:
 * - a chunk is written only after its length and SHA-256 matched the manifest; bytes from a
 *   source are hostile until then.
 * - a source that sent a bad chunk is dropped for this transfer; its chunks go elsewhere.
 *   A source whose fetches fail MAX_SOURCE_ERRORS times in a row is dropped too.
 * - a source has at most `pipeline` chunks between fetch start and the end of their disk
 *   write, each in one reused shared-memory slot: memory is bounded by sources × pipeline ×
 *   chunkSize whatever the file size, and a slow disk slows the fetching down.
 * - in the endgame the first verified copy of a chunk wins; the other fetches are aborted.
 * - the run fails with NO_SOURCES when no live source is left, UNAVAILABLE when some chunk
 *   still needed is held by no live source, ABORTED (or the signal's reason) when aborted.
 * - the file appears under its final name only via PartFile.commit(): after every chunk was
 *   verified and, with wholeFileCheck 'always' (the default), the whole-file SHA-256 matched
 *   (a mismatch re-verifies the chunks on disk and refetches the bad ones, once); on failure
 *   or abort the part and its resume state stay on disk.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../core/clock.js';
import { realClock } from '../io/real-clock.js';
import { errorCode } from '../wire/errors.js';
import { ChunkSlab } from './chunk-slab.js';
import type { HashPool } from './hash-pool.js';
import { chunkLength, type Manifest } from './manifest.js';
import { PartFile, type WholeFileCheck } from './part-file.js';
import { PiecePicker } from './piece-picker.js';
import type { RateLimiter } from './rate-limiter.js';
import { RateMeter } from './rate-meter.js';
import { DEFAULT_PIPELINE, MAX_SOURCE_ERRORS, PROGRESS_INTERVAL_MS } from './transfer-constants.js';
import { abortError, TransferError } from './transfer-error.js';

/** Somewhere chunks can be fetched from. */
export interface ChunkSource {
  readonly id: string;
  /** Whether this source has chunk `index` (sampled when the download starts). */
  has(index: number): boolean;
  /** The bytes of chunk `index` (the session copies them; honour `signal`). */
  fetch(index: number, signal: AbortSignal): Promise<Uint8Array>;
  /**
   * Optional, faster: writes chunk `index` into `target` (exactly the chunk's length) and
   * resolves once it is filled. Must never touch `target` after the promise settles, even
   * when aborted: the memory is reused for other chunks.
   */
  fetchInto?(index: number, target: Uint8Array, signal: AbortSignal): Promise<void>;
}

export type SourceState = 'active' | 'idle' | 'dropped' | 'failed';

export interface SourceProgress {
  readonly id: string;
  /** Verified bytes this source delivered in this run. */
  readonly bytes: number;
  readonly rateBps: number;
  readonly state: SourceState;
}

export interface DownloadProgress {
  /** Verified bytes on disk, including those resumed from a previous run. */
  readonly bytes: number;
  readonly total: number;
  readonly rateBps: number;
  /** Seconds left at the current rate; null while the rate is 0. */
  readonly etaSec: number | null;
  readonly sources: readonly SourceProgress[];
  /** True on the final event, once the file is complete under its final name. */
  readonly done: boolean;
}

export interface SourceDropped {
  readonly id: string;
  readonly state: 'dropped' | 'failed';
  readonly code: string;
  readonly reason: string;
}

export interface DownloadResult {
  /** Absolute path of the complete, verified file. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** Chunks fetched from sources in this run. */
  readonly fetchedChunks: number;
  /** Chunks already verified on disk from a previous run. */
  readonly resumedChunks: number;
}

export interface DownloadSessionOptions {
  readonly manifest: Manifest;
  /** Download directory; nothing is written outside it. */
  readonly dir: string;
  /** File name to write (default: the manifest's name; must pass safeFileName). */
  readonly outName?: string;
  readonly sources: readonly ChunkSource[];
  readonly hashPool: HashPool;
  /** Fetches in flight per source (default 4). */
  readonly pipeline?: number;
  /** This transfer's download limiter. */
  readonly limiter?: RateLimiter;
  /** The limiter shared by every transfer. */
  readonly globalLimiter?: RateLimiter;
  /** Time source for rates and progress pacing (default: the real clock). */
  readonly clock?: Clock;
  /** Random numbers for the piece picker's tie-breaks (default Math.random). */
  readonly rng?: () => number;
  /** Resume state is made durable after this many new bytes (default 64 MiB). */
  readonly checkpointBytes?: number;
  /**
   * When the whole-file SHA-256 is checked: 'always' (default: the reported sha256 is that of
   * the bytes written, even if the manifest lied), or only for 'resumed' parts (one SHA-256
   * pass instead of two: faster where a second core is not really there).
   */
  readonly wholeFileCheck?: WholeFileCheck;
}

export interface DownloadSessionEvents {
  progress: [DownloadProgress];
  'source-dropped': [SourceDropped];
}

interface Peer {
  readonly src: ChunkSource;
  readonly meter: RateMeter;
  /** Fetches of this source not yet finished (through the disk write), with their chunk index. */
  readonly inflight: Map<AbortController, number>;
  state: SourceState;
  errors: number;
}

interface Settle {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class DownloadSession extends EventEmitter<DownloadSessionEvents> {
  readonly manifest: Manifest;
  private readonly opts: DownloadSessionOptions;
  private readonly clock: Clock;
  private readonly peers = new Map<string, Peer>();
  private readonly pipeline: number;
  private readonly slab: ChunkSlab;
  private picker!: PiecePicker;
  private part!: PartFile;
  private meter!: RateMeter;
  private settle: Settle | null = null;
  private bytes = 0;
  private fetched = 0;
  private writing = 0;
  private lastEmit = -Infinity;
  private trailing: TimerHandle | null = null;
  private started = false;

  constructor(opts: DownloadSessionOptions) {
    super();
    this.opts = opts;
    this.manifest = opts.manifest;
    this.clock = opts.clock ?? realClock;
    this.pipeline = Math.max(1, opts.pipeline ?? DEFAULT_PIPELINE);
    this.slab = new ChunkSlab(opts.manifest.chunkSize, this.pipeline * opts.sources.length);
    for (const src of opts.sources) {
      if (this.peers.has(src.id)) throw new TypeError(`duplicate source id ${src.id}`);
      this.peers.set(src.id, {
        src,
        meter: new RateMeter(this.clock.now()),
        inflight: new Map(),
        state: 'idle',
        errors: 0,
      });
    }
  }

  /** Downloads, verifies and commits the file; resumes a previous part if there is one. */
  async run(signal?: AbortSignal): Promise<DownloadResult> {
    if (this.started) throw new Error('DownloadSession.run() may be called once');
    this.started = true;
    if (signal?.aborted) throw abortError(signal);
    const name = this.opts.outName ?? this.manifest.name;
    const { dir, hashPool, checkpointBytes, wholeFileCheck } = this.opts;
    this.part = await PartFile.open({ dir, name, manifest: this.manifest, hashPool, checkpointBytes, wholeFileCheck });
    try {
      return await this.download(signal);
    } catch (e) {
      await this.part.close();
      throw e;
    } finally {
      this.stopProgress();
    }
  }

  /** Progress as of now. */
  progress(done = false): DownloadProgress {
    const now = this.clock.now();
    const rateBps = this.meter ? this.meter.rate(now) : 0;
    const left = this.manifest.size - this.bytes;
    const etaSec = done || left === 0 ? 0 : rateBps > 0 ? left / rateBps : null;
    const sources = [...this.peers.values()].map((p) => ({
      id: p.src.id,
      bytes: p.meter.total,
      rateBps: p.meter.rate(now),
      state: p.state === 'idle' && p.inflight.size > 0 ? 'active' : p.state,
    }));
    return { bytes: this.bytes, total: this.manifest.size, rateBps, etaSec, sources, done };
  }

  private async download(signal?: AbortSignal): Promise<DownloadResult> {
    const m = this.manifest;
    this.picker = new PiecePicker({ count: m.chunks.length, pipeline: this.pipeline, rng: this.opts.rng });
    for (const i of this.part.verifiedIndices()) this.picker.markDone(i);
    for (const p of this.peers.values()) this.picker.addSource(p.src.id, (i) => p.src.has(i));
    this.bytes = this.part.verifiedBytes;
    this.meter = new RateMeter(this.clock.now());
    this.emitProgress();
    for (let round = 0; ; round++) {
      if (!this.picker.isComplete) await this.fetchAll(signal);
      if (signal?.aborted) throw abortError(signal);
      if (!this.part.needsWholeCheck || (await this.part.verifyWhole())) break;
      const bad = await this.part.reverify();
      if (bad.length === 0 || round > 0) {
        throw new TransferError(
          'CORRUPT',
          `${m.name}: chunks match but the whole-file SHA-256 does not (bad manifest)`,
        );
      }
      this.picker.reopen(bad);
      for (const i of bad) this.bytes -= chunkLength(m, i);
    }
    this.stopProgress(); // no "not done" event once the file may have its final name
    const path = await this.part.commit();
    this.emit('progress', this.progress(true));
    const resumedChunks = this.part.resumedChunks;
    return { path, size: m.size, sha256: m.sha256, fetchedChunks: this.fetched, resumedChunks };
  }

  /** Resolves when every chunk is verified and written. */
  private fetchAll(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => this.fail(abortError(signal!));
      const cleanup = (): void => signal?.removeEventListener('abort', onAbort);
      this.settle = { resolve: () => (cleanup(), resolve()), reject: (e) => (cleanup(), reject(e)) };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) return onAbort();
      if (!this.checkSources()) return;
      this.pump();
    });
  }

  /** Starts every fetch the picker allows; settles the round when done or stuck. */
  private pump(): void {
    if (!this.settle) return;
    if (this.picker.isComplete) {
      if (this.writing === 0) this.succeed();
      return;
    }
    let busy = this.writing > 0;
    for (const peer of this.peers.values()) {
      if (peer.state === 'dropped' || peer.state === 'failed') continue;
      while (peer.inflight.size < this.pipeline) {
        const i = this.picker.pick(peer.src.id);
        if (i === undefined) break;
        void this.fetchOne(peer, i);
      }
      busy ||= peer.inflight.size > 0;
    }
    if (!busy) this.fail(this.stuckError());
  }

  /** One chunk from one source, holding a slot (and a pipeline place) until it is on disk. */
  private async fetchOne(peer: Peer, index: number): Promise<void> {
    const ctl = new AbortController();
    peer.inflight.set(ctl, index);
    const slot = this.slab.acquire(chunkLength(this.manifest, index));
    try {
      await this.fetchVerified(peer, index, slot, ctl.signal);
      await this.accept(peer, index, slot);
    } catch (e) {
      this.onFetchError(peer, index, ctl.signal, e);
    } finally {
      this.slab.release(slot);
      peer.inflight.delete(ctl);
      this.pump();
    }
  }

  private async fetchVerified(peer: Peer, index: number, slot: Uint8Array, signal: AbortSignal): Promise<void> {
    await this.opts.limiter?.take(slot.byteLength, signal);
    await this.opts.globalLimiter?.take(slot.byteLength, signal);
    if (peer.src.fetchInto) await peer.src.fetchInto(index, slot, signal);
    else {
      const got = await peer.src.fetch(index, signal);
      if (got.byteLength !== slot.byteLength) {
        throw new TransferError(
          'BAD_CHUNK',
          `chunk ${index} from ${peer.src.id} is ${got.byteLength} bytes, not ${slot.byteLength}`,
        );
      }
      slot.set(got);
    }
    if (signal.aborted) throw abortError(signal);
    const hex = await this.opts.hashPool.hashShared(slot);
    if (signal.aborted) throw abortError(signal);
    if (hex !== this.manifest.chunks[index]) {
      throw new TransferError('BAD_CHUNK', `chunk ${index} from ${peer.src.id} does not match its SHA-256`);
    }
  }

  /** A verified chunk: the first copy wins and is written; the others are cancelled. */
  private async accept(peer: Peer, index: number, bytes: Uint8Array): Promise<void> {
    peer.errors = 0;
    if (this.picker.isDone(index) || !this.settle) return this.picker.release(index, peer.src.id);
    for (const loser of this.picker.complete(index, peer.src.id)) this.cancel(this.peers.get(loser), index);
    this.writing++;
    try {
      await this.part.write(index, bytes);
    } catch (e) {
      this.fail(e);
      return;
    } finally {
      this.writing--;
    }
    this.bytes += bytes.byteLength;
    this.fetched++;
    peer.meter.add(bytes.byteLength);
    this.meter.add(bytes.byteLength);
    this.progressSoon();
  }

  /** Aborts `peer`'s fetch of chunk `index` (an endgame copy that lost). */
  private cancel(peer: Peer | undefined, index: number): void {
    for (const [ctl, i] of peer?.inflight ?? []) if (i === index) ctl.abort();
  }

  private onFetchError(peer: Peer, index: number, signal: AbortSignal, e: unknown): void {
    this.picker.release(index, peer.src.id, !signal.aborted);
    if (!this.settle || signal.aborted) return; // cancelled by us: endgame loser, dropped source, abort
    if (e instanceof TransferError && e.code === 'BAD_CHUNK') return this.drop(peer, 'dropped', e);
    if (++peer.errors >= MAX_SOURCE_ERRORS) this.drop(peer, 'failed', e);
  }

  private drop(peer: Peer, state: 'dropped' | 'failed', e: unknown): void {
    if (peer.state === 'dropped' || peer.state === 'failed') return;
    peer.state = state;
    this.picker.removeSource(peer.src.id);
    for (const ctl of peer.inflight.keys()) ctl.abort();
    const reason = e instanceof Error ? e.message : String(e);
    this.emit('source-dropped', { id: peer.src.id, state, code: errorCode(e), reason });
    this.checkSources();
  }

  /** Fails the round (and returns false) when the remaining chunks cannot all be fetched. */
  private checkSources(): boolean {
    if (this.picker.isComplete) return true;
    if (this.picker.liveSources.length === 0 || this.picker.missing() !== undefined) {
      this.fail(this.stuckError());
      return false;
    }
    return true;
  }

  private stuckError(): TransferError {
    if (this.picker.liveSources.length === 0) {
      return new TransferError('NO_SOURCES', `${this.manifest.name}: no live source left`);
    }
    const missing = this.picker.missing();
    return new TransferError('UNAVAILABLE', `${this.manifest.name}: no live source has chunk ${missing ?? '?'}`);
  }

  private succeed(): void {
    const s = this.settle;
    this.settle = null;
    s?.resolve();
  }

  private fail(e: unknown): void {
    const s = this.settle;
    if (!s) return;
    this.settle = null;
    for (const peer of this.peers.values()) for (const ctl of peer.inflight.keys()) ctl.abort();
    s.reject(e);
  }

  /** Emits progress now, or once at the end of the current ~100 ms interval. */
  private progressSoon(): void {
    if (this.lastEmit === Infinity) return;
    const wait = this.lastEmit + PROGRESS_INTERVAL_MS - this.clock.now();
    if (wait <= 0) return this.emitProgress();
    this.trailing ??= this.clock.setTimeout(() => this.emitProgress(), wait);
  }

  private emitProgress(): void {
    if (this.trailing) this.clock.clearTimeout(this.trailing);
    this.trailing = null;
    if (this.lastEmit === Infinity) return; // finished: the final event is out
    this.lastEmit = this.clock.now();
    this.emit('progress', this.progress(false));
  }

  private stopProgress(): void {
    if (this.trailing) this.clock.clearTimeout(this.trailing);
    this.trailing = null;
    this.lastEmit = Infinity;
  }
}
