/**
 * A Chord (or naive) ring member: the public face of the node runtime. It drives the sans-IO
 * core (../core/chord-state) with a clock and a transport through its parts: the message
 * handlers (./handlers), the stabilizer and its ticker, membership (join and leave), finger
 * fixing, and the state publisher that puts every change on the event bus. Nothing outside
 * the node touches its routing state; readers get snapshots.
 *
 * Invariants:
 * - the node has one ticker; it drives the stabilization rounds and every timed job hung
 *   off the node (`job`), and `stop()` ends them all;
 * - every public wait that can hang (join, lookup, leave, route) takes an optional
 *   AbortSignal and rejects with an ABORTED error when it aborts.
 */
import type { Clock } from '../core/clock.js';
import { realClock } from '../io/real-clock.js';
import { DEFAULT_BITS, DEFAULT_STABILIZE_MS, DEFAULT_SUCCESSORS, LONE_BACKOFF } from '../core/constants.js';
import * as core from '../core/chord-state.js';
import type { NodeRef, NodeRefJson } from '../core/node-ref.js';
import { assertBits, hashId } from '../core/ring-math.js';
import { EventBus } from '../bus/event-bus.js';
import type { LookupResult } from '../bus/events.js';
import type { LogLevel } from '../core/log.js';
import type { LocalIdentity, RequestOptions, Transport } from '../transport/transport.js';
import { P2pError } from '../wire/errors.js';
import type { RequestBody, RequestType, ResponseBody } from '../wire/messages.js';
import { refreshFingers } from './finger-fixer.js';
import { registerHandlers } from './handlers/register-handlers.js';
import { join, leave } from './membership.js';
import { NodeContext, type Handler, type RingHook } from './node-context.js';
import { snapshotOf, type NodeSnapshot } from './node-snapshot.js';
import type { RouteResult } from './route.js';
import { stabilizationControls, type StabilizationControls } from './stabilization-controls.js';
import { RingMerger } from './ring-merger.js';
import { Stabilizer } from './stabilizer.js';
import { Ticker } from './ticker.js';
import type { TickerJob } from './ticker-job.js';
import { toJson } from './wire-refs.js';

export type { NodeSnapshot } from './node-snapshot.js';

export interface ChordNodeOptions {
  /** Builds the transport; `identity` is read when connections open (the id follows the address). */
  readonly transport: (identity: () => LocalIdentity) => Transport | Promise<Transport>;
  /**
   * The address the node will listen on, when known before start() (an explicit port): the
   * node then has its id and a ring of one from construction, so a console can draw it while
   * the socket is still being opened. start() checks that the transport got this address.
   */
  readonly address?: string;
  readonly clock?: Clock;
  /** Identifier width m, 1..160 (default 160). */
  readonly bits?: number;
  /** 'chord' (finger tables) or 'naive' (successor walk). Default 'chord'. */
  readonly routing?: core.Routing;
  /** Successor-list length r (default 8). */
  readonly successors?: number;
  /** Interval between stabilization rounds in ms (default 500). */
  readonly stabilizeMs?: number;
  /**
   * While rounds change nothing, the interval doubles up to this many times its value; any
   * change brings it back (see Ticker). Default 1: never back off.
   */
  readonly backoff?: number;
  readonly bus?: EventBus;
}

/** Options of the waits that can take long (join, lookup, leave, route). */
export interface WaitOptions {
  /** Aborts the wait: it then rejects with an ABORTED error. */
  readonly signal?: AbortSignal;
}

export class ChordNode {
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly bits: number;
  readonly routing: core.Routing;
  /** Called after this node joined a ring (storage takes over its keys). */
  readonly afterJoin: RingHook[];
  /** Called before this node leaves gracefully (storage hands its keys on). */
  readonly beforeLeave: RingHook[];
  /** Stabilization controls (the console's pause / single-step / speed). */
  readonly stabilization: StabilizationControls;
  private readonly ctx: NodeContext;
  private readonly stabilizer: Stabilizer;
  private readonly merger: RingMerger;
  private cachedIdentity: LocalIdentity | null = null;
  /** The ring members of this node's process, this one included (see vnode-group.ts). */
  private group: readonly ChordNode[] = [this];

  constructor(private readonly opts: ChordNodeOptions) {
    this.bits = opts.bits ?? DEFAULT_BITS;
    assertBits(this.bits);
    this.routing = opts.routing ?? 'chord';
    this.clock = opts.clock ?? realClock;
    this.bus = opts.bus ?? new EventBus();
    const ticker = new Ticker(
      this.clock,
      opts.stabilizeMs ?? DEFAULT_STABILIZE_MS,
      // After each round the lost peers due are probed (a healed partition merges; ring-merger.ts).
      () => this.stabilizer.round().finally(() => this.merger.schedule()),
      () => this.stretchLimit(),
      (e) => this.log('error', 'stabilize', `round failed: ${(e as Error).message}`),
    );
    const r = Math.max(1, opts.successors ?? DEFAULT_SUCCESSORS);
    this.ctx = new NodeContext({ bits: this.bits, routing: this.routing, r, clock: this.clock, bus: this.bus }, ticker);
    this.stabilizer = new Stabilizer(this.ctx);
    this.merger = new RingMerger(this.ctx);
    this.stabilization = stabilizationControls(ticker);
    this.afterJoin = this.ctx.afterJoin;
    this.beforeLeave = this.ctx.beforeLeave;
    registerHandlers(this.ctx);
    if (opts.address) this.ctx.state = core.createState(this.ref(opts.address), this.bits, this.routing, r);
  }

  /**
   * How far quiet rounds may stretch the interval: the configured backoff, or LONE_BACKOFF for a
   * node alone on its ring (nothing to stabilize; a joiner's notify is a change and wakes it).
   */
  private stretchLimit(): number {
    const backoff = Math.max(1, this.opts.backoff ?? 1);
    const st = this.ctx.state;
    return backoff > 1 && st && core.isAlone(st) && !st.predecessor ? Math.max(backoff, LONE_BACKOFF) : backoff;
  }

  /** Listens; the node then forms a ring of its own until it joins another. */
  async start(): Promise<{ id: string; address: string }> {
    const ctx = this.ctx;
    ctx.transport = await this.opts.transport(() => this.identity());
    const address = await ctx.transport.listen((type, body, from) => ctx.serve(type, body, from));
    if (this.opts.address && address !== this.opts.address) {
      await ctx.transport.close();
      throw new P2pError('BAD_ADDRESS', `listening on ${address}, not on ${this.opts.address} as planned`);
    }
    const self = this.ref(address);
    ctx.state ??= core.createState(self, this.bits, this.routing, ctx.r);
    ctx.inRing = true;
    this.stabilizer.start();
    this.bus.emit('node:listening', { id: self.id.toString(16), address });
    this.log(
      'info',
      'node',
      `listening on ${address} as ${self.id.toString(16)} (${this.routing}, ${this.bits}-bit ids)`,
    );
    return { id: self.id.toString(16), address };
  }

  /** Whether this node currently belongs to a ring (false after leave or stop). */
  get member(): boolean {
    return this.ctx.inRing;
  }

  /** Whether a graceful leave is under way (its keys are being handed on). */
  get leaving(): boolean {
    return this.ctx.leaving;
  }

  get self(): NodeRef {
    return this.ctx.st.self;
  }

  /** Joins the ring that `address` belongs to. */
  join(address: string, opts: WaitOptions = {}): Promise<void> {
    return join(this.ctx, address, opts.signal);
  }

  /** Finds the owner of a key (hashed with SHA-1 to the ring's width). */
  async lookup(key: string, opts: WaitOptions = {}): Promise<LookupResult & { rpcs: number }> {
    return this.lookupId(hashId(key, this.bits), opts);
  }

  async lookupId(id: bigint, opts: WaitOptions = {}): Promise<LookupResult & { rpcs: number }> {
    const started = this.clock.now();
    const r = await this.route(id, opts);
    const result = {
      key: id.toString(16),
      owner: toJson(r.owner),
      hops: r.hops,
      path: r.path.map(toJson),
      ms: this.clock.now() - started,
      rpcs: r.rpcs,
    };
    if (this.bus.wants('lookup:done')) this.bus.emit('lookup:done', result);
    return result;
  }

  /** Leaves gracefully: hands keys on, tells both neighbours, then stays up outside any ring. */
  leave(opts: WaitOptions = {}): Promise<void> {
    return leave(this.ctx, opts.signal);
  }

  /** Stops without telling anyone (as a crash looks to the others) and frees the port. */
  async stop(): Promise<void> {
    this.stabilizer.stop();
    this.ctx.inRing = false;
    await this.ctx.transport?.close();
  }

  /** A read-only view of the routing state. */
  snapshot(opts: { fingers?: boolean } = {}): NodeSnapshot {
    return snapshotOf(this.ctx.st, this.ctx.inRing, opts.fingers !== false);
  }

  /** The ring members of this node's process (`--vnodes`) that have an address, member 0 first. */
  processMembers(): NodeRefJson[] {
    return this.group.filter((n) => n.ctx.state).map((n) => toJson(n.self));
  }

  /** Tells each node of `nodes` that they are the ring members of one process (vnode-group.ts). */
  static groupAsProcess(nodes: readonly ChordNode[]): void {
    for (const n of nodes) n.group = nodes;
  }

  /** The peers this node lost and probes now and then (a healed partition is found through them). */
  lostPeers(): NodeRefJson[] {
    return this.ctx.state ? this.ctx.state.lost.map((p) => toJson(p.node)) : [];
  }

  /** Forgets every lost peer (they are no longer routed around, nor probed). */
  forgetLostPeers(): void {
    this.ctx.state?.lost.splice(0);
  }

  /** Fixes every finger now, one lookup per distinct finger (the console's "refresh fingers"). */
  refreshFingers(): Promise<number> {
    return refreshFingers(this.ctx);
  }

  /** Lets a service (the ring store) answer its own message types over this node's transport. */
  handle<T extends RequestType>(type: T, fn: Handler<T>): void {
    this.ctx.handle(type, fn);
  }

  /** Sends a request over this node's transport (services use it to reach peers). */
  request<T extends RequestType>(
    to: string,
    type: T,
    body: RequestBody<T>,
    opts: RequestOptions = {},
  ): Promise<ResponseBody<T>> {
    const p = this.ctx.transport.request(to, type, body, opts);
    // The caller handles the failure; a peer that did not answer only brings the ticker to full rate.
    p.catch(() => this.ctx.ticker.wake());
    return p;
  }

  /**
   * Routes to the owner of an id without publishing a lookup event. The owner answered a ping
   * on the way: a node believed dead, or one that does not answer, is never named.
   */
  route(id: bigint, opts: WaitOptions = {}): Promise<RouteResult> {
    return this.ctx.route(id, opts.signal, true);
  }

  /**
   * A timed job on the node's ticker (the ring store's maintenance pass): it keeps its own
   * schedule in ms, not tied to stabilization rounds, and is cancelled when the node stops.
   */
  job(run: () => void): TickerJob {
    return this.ctx.ticker.job(run);
  }

  log(level: LogLevel, topic: string, message: string): void {
    this.ctx.log(level, topic, message);
  }

  private ref(address: string): NodeRef {
    return { id: hashId(address, this.bits), address };
  }

  private identity(): LocalIdentity {
    if (this.cachedIdentity) return this.cachedIdentity;
    const st = this.ctx.state;
    const identity = { id: st ? st.self.id.toString(16) : '0', bits: this.bits, routing: this.routing };
    if (st) this.cachedIdentity = identity; // the id is fixed once the address is known
    return identity;
  }
}
