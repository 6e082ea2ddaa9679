/**
 * One verified, multi-source, resumable download. Network-agnostic: sources are anything that
 * can fetch a chunk by index (a peer over the wire, a local file, a test double).
 *
 * Invariants:
 * - a chunk is written only after its length and SHA-256 matched the manifest; bytes from a
 *   source are hostile until then.
 * - a source that sent a bad chunk is dropped for this transfer; its chunks go elsewhere.
 *   A source whose fetches fail MAX_SOURCE_ERRORS times in a row is dropped too.
 * - a request asks one source for a span: one chunk, or (from a source that serves runs) up
 *   to SPAN_BYTES of consecutive chunks, LONG_SPAN_BYTES once the download and the source run
 *   fast. A source has at most `requests` spans between request and verification (`pipeline`
 *   chunks' worth; 2 at least for a lone source); a verified span frees its place at once, so
 *   the next request goes out while it is written. Each span holds one reused shared-memory
 *   slot until its chunks are on disk; the slab has 2 × sources × requests slots, at most
 *   SLAB_BYTES of long ones: memory is bounded whatever the file size, and a disk slower than
 *   the sources slows the fetching down (no free slot).
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
import { errorCode, isBusy } from '../wire/errors.js';
import { ChunkSlab } from './chunk-slab.js';
import type {
  ChunkSource,
  DownloadProgress,
  DownloadResult,
  DownloadSessionEvents,
  DownloadSessionOptions,
  SourceState,
} from './download-types.js';
import { chunkLength, type Manifest, spanLength } from './manifest.js';
import { PartFile } from './part-file.js';
import { PiecePicker } from './piece-picker.js';
import { RateMeter } from './rate-meter.js';
import { fetchSpan, joined, type SpanPlan, spanFor, spanPlan, verifySpan } from './span-fetch.js';
import {
  BUSY_REST_MAX_MS,
  BUSY_REST_MS,
  DEFAULT_PIPELINE,
  LONG_SPAN_BYTES,
  MAX_BUSY_IN_A_ROW,
  MAX_SOURCE_ERRORS,
  PROGRESS_INTERVAL_MS,
  SLAB_BYTES,
  SPAN_BYTES,
} from './transfer-constants.js';
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
  /** Requests of this source not yet verified, with the chunks they ask for. */
  readonly inflight: Map<AbortController, Span>;
  state: SourceState;
  errors: number;
  /** BUSY answers in a row: the source is alive but over a limit; it rests before asking again. */
  busyStreak: number;
  /** While set, the source rests (no new requests) until the timer fires. */
  rest: TimerHandle | null;
}

/** Chunks `first` .. `first + count - 1`, asked for in one request. */
interface Span {
  readonly first: number;
  readonly count: number;
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
  /** Chunks per request and requests in flight per source (1 chunk unless a source serves runs). */
  private readonly plan: SpanPlan;
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
    const pipeline = Math.max(1, opts.pipeline ?? DEFAULT_PIPELINE);
    const bytes = { short: SPAN_BYTES, long: LONG_SPAN_BYTES, slab: SLAB_BYTES };
    this.plan = spanPlan(opts.manifest, opts.sources, pipeline, bytes);
    this.slab = new ChunkSlab(opts.manifest.chunkSize * this.plan.long, this.plan.slots);
    for (const src of opts.sources) {
      if (this.peers.has(src.id)) throw new TypeError(`duplicate source id ${src.id}`);
      this.peers.set(src.id, {
        src,
        meter: new RateMeter(this.clock.now()),
        inflight: new Map(),
        state: 'idle',
        errors: 0,
        busyStreak: 0,
        rest: null,
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
    // Runs of chunks are picked lowest index first, so that they stay long.
    const { short, shortRequests, long, longRequests } = this.plan;
    const window = long > 1 ? 1 : undefined;
    const pipeline = Math.max(shortRequests * short, longRequests * long);
    this.picker = new PiecePicker({ count: m.chunks.length, pipeline, rng: this.opts.rng, window });
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
    const now = this.clock.now();
    const total = this.meter.rate(now);
    for (const peer of this.peers.values()) {
      if (peer.state === 'dropped' || peer.state === 'failed') continue;
      busy ||= peer.rest !== null;
      const { span, requests } = spanFor(this.plan, peer.meter.rate(now), total);
      while (!peer.rest && peer.inflight.size < requests && this.slab.inUse < this.slab.maxSlots) {
        const first = this.picker.pick(peer.src.id);
        if (first === undefined) break;
        let count = 1;
        if (peer.src.fetchSpanInto) while (count < span && this.picker.extend(peer.src.id, first + count)) count++;
        void this.fetchRun(peer, { first, count });
      }
      busy ||= peer.inflight.size > 0;
    }
    if (!busy) this.fail(this.stuckError());
  }

  /** One request: a place in the source's pipeline until verified, a slot until on disk. */
  private async fetchRun(peer: Peer, span: Span): Promise<void> {
    const ctl = new AbortController();
    peer.inflight.set(ctl, span);
    const { first, count } = span;
    const slot = this.slab.acquire(spanLength(this.manifest, first, count));
    try {
      const views = await this.fetchVerified(peer, span, slot, ctl.signal);
      peer.inflight.delete(ctl);
      for (let i = first + views.length; i < first + count; i++) this.picker.release(i, peer.src.id);
      const written = this.accept(peer, first, views);
      this.pump(); // the source's place is free: its next request goes out during the writes
      await written;
    } catch (e) {
      this.onFetchError(peer, span, ctl.signal, e);
    } finally {
      this.slab.release(slot);
      peer.inflight.delete(ctl);
      this.pump();
    }
  }

  /** The delivered chunks of `span`, each verified, as views on `slot`. */
  private async fetchVerified(peer: Peer, span: Span, slot: Uint8Array, signal: AbortSignal): Promise<Uint8Array[]> {
    await this.opts.limiter?.take(slot.byteLength, signal);
    await this.opts.globalLimiter?.take(slot.byteLength, signal);
    const n = await fetchSpan(peer.src, this.manifest, span.first, span.count, slot, signal);
    return verifySpan(this.opts.hashPool, this.manifest, peer.src, span.first, n, slot, signal);
  }

  /** Verified chunks from `first` on: the first copy of each wins and is written; other copies are cancelled. */
  private async accept(peer: Peer, first: number, views: readonly Uint8Array[]): Promise<void> {
    peer.errors = 0;
    peer.busyStreak = 0;
    const runs: { k: number; n: number }[] = []; // runs of chunks this copy won, as view ranges
    for (let k = 0; k < views.length; k++) {
      const i = first + k;
      if (this.picker.isDone(i) || !this.settle) {
        this.picker.release(i, peer.src.id);
        continue;
      }
      for (const loser of this.picker.complete(i, peer.src.id)) this.cancel(this.peers.get(loser), i);
      const last = runs.at(-1);
      if (last && last.k + last.n === k) last.n++;
      else runs.push({ k, n: 1 });
    }
    await Promise.all(runs.map(({ k, n }) => this.write(peer, first + k, n, joined(views, k, n))));
  }

  /** Writes a run of won chunks; a write failure fails the download. */
  private async write(peer: Peer, first: number, count: number, bytes: Uint8Array): Promise<void> {
    this.writing++;
    try {
      await this.part.writeRun(first, count, bytes);
    } catch (e) {
      this.fail(e);
      return;
    } finally {
      this.writing--;
    }
    this.bytes += bytes.byteLength;
    this.fetched += count;
    peer.meter.add(bytes.byteLength);
    this.meter.add(bytes.byteLength);
    this.progressSoon();
  }

  /** Aborts `peer`'s request for chunk `index` (an endgame copy that lost). */
  private cancel(peer: Peer | undefined, index: number): void {
    for (const [ctl, s] of peer?.inflight ?? []) if (index >= s.first && index < s.first + s.count) ctl.abort();
  }

  private onFetchError(peer: Peer, span: Span, signal: AbortSignal, e: unknown): void {
    for (let i = span.first; i < span.first + span.count; i++) this.picker.release(i, peer.src.id, !signal.aborted);
    if (!this.settle || signal.aborted) return; // cancelled by us: endgame loser, dropped source, abort
    if (e instanceof TransferError && e.code === 'BAD_CHUNK') return this.drop(peer, 'dropped', e);
    if (isBusy(e) && peer.busyStreak < MAX_BUSY_IN_A_ROW) return this.restAfterBusy(peer);
    if (++peer.errors >= MAX_SOURCE_ERRORS) this.drop(peer, 'failed', e);
  }

  /**
   * A BUSY source is alive but over one of its limits: it is not asked again for a while (100 ms,
   * doubling with each BUSY in a row, at most 5 s), and BUSY does not count as a failure until
   * MAX_BUSY_IN_A_ROW of them in a row (about a minute of refusals).
   */
  private restAfterBusy(peer: Peer): void {
    if (peer.rest) return; // its other requests came back BUSY too: one rest for them all
    const ms = Math.min(BUSY_REST_MS * 2 ** peer.busyStreak++, BUSY_REST_MAX_MS);
    peer.rest = this.clock.setTimeout(() => ((peer.rest = null), this.pump()), ms);
  }

  private endRests(): void {
    for (const peer of this.peers.values()) if (peer.rest) this.clock.clearTimeout(peer.rest);
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
    this.endRests();
    s?.resolve();
  }

  private fail(e: unknown): void {
    const s = this.settle;
    if (!s) return;
    this.settle = null;
    this.endRests();
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
