/**
 * The replicated ring store: values by key on a Chord ring, each kept by the key's owner and
 * its next r-1 successors (of distinct processes, when processes run virtual nodes), on each
 * node's BlobStore (durable on disk, or in memory; shared by a process's virtual nodes).
 *
 * Invariants:
 * - `put` resolves only once min(r, ring size) nodes hold a durable copy; otherwise it fails
 *   with UNAVAILABLE (after re-routing a few times when the owner moved or died);
 * - `get` asks the owner, then the nodes after it, and fails with NOT_FOUND only when every
 *   one of them answered without the key (UNAVAILABLE when some did not answer);
 * - keys follow the ring: a joiner pulls its share before `join` returns, a leaver hands
 *   everything on before `leave` returns, and a periodic pass (plus one soon after every
 *   ring change) brings each key back to r copies and drops copies no longer needed;
 * - the blob store is the caller's: `stop()` stops the service but does not close it.
 */
import { refToJson, type NodeRef, type NodeRefJson } from '../core/node-ref.js';
import type { ChordNode } from '../dht/chord-node.js';
import type { TickerJob } from '../dht/ticker-job.js';
import { fromWire } from '../dht/wire-refs.js';
import { errorCode } from '../wire/errors.js';
import { digestOf, type BlobStore, type EntryKind, type Role, type RoleCounts } from './blob-store.js';
import { registerHandlers } from './handlers/register-handlers.js';
import { MemoryBlobStore } from './memory-blob-store.js';
import { storeAsOwner } from './owner-put.js';
import {
  CHANGE_DELAY_ROUNDS,
  DEFAULT_REPLICAS,
  GET_EXTRA_CANDIDATES,
  MAINTAIN_EVERY_ROUNDS,
  MERGE_RECONCILE_ROUNDS,
  MAX_VALUE_BYTES,
  PUT_ATTEMPTS,
} from './store-constants.js';
import { StoreContext } from './store-context.js';
import { StoreError } from './store-error.js';
import { StoreQuota } from './store-quota.js';
import { StoreMaintainer, type MaintenanceReport } from './store-maintainer.js';
import { distinctHosts } from './distinct-hosts.js';

export interface RingStoreOptions {
  /** Where this node keeps its entries (default: a new MemoryBlobStore). Not closed by `stop()`. */
  readonly store?: BlobStore;
  /** Copies of each key, r: the owner and its next r-1 successors (default 3). */
  readonly replicas?: number;
  /** Period of the maintenance pass in ms (default 4 × the node's stabilization interval). */
  readonly maintainEveryMs?: number;
  /** Timeout of store RPCs in ms (default: the transport's). */
  readonly timeoutMs?: number;
  /** Bytes each remote peer may store on this node through store_put; 0: no limit (default 16 GiB). */
  readonly quotaBytesPerPeer?: number;
}

export interface PutResult {
  readonly key: string;
  /** The key's ring id, lowercase hex. */
  readonly id: string;
  readonly size: number;
  /** SHA-256 of the value, lowercase hex. */
  readonly digest: string;
  /** The nodes that acknowledged a copy, the owner first. */
  readonly holders: readonly NodeRefJson[];
}

export interface KeyListing {
  readonly primary: number;
  readonly replica: number;
  readonly entries: readonly { key: string; id: string; kind: EntryKind; role: Role; size: number }[];
  /** More entries exist than the listing's limit. */
  readonly truncated: boolean;
}

/** Per-call options of `put`, `get` and `holders`. */
export interface StoreCallOptions {
  /** Ends the call's waits early: it rejects with ABORTED (or the signal's reason if an Error). */
  readonly signal?: AbortSignal;
}

export interface FetchOptions extends StoreCallOptions {
  readonly timeoutMs?: number;
}

export class RingStore {
  readonly blobs: BlobStore;
  private readonly ctx: StoreContext;
  private readonly maintainer: StoreMaintainer;
  /** The maintenance pass, on the node's ticker (its own period, not tied to stabilization rounds). */
  private readonly pass: TickerJob;
  private running: Promise<MaintenanceReport> | null = null;
  /** Passes in a row that could not check everything (each retried sooner than the period). */
  private failedPasses = 0;
  /** When this node last threaded in a node of another ring (see `merging`). */
  private mergedAt = Number.NEGATIVE_INFINITY;
  private unsubscribe: (() => void)[] = [];
  private started = false;
  private readonly onJoin = (succ: NodeRef) => this.pullShare(succ);
  private readonly onLeave = (succ: NodeRef) => this.maintainer.leaveHandOff(succ);

  constructor(
    readonly node: ChordNode,
    private readonly opts: RingStoreOptions = {},
  ) {
    this.blobs = opts.store ?? new MemoryBlobStore();
    const r = opts.replicas ?? DEFAULT_REPLICAS;
    if (!Number.isInteger(r) || r < 1 || r > 64) throw new RangeError(`replicas must be an integer in 1..64, got ${r}`);
    this.ctx = new StoreContext(node, this.blobs, r, opts.timeoutMs, new StoreQuota(opts.quotaBytesPerPeer));
    this.maintainer = new StoreMaintainer(this.ctx);
    this.pass = node.job(() => this.runPass());
    registerHandlers(this.ctx);
  }

  get replicas(): number {
    return this.ctx.replicas;
  }

  /** Serves store messages, follows ring changes and starts the periodic maintenance. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.ctx.start();
    this.node.afterJoin.push(this.onJoin);
    this.node.beforeLeave.push(this.onLeave);
    const soon = () => this.schedule(this.merging() ? 0 : this.node.stabilization.intervalMs() * CHANGE_DELAY_ROUNDS);
    this.unsubscribe = [
      this.node.bus.on('ring:predecessor-changed', () => (this.ctx.reclassify(), soon())),
      this.node.bus.on('ring:successors-changed', soon),
      // Two rings merge here: what each stored apart moves to its holders in the merged ring now,
      // not at the next periodic pass (the pointer changes that follow schedule more passes).
      this.node.bus.on('ring:merged', () => {
        this.mergedAt = this.node.clock.now();
        this.schedule(0);
      }),
    ];
    this.ctx.changed();
    this.schedule(this.periodMs());
  }

  /**
   * Stops serving and maintaining: requests in flight are abandoned at once, then the pass in
   * progress (if any) is awaited, so the blob store may be closed right after. It stays open.
   */
  async stop(): Promise<void> {
    this.started = false;
    this.ctx.stop();
    remove(this.node.afterJoin, this.onJoin);
    remove(this.node.beforeLeave, this.onLeave);
    for (const u of this.unsubscribe) u();
    this.pass.cancel();
    await this.running?.catch(() => undefined); // its failure is reported to whoever started the pass
  }

  /** Stores `bytes` under `key` on the key's owner and its next r-1 successors. */
  async put(
    key: string,
    bytes: Uint8Array,
    kind: EntryKind = 'value',
    opts: StoreCallOptions = {},
  ): Promise<PutResult> {
    this.ctx.assertRunning();
    const id = this.ctx.idOf(key);
    if (bytes.byteLength > MAX_VALUE_BYTES)
      throw new StoreError('TOO_LARGE', `value of ${bytes.byteLength} bytes exceeds ${MAX_VALUE_BYTES}`);
    let last: unknown = null;
    for (let attempt = 0; attempt < PUT_ATTEMPTS; attempt++) {
      if (attempt > 0) await this.ctx.sleep(this.node.stabilization.intervalMs());
      try {
        const holders = await this.putOnce(key, id, kind, bytes, opts.signal);
        return {
          key,
          id: id.toString(16),
          size: bytes.byteLength,
          digest: digestOf(bytes),
          holders: holders.map(refToJson),
        };
      } catch (e) {
        // The same on every node (QUOTA: the owner refuses us more); a remote STOPPED is just an owner going away.
        if (this.ctx.stopped || opts.signal?.aborted || ['TOO_LARGE', 'BAD_KEY', 'QUOTA'].includes(errorCode(e)))
          throw e;
        last = e;
        this.node.log('warn', 'store', `put ${JSON.stringify(key)} attempt ${attempt + 1}: ${(e as Error).message}`);
      }
    }
    throw new StoreError(
      'UNAVAILABLE',
      `could not store ${JSON.stringify(key)} on ${this.replicas} nodes: ${(last as Error).message}`,
    );
  }

  /** The value under `key`, from its owner or, failing that, the nodes after it. */
  async get(key: string, opts: StoreCallOptions = {}): Promise<Uint8Array> {
    this.ctx.assertRunning();
    const { owner, asker } = await this.locate(this.ctx.idOf(key), opts.signal);
    const first = await this.readOrSkip(owner.address, key, opts.signal);
    if (first) return first;
    let unanswered = first === undefined ? 1 : 0;
    const n = this.replicas + GET_EXTRA_CANDIDATES;
    const rest = (await this.chain(owner, asker, unanswered === 0, n, opts.signal)).slice(1);
    for (const node of rest) {
      const value = await this.readOrSkip(node.address, key, opts.signal);
      if (value) return value;
      if (value === undefined) unanswered++;
    }
    const asked = rest.length + 1;
    if (unanswered > 0)
      throw new StoreError(
        'UNAVAILABLE',
        `${JSON.stringify(key)}: ${unanswered} of ${asked} holders did not answer, the others lack it`,
      );
    throw new StoreError('NOT_FOUND', `${JSON.stringify(key)} is not stored in the ring (asked ${asked} nodes)`);
  }

  /** The nodes that should hold `key`: its owner, then the owner's next r-1 successors. */
  async holders(key: string, opts: StoreCallOptions = {}): Promise<NodeRefJson[]> {
    const { owner, asker } = await this.locate(this.ctx.idOf(key), opts.signal);
    return (await this.chain(owner, asker, true, this.replicas, opts.signal)).map(refToJson);
  }

  /** Reads `key` from one given node (a downloader fetching chunks from several holders). */
  async fetchFrom(address: string, key: string, opts: FetchOptions = {}): Promise<Uint8Array> {
    this.ctx.assertRunning();
    const value = await this.readAt(address, key, opts);
    if (!value) throw new StoreError('NOT_FOUND', `${address} does not hold ${JSON.stringify(key)}`);
    return value;
  }

  /** Whether this node holds a copy of `key` (as primary or replica). */
  has(key: string): boolean {
    return this.blobs.meta(key) !== null;
  }

  /** How this node holds `key` locally, if at all. */
  holds(key: string): Role | null {
    return this.blobs.meta(key)?.role ?? null;
  }

  counts(): RoleCounts {
    return this.blobs.counts();
  }

  /** What this node holds, in ring order, with counts (the `keys` command). */
  keys(limit = 10_000): KeyListing {
    const metas = this.blobs.scan({ after: null, upTo: null }, null, limit + 1);
    const entries = metas
      .slice(0, limit)
      .map((m) => ({ key: m.key, id: m.id.toString(16), kind: m.kind, role: m.role, size: m.size }));
    return { ...this.blobs.counts(), entries, truncated: metas.length > limit };
  }

  /** Runs a maintenance pass now (after the one in progress, if any). */
  async maintain(): Promise<MaintenanceReport> {
    // The earlier pass's failure went to its own caller; this one only waits its turn.
    while (this.running) await this.running.catch(() => undefined);
    const startedAt = this.node.clock.now();
    this.running = this.maintainer.pass().finally(() => (this.running = null));
    const report = await this.running;
    if (this.node.bus.wants('store:maintained')) this.node.bus.emit('store:maintained', { startedAt, ...report });
    return report;
  }

  // ---- internals -------------------------------------------------------------------

  private async putOnce(
    key: string,
    id: bigint,
    kind: EntryKind,
    bytes: Uint8Array,
    signal: AbortSignal | undefined,
  ): Promise<NodeRef[]> {
    const owner = (await this.ctx.route(id, signal)).owner;
    if (owner.address === this.node.self.address) return storeAsOwner(this.ctx, key, kind, bytes);
    const body = { key, kind, value: bytes, replica: 0 };
    const res = await this.ctx.call(owner.address, 'store_put', body, { signal });
    return res.holders.map(fromWire);
  }

  /** The owner of `id` and the node that named it (the owner's predecessor, as routing saw it). */
  private async locate(id: bigint, signal?: AbortSignal): Promise<{ owner: NodeRef; asker: NodeRef }> {
    const found = await this.ctx.route(id, signal).catch((e: Error) => {
      if (signal?.aborted) throw e;
      throw new StoreError('UNAVAILABLE', `no route to the owner of ${id.toString(16)}: ${e.message}`);
    });
    return { owner: found.owner, asker: found.path[found.path.length - 1]! };
  }

  /**
   * The owner, then the nodes after it: from the owner's own successor list (the list it
   * replicates to), or, when it does not answer, from the asker's list past the owner.
   */
  private async chain(
    owner: NodeRef,
    asker: NodeRef,
    askOwner: boolean,
    n: number,
    signal: AbortSignal | undefined,
  ): Promise<NodeRef[]> {
    let after = askOwner ? await this.successorsOf(owner, signal) : null;
    if (!after) {
      const list = (await this.successorsOf(asker, signal)) ?? [];
      const at = list.findIndex((x) => x.address === owner.address);
      after = at >= 0 ? list.slice(at + 1) : list;
    }
    // A successor list shorter than r means a small ring: it wraps back to the asker.
    // One per process: the others of a process hold no copy (distinct-hosts.ts).
    return distinctHosts([owner, ...after, asker]).slice(0, n);
  }

  private async successorsOf(node: NodeRef, signal?: AbortSignal): Promise<NodeRef[] | null> {
    if (node.address === this.node.self.address) return this.ctx.successors();
    const nb = await this.ctx.call(node.address, 'neighbours', {}, { signal }).catch((e: Error) => {
      if (signal?.aborted) throw e;
      this.node.log('debug', 'store', `successor list of ${node.address} unavailable: ${e.message}`);
      return null;
    });
    return nb ? nb.successors.map(fromWire).filter((x) => x.address !== node.address) : null;
  }

  private async readAt(address: string, key: string, opts: FetchOptions): Promise<Uint8Array | null> {
    if (address === this.node.self.address) return this.ctx.read(key);
    return (await this.ctx.call(address, 'store_get', { key }, opts)).value;
  }

  /** `readAt` for `get`: a node that does not answer is logged and reported as undefined. */
  private readOrSkip(address: string, key: string, signal?: AbortSignal): Promise<Uint8Array | null | undefined> {
    return this.readAt(address, key, { signal }).catch((e: Error) => {
      if (signal?.aborted) throw e;
      this.node.log('debug', 'store', `get ${JSON.stringify(key)}: ${address} did not answer: ${e.message}`);
      return undefined;
    });
  }

  private async pullShare(succ: NodeRef): Promise<void> {
    const n = await this.maintainer.pullFrom(succ);
    this.node.log('info', 'store', `took over ${n} entries from ${succ.address} after joining`);
  }

  /**
   * Every MAINTAIN_EVERY_ROUNDS rounds at the rate stabilization runs now: while a quiet ring has
   * stretched its rounds (see Ticker), passes stretch too; a ring change schedules one at once.
   */
  private periodMs(): number {
    return this.opts.maintainEveryMs ?? this.node.stabilization.effectiveMs() * MAINTAIN_EVERY_ROUNDS;
  }

  /** Runs a pass in `ms` unless one is due sooner; each pass schedules the next periodic one. */
  private schedule(ms: number): void {
    if (this.ctx.stopped) return;
    this.pass.runIn(ms);
  }

  /**
   * A pass that could not check every group (an owner or holder did not answer: the ring is
   * still moving, as during a merge) is retried one round later, then two, four, ... up to
   * the period; a complete pass goes back to the period.
   */
  private runPass(): void {
    this.maintain()
      .then(
        (r) => (this.failedPasses = r.failed > 0 ? this.failedPasses + 1 : 0),
        (e: Error) => this.node.log('warn', 'store', `maintenance failed: ${e.message}`),
      )
      .finally(() => this.schedule(this.nextPassMs()));
  }

  /** Within MERGE_RECONCILE_ROUNDS of a merge here: every ring change starts a pass at once. */
  private merging(): boolean {
    return this.node.clock.now() - this.mergedAt < this.node.stabilization.intervalMs() * MERGE_RECONCILE_ROUNDS;
  }

  private nextPassMs(): number {
    const period = this.periodMs();
    if (this.failedPasses === 0) return period;
    const retry = this.node.stabilization.intervalMs() * CHANGE_DELAY_ROUNDS * 2 ** (this.failedPasses - 1);
    return Math.min(period, retry);
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
