/**
 * What the parts of a ChordNode share: its routing state (a core ChordState), its transport,
 * clock, bus and ticker, the message handlers, and the few operations every part needs
 * (apply a core step's changes, send a request, route, check a peer is alive).
 *
 * Invariants:
 * - the state is only written by core steps; every change they return goes through `apply`,
 *   which counts it, publishes it on the bus and brings the ticker back to full rate;
 * - `inRing` is true from start (or join) until leave or stop; a node outside a ring answers
 *   no ring traffic and routes nothing;
 * - a wait given an AbortSignal rejects with an ABORTED error (or the signal's own coded
 *   reason) as soon as the signal aborts;
 * - a peer that does not answer brings the ticker back to full rate (a quiet ring's stretched
 *   interval never delays noticing a dead neighbour) and is remembered as lost; a peer that
 *   answers a lookup is no longer lost.
 */
import { type ChangeCause, describeChange } from './pointer-changes.js';
import type { EventBus } from '../bus/event-bus.js';
import * as core from '../core/chord-state.js';
import type { Clock } from '../core/clock.js';
import { MAX_LOOKUP_HOPS } from '../core/constants.js';
import type { LogLevel } from '../core/log.js';
import { sameNode, type NodeRef } from '../core/node-ref.js';
import type { PeerInfo, Transport } from '../transport/transport.js';
import { isBusy, P2pError, raceAbort } from '../wire/errors.js';
import type { RequestBody, RequestType, ResponseBody } from '../wire/messages.js';
import { noteFound } from '../core/lost-peers.js';
import { route, type RouteResult } from './route.js';
import { publishChange } from './state-publisher.js';
import { SuccessorVouch } from './successor-vouch.js';
import type { Ticker } from './ticker.js';
import { fromWire, toWire } from './wire-refs.js';

/** Serves one message type. */
export type Handler<T extends RequestType> = (body: RequestBody<T>, from: PeerInfo) => Promise<ResponseBody<T>>;

/** Runs after a join or before a leave, given the successor (storage takes over or hands on keys). */
export type RingHook = (successor: NodeRef) => Promise<void>;

export interface NodeSettings {
  readonly bits: number;
  readonly routing: core.Routing;
  /** Successor-list length r. */
  readonly r: number;
  readonly clock: Clock;
  readonly bus: EventBus;
}

export class NodeContext {
  readonly bits: number;
  readonly routing: core.Routing;
  readonly r: number;
  readonly clock: Clock;
  readonly bus: EventBus;
  state: core.ChordState | null = null;
  inRing = false;
  /**
   * A graceful leave is under way: the node still routes and serves reads; its store hands on
   * the copies it takes meanwhile, then takes no more (store-maintainer's leaveHandOff).
   */
  leaving = false;
  /** When the predecessor last sent a request (see predecessorHeardWithin). */
  private predecessorHeard = { address: '', at: Number.NEGATIVE_INFINITY };
  transport!: Transport;
  /** State changes so far (a round that adds none is quiet). */
  changes = 0;
  readonly afterJoin: RingHook[] = [];
  readonly beforeLeave: RingHook[] = [];
  /** When this node last heard from its successor (what the last step of a lookup vouches with). */
  readonly vouch = new SuccessorVouch(this);
  private readonly handlers = new Map<RequestType, Handler<never>>();

  constructor(
    settings: NodeSettings,
    readonly ticker: Ticker,
  ) {
    ({ bits: this.bits, routing: this.routing, r: this.r, clock: this.clock, bus: this.bus } = settings);
  }

  get st(): core.ChordState {
    if (!this.state) throw new P2pError('NOT_STARTED', 'node not started');
    return this.state;
  }

  /** The state, when this node is part of a ring (what ring traffic is answered from). */
  requireRing(): core.ChordState {
    if (!this.inRing) throw new P2pError('NOT_IN_RING', `${this.st.self.address} is not part of a ring`);
    return this.st;
  }

  /** Counts and publishes the changes a core step made; with a `cause`, explains them into its list. */
  apply(changes: readonly core.StateChange[], cause?: ChangeCause): void {
    if (changes.length === 0) return;
    const self = this.st.self;
    for (const c of changes) {
      this.changes++;
      publishChange(this.bus, self, this.bits, c);
      if (cause) cause.into.push(...describeChange(c, cause.text));
    }
    this.ticker.wake();
  }

  log(level: LogLevel, topic: string, message: string): void {
    this.bus.emit('log:line', { at: this.clock.now(), level, topic, message });
  }

  /** A request to a peer, bounded by the transport's timeout and by `signal`. */
  request<T extends RequestType>(
    to: string,
    type: T,
    body: RequestBody<T>,
    signal?: AbortSignal,
  ): Promise<ResponseBody<T>> {
    const sent = this.transport.request(to, type, body, signal ? { signal } : {});
    const p = signal ? raceAbort(sent, signal, `${type} to ${to}`) : sent;
    // The caller handles the failure; this only snaps the ticker back to full rate.
    p.catch(() => this.ticker.wake());
    return p;
  }

  /**
   * Routes to the owner of an id; nodes that did not answer are remembered as lost and their
   * fingers cleared. `verify` pings the owner first and routes past it when it is dead.
   */
  async route(id: bigint, signal?: AbortSignal, verify = false): Promise<RouteResult> {
    // A walk that ends here takes this node's own vouch: closings already reported count first.
    if (verify && this.transport.closesSeen) await this.transport.closesSeen();
    if (!this.inRing) throw new P2pError('NOT_IN_RING', 'not part of a ring: join first');
    const st = this.st;
    const localVouch = (owner: NodeRef) => this.vouch.fresh(owner);
    return route(st, this.transport, id, null, MAX_LOOKUP_HOPS, signal, { verify, localVouch }).then((r) => {
      if (r.failed.length) this.ticker.wake();
      for (const dead of r.failed) this.apply(core.nodeUnreachable(st, dead, this.clock.now()));
      if (st.lost.length) for (const n of verify ? [...r.path, r.owner] : r.path) noteFound(st.lost, n.address);
      return r;
    });
  }

  /**
   * Whether `n` answers a ping (no answer within the timeout counts as dead: that is the answer
   * sought). A BUSY answer is an answer: the node is alive, only loaded.
   */
  isAlive(n: NodeRef): Promise<boolean> {
    return this.transport.request(n.address, 'ping', {}).then(
      () => true,
      (e: unknown) => isBusy(e) || (this.ticker.wake(), false),
    );
  }

  /**
   * Asks `node` to run a stabilization round at once (it should now point at a new neighbour).
   * Settles when it answered or did not, within `timeoutMs` when given (never rejects): when it
   * does not answer, its next scheduled round does the same. A fixed timeout is not taken as a
   * sign of the peer's round-trip time.
   */
  askToStabilize(node: NodeRef, timeoutMs?: number): Promise<void> {
    return this.transport.request(node.address, 'stabilize_now', {}, { timeoutMs }).then(
      () => undefined,
      (e: Error) =>
        this.log(
          'debug',
          'stabilize',
          `asking ${node.address} to stabilize failed (its next round will do): ${e.message}`,
        ),
    );
  }

  /**
   * Tells `succ` we may be its predecessor. Returns whether it took us: 'taken', 'kept' (it
   * keeps a predecessor closer to it), or 'unknown' (an older node's reply says nothing);
   * null when it did not answer (the next round tries again).
   */
  async notify(succ: NodeRef, signal?: AbortSignal): Promise<'taken' | 'kept' | 'unknown' | null> {
    try {
      const r = await this.request(succ.address, 'notify', { node: toWire(this.st.self) }, signal);
      if (r.predecessor === undefined) return 'unknown';
      return r.predecessor && sameNode(fromWire(r.predecessor), this.st.self) ? 'taken' : 'kept';
    } catch (e) {
      if (signal?.aborted) throw e;
      return null;
    }
  }

  handle<T extends RequestType>(type: T, fn: Handler<T>): void {
    this.handlers.set(type, fn as Handler<never>);
  }

  /**
   * Whether `n` sent this node a request within `ms` (only the predecessor is tracked: its
   * rounds ask this node for its neighbours, so it shows it lives without being pinged).
   */
  predecessorHeardWithin(n: NodeRef, ms: number): boolean {
    return this.predecessorHeard.address === n.address && this.clock.now() - this.predecessorHeard.at <= ms;
  }

  /** Answers one request with its registered handler. */
  async serve<T extends RequestType>(type: T, body: RequestBody<T>, from: PeerInfo): Promise<ResponseBody<T>> {
    if (from.address && from.address === this.state?.predecessor?.address)
      this.predecessorHeard = { address: from.address, at: this.clock.now() };
    const h = this.handlers.get(type) as Handler<T> | undefined;
    if (!h) throw new P2pError('UNSUPPORTED', `no handler for ${type}`);
    return h(body, from);
  }
}
