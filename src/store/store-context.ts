/**
 * What the ring store's parts share: the node, the local BlobStore, and the rules that tie a
 * key to this node's place on the ring (its id, whether this node owns it, its role here).
 *
 * Invariants:
 * - a key's role here is 'primary' exactly when its id lies in (predecessor, self]; while the
 *   predecessor is unknown, roles are left as they were (a lone node owns everything);
 * - every change to what is held is followed by `changed()`, which publishes the counts on
 *   the bus when they moved.
 */
import { setMaxListeners } from 'node:events';
import { deadline } from '../core/clock.js';
import type { NodeRef } from '../core/node-ref.js';
import { hashId, inHalfOpen } from '../core/ring-math.js';
import type { ChordNode } from '../dht/chord-node.js';
import type { RouteResult } from '../dht/route.js';
import { abortReason, P2pError, raceAbort } from '../wire/errors.js';
import type { RequestBody, RequestType, ResponseBody } from '../wire/messages.js';
import { fromWire } from '../dht/wire-refs.js';
import { ringPages, type BlobStore, type EntryKind, type EntryMeta, type Role } from './blob-store.js';
import { MAX_KEY_LENGTH, MAX_VALUE_BYTES, PAGE_SIZE } from './store-constants.js';
import { StoreError } from './store-error.js';
import { StoreQuota } from './store-quota.js';
import { LimitLog } from '../core/limit-log.js';
import { distinctHosts } from './distinct-hosts.js';

export class StoreContext {
  stopped = false;
  /** During a leave's hand-off: the keys stored since it began (they are handed on too). */
  arrivals: Set<string> | null = null;
  /** The leave's last pass has begun: no more copies are taken (see assertMember). */
  sealed = false;
  private lastCounts = '';
  /** Aborted by `stop()`: every wait on a peer ends at once (a pass then unwinds quickly). */
  private stopper = unlimitedController();
  /** Quota refusals, logged once per peer a minute. */
  private readonly limitLog: LimitLog;

  constructor(
    readonly node: ChordNode,
    readonly blobs: BlobStore,
    /** Copies per key (r). */
    readonly replicas: number,
    /** Timeout of store RPCs in ms (undefined: the transport's default). */
    readonly timeoutMs: number | undefined,
    /** Bytes each remote peer may store here through store_put. */
    readonly quota: StoreQuota = new StoreQuota(),
  ) {
    this.limitLog = new LimitLog(
      (level, topic, message) => node.log(level, topic, message),
      () => node.clock.now(),
    );
  }

  get self(): NodeRef {
    return this.node.self;
  }

  idOf(key: string): bigint {
    checkKey(key);
    return hashId(key, this.node.bits);
  }

  /** This node's successor list, nearest first, without itself. */
  successors(): NodeRef[] {
    const self = this.self.address;
    return this.node
      .snapshot({ fingers: false })
      .successors.map(fromWire)
      .filter((n) => n.address !== self);
  }

  /**
   * Where this node's keys are copied: its successors, the nearest virtual node of each other
   * process, never one of this node's own process (one process is one machine to fail).
   */
  replicaTargets(): NodeRef[] {
    return distinctHosts(this.successors(), [this.self.address]);
  }

  /** What roles depend on: the predecessor (null when unknown) and whether this node is alone. */
  view(): RingView {
    const snap = this.node.snapshot({ fingers: false });
    const alone = snap.successors.every((n) => n.address === snap.address);
    return { pred: snap.predecessor ? fromWire(snap.predecessor) : null, alone };
  }

  /** Whether this node owns `id`; `unknownAs` when the predecessor is unknown. */
  owns(id: bigint, unknownAs = true): boolean {
    const role = this.roleFor(id);
    return role === null ? unknownAs : role === 'primary';
  }

  /** The role a key with this id has here, or null while that cannot be told. */
  roleFor(id: bigint, view = this.view()): Role | null {
    if (view.alone) return 'primary';
    if (!view.pred) return null;
    return inHalfOpen(id, view.pred.id, this.self.id) ? 'primary' : 'replica';
  }

  /**
   * Stores a value; `from` is the peer that sent it (see peerKey), charged against its quota
   * (QUOTA when over it, nothing stored), or undefined for this node's own writes.
   */
  async save(key: string, kind: EntryKind, bytes: Uint8Array, role?: Role, from?: string): Promise<EntryMeta> {
    const id = this.idOf(key);
    if (bytes.byteLength > MAX_VALUE_BYTES)
      throw new StoreError('TOO_LARGE', `value of ${bytes.byteLength} bytes exceeds ${MAX_VALUE_BYTES}`);
    // This node's own writes (handoff, repair) leave the ledger as it is: a key stays charged to
    // the peer that wrote it until it is dropped or another peer rewrites it.
    const undo = from === undefined ? null : this.charge(from, key, bytes.byteLength);
    let meta: EntryMeta;
    try {
      meta = await this.blobs.put({ key, id, kind, role: role ?? this.roleFor(id) ?? 'replica', bytes });
    } catch (e) {
      undo?.();
      throw e;
    }
    this.arrivals?.add(key);
    this.changed();
    return meta;
  }

  /** Charges `from` for a put, logging a refusal once per peer a minute. */
  private charge(from: string, key: string, bytes: number): () => void {
    try {
      return this.quota.charge(from, key, bytes);
    } catch (e) {
      this.limitLog.note(from, 'quota', `refusing store_put from ${from}: ${(e as Error).message}`, 'warn', 'store');
      throw e;
    }
  }

  read(key: string): Promise<Uint8Array | null> {
    return this.blobs.get(key);
  }

  /** Removes a key if it still has `digest`. */
  async drop(key: string, digest: string): Promise<boolean> {
    const gone = await this.blobs.delete(key, digest);
    if (gone) this.quota.forget(key);
    if (gone) this.changed();
    return gone;
  }

  /** Re-derives every entry's role from the current predecessor (local, synchronous work). */
  reclassify(): void {
    const view = this.view();
    if (this.roleFor(this.self.id, view) === null) return;
    for (const page of ringPages(this.blobs, this.self.id, this.self.id, PAGE_SIZE)) {
      for (const m of page) {
        const role = this.roleFor(m.id, view)!;
        if (m.role !== role) this.blobs.setRole(m.key, role);
      }
    }
    this.changed();
  }

  /** Publishes `store:keys-changed` when the counts moved since the last time. */
  changed(): void {
    const counts = this.blobs.counts();
    const text = `${counts.primary}/${counts.replica}`;
    if (text === this.lastCounts) return;
    this.lastCounts = text;
    this.node.bus.emit('store:keys-changed', counts);
  }

  start(): void {
    this.stopped = false;
    if (this.stopper.signal.aborted) this.stopper = unlimitedController();
  }

  stop(): void {
    this.stopped = true;
    this.stopper.abort(new StoreError('STOPPED', 'the ring store is stopped'));
  }

  /** A request to a peer, bounded by its timeout, `signal` and the store's shutdown. */
  call<T extends RequestType>(
    to: string,
    type: T,
    body: RequestBody<T>,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ResponseBody<T>> {
    const signal = this.untilStopped(opts.signal);
    if (signal.aborted) return Promise.reject(abortReason(signal, `${type} to ${to}`));
    const request = this.node.request(to, type, body, { timeoutMs: opts.timeoutMs ?? this.timeoutMs });
    return raceAbort(request, signal, `${type} to ${to}`);
  }

  /** Routes to the owner of `id` (ends at once on shutdown, or when `signal` aborts). */
  route(id: bigint, signal?: AbortSignal): Promise<RouteResult> {
    const until = this.untilStopped(signal);
    const what = `route to ${id.toString(16)}`;
    if (until.aborted) return Promise.reject(abortReason(until, what));
    return raceAbort(this.node.route(id, { signal: until }), until, what);
  }

  /** `signal` combined with the store's shutdown. */
  private untilStopped(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.stopper.signal]) : this.stopper.signal;
  }

  assertRunning(): void {
    if (this.stopped) throw new StoreError('STOPPED', 'the ring store is stopped');
  }

  /**
   * For what others count as a copy held here (store_put, store_sync): a node that left the
   * ring (its process may be ended any moment) neither takes copies nor confirms the ones it
   * has, or a peer would drop its own copy, or count a put as done, on this node's word.
   */
  assertMember(): void {
    this.assertRunning();
    if (!this.node.member) throw new P2pError('NOT_IN_RING', `${this.self.address} left the ring: it keeps no copies`);
    // A leaver hands on what it takes until its last pass (arrivals); what it took after that
    // would leave with it, nor may it count as a copy then (a confirmation lets a peer drop its own).
    if (this.node.leaving && this.sealed)
      throw new P2pError('NOT_IN_RING', `${this.self.address} is leaving the ring: it takes no more copies`);
  }

  /** A signal that aborts after `ms` on the node's clock (virtual in simulations); `clear` when done. */
  deadline(ms: number): { signal: AbortSignal; clear: () => void } {
    return deadline(this.node.clock, ms, new StoreError('UNAVAILABLE', `no answer within ${ms} ms`));
  }

  /** Resolves after `ms` on the node's clock (virtual in simulations). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.node.clock.setTimeout(resolve, ms));
  }
}

export interface RingView {
  readonly pred: NodeRef | null;
  readonly alone: boolean;
}

export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new StoreError('BAD_KEY', `a key must be 1..${MAX_KEY_LENGTH} characters`);
  }
}

/** One signal is shared by every request in flight: many listeners on it are expected. */
function unlimitedController(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}
