/**
 * One verified, multi-source, resumable download. Network-agnostic: sources are anything that
 * can fetch a chunk by index (a peer over the wire, a local file, a test double).
 *
 * Invariants:
 * - a chunk is written only after its length and SHA-256 matched the manifest; bytes from a
 *   source are hostile until then.
 * - a source that sent a bad chunk is dropped for this transfer; its chunks go elsewhere.
 *   A source whose fetches fail MAX_SOURCE_ERRORS times in a row is dropped too.
 * - a source has at most `pipeline` chunks between fetch start and their verification; a
 *   verified chunk frees its source's place at once (the next request goes out while it is
 *   written). Each chunk holds one reused shared-memory slot from fetch start to the end of its
 *   disk write, and the slab has 2 × sources × pipeline slots: memory is bounded whatever the
 *   file size, and a disk slower than the sources slows the fetching down (no free slot).
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
import type {
  ChunkSource,
  DownloadProgress,
  DownloadResult,
  DownloadSessionEvents,
  DownloadSessionOptions,
  SourceState,
} from './download-types.js';
import { chunkLength, type Manifest } from './manifest.js';
import { PartFile } from './part-file.js';
import { PiecePicker } from './piece-picker.js';
import { RateMeter } from './rate-meter.js';
import { DEFAULT_PIPELINE, MAX_SOURCE_ERRORS, PROGRESS_INTERVAL_MS } from './transfer-constants.js';
import { abortError, TransferError } from './transfer-error.js';

export type {
  ChunkSource,
  DownloadProgress,
  DownloadResult,
  DownloadSessionEvents,
  DownloadSessionOptions,
  SourceDropped,
  SourceProgress,
  SourceState,
} from './download-types.js';

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
    // Twice the fetch places: verified chunks on their way to disk do not hold requests back.
    this.slab = new ChunkSlab(opts.manifest.chunkSize, 2 * this.pipeline * opts.sources.length);
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
      while (peer.inflight.size < this.pipeline && this.slab.inUse < this.slab.maxSlots) {
        const i = this.picker.pick(peer.src.id);
        if (i === undefined) break;
        void this.fetchOne(peer, i);
      }
      busy ||= peer.inflight.size > 0;
    }
    if (!busy) this.fail(this.stuckError());
  }

  /** One chunk from one source: a pipeline place until verified, a slot until it is on disk. */
  private async fetchOne(peer: Peer, index: number): Promise<void> {
    const ctl = new AbortController();
    peer.inflight.set(ctl, index);
    const slot = this.slab.acquire(chunkLength(this.manifest, index));
    try {
      await this.fetchVerified(peer, index, slot, ctl.signal);
      peer.inflight.delete(ctl);
      const written = this.accept(peer, index, slot);
      this.pump(); // the source's place is free: its next request goes out during the write
      await written;
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
