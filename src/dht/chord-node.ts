/**
 * A Chord (or naive) ring member: drives the sans-IO core in ../core/chord-state with a
 * clock and a transport, and publishes every change on the event bus. Nothing outside this
 * class touches its routing state; readers get snapshots.
 */
import type { Clock } from '../core/clock.js';
import { realClock } from '../io/real-clock.js';
import { DEFAULT_BITS, DEFAULT_STABILIZE_MS, DEFAULT_SUCCESSORS, MAX_LOOKUP_HOPS } from '../core/constants.js';
import * as core from '../core/chord-state.js';
import type { NodeRef, NodeRefJson } from '../core/node-ref.js';
import { sameNode } from '../core/node-ref.js';
import { assertBits, fingerStart, hashId, inOpen } from '../core/ring-math.js';
import { EventBus } from '../bus/event-bus.js';
import type { LookupResult, StabilizeOutcome } from '../bus/events.js';
import type { LogLevel } from '../core/log.js';
import type { LocalIdentity, PeerInfo, RequestOptions, Transport } from '../transport/transport.js';
import { IncompatiblePeerError, P2pError } from '../wire/errors.js';
import type { RequestBody, RequestType, ResponseBody } from '../wire/messages.js';
import { route, type RouteResult } from './route.js';
import { Ticker } from './ticker.js';
import { fromWire, toJson, toWire } from './wire-refs.js';

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

export interface NodeSnapshot {
  readonly id: string;
  readonly address: string;
  readonly routing: core.Routing;
  readonly bits: number;
  readonly inRing: boolean;
  readonly predecessor: NodeRefJson | null;
  readonly successors: NodeRefJson[];
  readonly fingers: { index: number; start: string; node: NodeRefJson; fixedAt: number }[];
}

type Handler<T extends RequestType> = (body: RequestBody<T>, from: PeerInfo) => Promise<ResponseBody<T>>;

export class ChordNode {
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly bits: number;
  readonly routing: core.Routing;
  private readonly r: number;
  private transport!: Transport;
  private state: core.ChordState | null = null;
  private ticker: Ticker;
  private inRing = false;
  /** State changes so far (a round that adds none is quiet). */
  private changes = 0;
  private cachedIdentity: LocalIdentity | null = null;
  private readonly handlers = new Map<RequestType, Handler<never>>();
  /** Called after this node joined a ring (storage takes over its keys). */
  readonly afterJoin: ((successor: NodeRef) => Promise<void>)[] = [];
  /** Called before this node leaves gracefully (storage hands its keys on). */
  readonly beforeLeave: ((successor: NodeRef) => Promise<void>)[] = [];

  constructor(private readonly opts: ChordNodeOptions) {
    this.bits = opts.bits ?? DEFAULT_BITS;
    assertBits(this.bits);
    this.routing = opts.routing ?? 'chord';
    this.r = Math.max(1, opts.successors ?? DEFAULT_SUCCESSORS);
    this.clock = opts.clock ?? realClock;
    this.bus = opts.bus ?? new EventBus();
    this.ticker = new Ticker(
      this.clock,
      opts.stabilizeMs ?? DEFAULT_STABILIZE_MS,
      () => this.round(),
      Math.max(1, opts.backoff ?? 1),
    );
    this.registerCoreHandlers();
    if (opts.address)
      this.state = core.createState(
        { id: hashId(opts.address, this.bits), address: opts.address },
        this.bits,
        this.routing,
        this.r,
      );
  }

  /** Listens; the node then forms a ring of its own until it joins another. */
  async start(): Promise<{ id: string; address: string }> {
    this.transport = await this.opts.transport(() => this.identity());
    const address = await this.transport.listen((type, body, from) => this.serve(type, body, from));
    if (this.opts.address && address !== this.opts.address) {
      await this.transport.close();
      throw new P2pError('BAD_ADDRESS', `listening on ${address}, not on ${this.opts.address} as planned`);
    }
    const self: NodeRef = { id: hashId(address, this.bits), address };
    this.state ??= core.createState(self, this.bits, this.routing, this.r);
    this.inRing = true;
    this.ticker.start(this.jitter());
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
    return this.inRing;
  }

  get self(): NodeRef {
    return this.st.self;
  }

  /** Joins the ring that `address` belongs to. */
  async join(address: string): Promise<void> {
    const st = this.st;
    if (address === st.self.address) throw new P2pError('BAD_JOIN', 'cannot join through this node itself');
    if (!core.isAlone(st) || st.predecessor)
      throw new P2pError('ALREADY_JOINED', 'already part of a ring: leave first');
    const bootstrap = await this.contact(address);
    const found = await route(st, this.transport, st.self.id, bootstrap, MAX_LOOKUP_HOPS);
    if (found.owner.id === st.self.id) throw idTaken(found.owner);
    // The answer may be stale while others join too: step back to the closest live successor.
    const walked = await this.closerSuccessor(
      st,
      found.owner,
      await this.transport.request(found.owner.address, 'neighbours', {}),
    );
    const [succ, nb] = [walked.node, walked.neighbours];
    if (succ.id === st.self.id) throw idTaken(succ);
    this.apply(core.setSuccessors(st, succ, nb.successors.map(fromWire)));
    if (this.routing === 'chord') {
      const f = await this.transport.request(succ.address, 'fingers', {});
      core.seedFingers(st, [succ, ...f.fingers.map(fromWire)]);
    }
    this.inRing = true;
    await this.notify(succ);
    // Nudge the node that should now point at us, so the ring is whole before its next round.
    const nudge = nb.predecessor?.address ?? succ.address;
    void this.transport.request(nudge, 'stabilize_now', {}).catch(() => {});
    this.bus.emit('node:joined', { via: address, successor: toJson(succ) });
    this.log('info', 'ring', `joined via ${address}: successor ${succ.address} after ${found.hops} hops`);
    for (const hook of this.afterJoin)
      await hook(succ).catch((e) => this.log('warn', 'ring', `after-join: ${(e as Error).message}`));
  }

  /** Finds the owner of a key (hashed with SHA-1 to the ring's width). */
  async lookup(key: string): Promise<LookupResult & { rpcs: number }> {
    return this.lookupId(hashId(key, this.bits));
  }

  async lookupId(id: bigint): Promise<LookupResult & { rpcs: number }> {
    const started = this.clock.now();
    const r = await this.route(id);
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
  async leave(): Promise<void> {
    const st = this.st;
    if (!this.inRing) throw new P2pError('NOT_IN_RING', 'not part of a ring');
    const succ = core.successorOf(st);
    const pred = st.predecessor;
    if (!core.isAlone(st)) {
      for (const hook of this.beforeLeave) await hook(succ);
      const self = toWire(st.self);
      await this.transport
        .request(succ.address, 'leaving', { node: self, predecessor: pred ? toWire(pred) : null, successors: [] })
        .catch(() => {});
      if (pred && !sameNode(pred, st.self)) {
        await this.transport
          .request(pred.address, 'leaving', { node: self, predecessor: null, successors: st.successors.map(toWire) })
          .catch(() => {});
      }
    }
    this.inRing = false;
    this.state = core.createState(st.self, this.bits, this.routing, this.r);
    this.bus.emit('node:left', { graceful: true });
    this.log('info', 'ring', 'left the ring');
  }

  /** Stops without telling anyone (as a crash looks to the others) and frees the port. */
  async stop(): Promise<void> {
    this.ticker.stop();
    this.inRing = false;
    await this.transport?.close();
  }

  /** A read-only view of the routing state. */
  snapshot(opts: { fingers?: boolean } = {}): NodeSnapshot {
    const st = this.st;
    const fingers: NodeSnapshot['fingers'] = [];
    if (opts.fingers !== false)
      st.fingers.forEach((n, i) => {
        if (n)
          fingers.push({
            index: i,
            start: fingerStart(st.self.id, i, this.bits).toString(16),
            node: toJson(n),
            fixedAt: st.fingerFixedAt[i]!,
          });
      });
    return {
      id: st.self.id.toString(16),
      address: st.self.address,
      routing: this.routing,
      bits: this.bits,
      inRing: this.inRing,
      predecessor: st.predecessor ? toJson(st.predecessor) : null,
      successors: st.successors.map(toJson),
      fingers,
    };
  }

  /** Stabilization controls (the console's pause / single-step / speed). */
  readonly stabilization = {
    pause: () => this.ticker.pause(),
    resume: () => this.ticker.resume(),
    step: () => this.ticker.step(),
    setIntervalMs: (ms: number) => this.ticker.setInterval(ms),
    isPaused: () => this.ticker.paused,
    intervalMs: () => this.ticker.intervalMs,
    /** The wait before the next round now: the interval, or longer while the ring is quiet. */
    effectiveMs: () => this.ticker.effectiveMs,
  };

  /** Fixes every finger now, one lookup per distinct finger (the console's "refresh fingers"). */
  async refreshFingers(): Promise<number> {
    const st = this.st;
    if (st.routing !== 'chord' || !this.inRing) return 0;
    st.nextFinger = 0;
    let lookups = 0;
    for (let guard = 0; guard < this.bits; guard++) {
      const changes: core.StateChange[] = [];
      const before = st.nextFinger;
      const i = core.nextFingerToFix(st, this.clock.now(), changes);
      this.apply(changes);
      if (i === null || (guard > 0 && st.nextFinger <= before && i < before)) break;
      const r = await this.route(fingerStart(st.self.id, i, this.bits)).catch(() => null);
      lookups++;
      if (r && st === this.state) this.apply(core.setFinger(st, i, r.owner, this.clock.now()));
      if (st.nextFinger <= i) break;
    }
    return lookups;
  }

  /** Lets a service (the ring store) answer its own message types over this node's transport. */
  handle<T extends RequestType>(type: T, fn: Handler<T>): void {
    this.handlers.set(type, fn as Handler<never>);
  }

  /** Sends a request over this node's transport (services use it to reach peers). */
  request<T extends RequestType>(
    to: string,
    type: T,
    body: RequestBody<T>,
    opts: RequestOptions = {},
  ): Promise<ResponseBody<T>> {
    return this.transport.request(to, type, body, opts);
  }

  /** Routes to the owner of an id without publishing a lookup event. */
  route(id: bigint): Promise<RouteResult> {
    if (!this.inRing) return Promise.reject(new P2pError('NOT_IN_RING', 'not part of a ring: join first'));
    return route(this.st, this.transport, id, null, MAX_LOOKUP_HOPS).then((r) => {
      for (const dead of r.failed) this.forgetFinger(dead);
      return r;
    });
  }

  log(level: LogLevel, topic: string, message: string): void {
    this.bus.emit('log:line', { at: this.clock.now(), level, topic, message });
  }

  // ---- internals -------------------------------------------------------------------

  private get st(): core.ChordState {
    if (!this.state) throw new P2pError('NOT_STARTED', 'node not started');
    return this.state;
  }

  private identity(): LocalIdentity {
    if (this.cachedIdentity) return this.cachedIdentity;
    const identity = { id: this.state ? this.state.self.id.toString(16) : '0', bits: this.bits, routing: this.routing };
    if (this.state) this.cachedIdentity = identity; // the id is fixed once the address is known
    return identity;
  }

  private jitter(): number {
    // Spread first rounds over one interval so rings started together do not tick in lockstep.
    const h = Number(hashId(String(this.state?.self.address), 16));
    return 1 + ((h * this.ticker.intervalMs) >> 16);
  }

  private async contact(address: string): Promise<NodeRef> {
    try {
      const pong = await this.transport.request(address, 'ping', {});
      return { id: BigInt('0x' + pong.id), address };
    } catch (e) {
      if (e instanceof IncompatiblePeerError)
        throw new P2pError('INCOMPATIBLE', `cannot join through ${address}: ${e.message}`);
      throw new P2pError('UNREACHABLE', `cannot join through ${address}: ${(e as Error).message}`);
    }
  }

  private async serve<T extends RequestType>(type: T, body: RequestBody<T>, from: PeerInfo): Promise<ResponseBody<T>> {
    const h = this.handlers.get(type) as Handler<T> | undefined;
    if (!h) throw new P2pError('UNSUPPORTED', `no handler for ${type}`);
    return h(body, from);
  }

  private requireRing(): core.ChordState {
    if (!this.inRing) throw new P2pError('NOT_IN_RING', `${this.st.self.address} is not part of a ring`);
    return this.st;
  }

  private registerCoreHandlers(): void {
    // A node that left answers no ring traffic, not even ping: others must see it as gone.
    this.handle('ping', async () => ({ id: this.requireRing().self.id.toString(16) }));
    this.handle('neighbours', async () => {
      const st = this.requireRing();
      return { predecessor: st.predecessor ? toWire(st.predecessor) : null, successors: st.successors.map(toWire) };
    });
    this.handle('find_step', async (b) => {
      const step = core.routeStep(
        this.requireRing(),
        BigInt('0x' + b.key),
        b.exclude.length ? new Set(b.exclude) : undefined,
      );
      return { done: step.done, node: toWire(step.node) };
    });
    this.handle('notify', async (b) => {
      await this.rectify(fromWire(b.node));
      return {};
    });
    this.handle('fingers', async () => ({ fingers: uniqueRefs(this.requireRing().fingers).map(toWire) }));
    this.handle('leaving', async (b) => {
      this.onLeaving(fromWire(b.node), b.predecessor ? fromWire(b.predecessor) : null, b.successors.map(fromWire));
      return {};
    });
    this.handle('stabilize_now', async () => {
      void this.ticker.step();
      return {};
    });
  }

  private async rectify(candidate: NodeRef): Promise<void> {
    const st = this.requireRing();
    let alive = true;
    if (core.rectifyNeedsLivenessCheck(st, candidate)) alive = await this.isAlive(st.predecessor!);
    this.apply(core.rectify(st, candidate, alive));
  }

  private onLeaving(node: NodeRef, pred: NodeRef | null, succs: NodeRef[]): void {
    const st = this.requireRing();
    this.log('info', 'ring', `${node.address} is leaving`);
    const changes: core.StateChange[] = [];
    if (sameNode(st.predecessor, node)) {
      changes.push(...core.clearPredecessor(st));
      if (pred && !sameNode(pred, st.self)) changes.push(...core.rectify(st, pred, false));
    }
    if (st.successors.some((n) => sameNode(n, node))) {
      const rest = [...succs, ...st.successors].filter((n) => !sameNode(n, node));
      changes.push(...core.setSuccessors(st, rest[0] ?? st.self, rest.slice(1)));
    }
    changes.push(...core.removeNode(st, node, this.clock.now()));
    this.apply(changes);
  }

  /** One stabilization round: stabilize, fix one finger, check the predecessor. True when nothing changed. */
  private async round(): Promise<boolean> {
    if (!this.inRing || !this.state) return true;
    const st = this.state;
    const changesBefore = this.changes;
    const outcome: Mutable<StabilizeOutcome> = {
      at: this.clock.now(),
      successor: toJson(core.successorOf(st)),
      successorPredecessor: null,
      adoptedSuccessor: false,
      skippedDead: [],
      notified: false,
      fingerFixed: null,
      predecessorCheck: 'none',
      successorListChanged: false,
      healthy: false,
    };
    try {
      await this.stabilize(st, outcome);
      outcome.fingerFixed = await this.fixFinger(st);
      outcome.predecessorCheck = await this.checkPredecessor(st);
    } catch (e) {
      outcome.error = (e as Error).message;
    }
    if (this.bus.wants('stabilize:round')) this.bus.emit('stabilize:round', outcome);
    return (
      this.changes === changesBefore &&
      outcome.healthy &&
      !outcome.error &&
      outcome.skippedDead.length === 0 &&
      outcome.predecessorCheck !== 'dead'
    );
  }

  private async stabilize(st: core.ChordState, out: Mutable<StabilizeOutcome>): Promise<void> {
    const before = st.successors;
    for (let attempt = 0; attempt <= this.r + 1; attempt++) {
      const succ = core.successorOf(st);
      out.successor = toJson(succ);
      if (sameNode(succ, st.self)) {
        out.healthy = !st.predecessor;
        return;
      }
      let nb: ResponseBody<'neighbours'>;
      try {
        nb = await this.transport.request(succ.address, 'neighbours', {});
      } catch {
        out.skippedDead.push(toJson(succ));
        this.log('warn', 'stabilize', `successor ${succ.address} did not answer; skipping to the next in the list`);
        this.apply(core.removeNode(st, succ, this.clock.now()));
        continue;
      }
      const x = nb.predecessor ? fromWire(nb.predecessor) : null;
      out.successorPredecessor = x ? toJson(x) : null;
      const closer = await this.closerSuccessor(st, succ, nb);
      const [next, list] = [closer.node, closer.neighbours.successors.map(fromWire)];
      out.adoptedSuccessor = !sameNode(next, succ);
      if (!this.state || st !== this.state) return;
      this.apply(core.setSuccessors(st, next, list));
      out.healthy = !out.adoptedSuccessor && sameNode(x, st.self);
      out.notified = await this.notify(next);
      out.successorListChanged =
        before !== st.successors && before.map((n) => n.address).join() !== st.successors.map((n) => n.address).join();
      return;
    }
  }

  /**
   * Walks back from `succ` while its predecessor sits between us and it and answers: the
   * classic stabilize step, repeated within one round (bounded) so that a successor pointer
   * that overshoots by many nodes is corrected at once rather than one node per round.
   */
  private async closerSuccessor(
    st: core.ChordState,
    succ: NodeRef,
    nb: ResponseBody<'neighbours'>,
  ): Promise<{ node: NodeRef; neighbours: ResponseBody<'neighbours'> }> {
    let node = succ;
    let neighbours = nb;
    for (let steps = 0; steps < WALK_BACK_LIMIT; steps++) {
      const x = neighbours.predecessor ? fromWire(neighbours.predecessor) : null;
      if (!x || !inOpen(x.id, st.self.id, node.id)) break;
      const xn = await this.transport.request(x.address, 'neighbours', {}).catch(() => null);
      if (!xn) break;
      [node, neighbours] = [x, xn];
    }
    return { node, neighbours };
  }

  private async notify(succ: NodeRef): Promise<boolean> {
    try {
      await this.transport.request(succ.address, 'notify', { node: toWire(this.st.self) });
      return true;
    } catch {
      return false;
    }
  }

  private async fixFinger(st: core.ChordState): Promise<number | null> {
    const changes: core.StateChange[] = [];
    const i = core.nextFingerToFix(st, this.clock.now(), changes);
    this.apply(changes);
    if (i === null) return null;
    try {
      const r = await this.route(fingerStart(st.self.id, i, this.bits));
      if (st === this.state) this.apply(core.setFinger(st, i, r.owner, this.clock.now()));
      return i;
    } catch {
      return null;
    }
  }

  private async checkPredecessor(st: core.ChordState): Promise<'alive' | 'dead' | 'none'> {
    const pred = st.predecessor;
    if (!pred) return 'none';
    if (await this.isAlive(pred)) return 'alive';
    if (sameNode(st.predecessor, pred)) this.apply(core.clearPredecessor(st));
    this.log('warn', 'stabilize', `predecessor ${pred.address} is dead`);
    return 'dead';
  }

  private async isAlive(n: NodeRef): Promise<boolean> {
    return this.transport.request(n.address, 'ping', {}).then(
      () => true,
      () => false,
    );
  }

  private forgetFinger(dead: NodeRef): void {
    const st = this.st;
    const changes: core.StateChange[] = [];
    for (let i = 0; i < st.fingers.length; i++) {
      if (st.fingers[i]?.address === dead.address) {
        st.fingers[i] = null;
        changes.push({ kind: 'finger', index: i, node: null, at: this.clock.now() });
      }
    }
    this.apply(changes);
  }

  private apply(changes: readonly core.StateChange[]): void {
    for (const c of changes) {
      this.changes++;
      this.publish(c);
    }
    if (changes.length > 0) this.ticker.wake();
  }

  private publish(c: core.StateChange): void {
    const bus = this.bus;
    switch (c.kind) {
      case 'predecessor':
        if (bus.wants('ring:predecessor-changed'))
          bus.emit('ring:predecessor-changed', { from: c.from && toJson(c.from), to: c.to && toJson(c.to) });
        break;
      case 'successor':
        if (bus.wants('ring:successor-changed'))
          bus.emit('ring:successor-changed', { from: toJson(c.from), to: toJson(c.to) });
        break;
      case 'successors':
        if (bus.wants('ring:successors-changed'))
          bus.emit('ring:successors-changed', { successors: c.list.map(toJson) });
        break;
      case 'finger':
        if (bus.wants('finger:updated')) {
          bus.emit('finger:updated', {
            index: c.index,
            start: fingerStart(this.st.self.id, c.index, this.bits).toString(16),
            node: c.node && toJson(c.node),
            at: c.at,
          });
        }
        break;
    }
  }
}

/** How far one stabilize round may walk back along predecessors. */
const WALK_BACK_LIMIT = 64;

function idTaken(owner: NodeRef): P2pError {
  return new P2pError(
    'ID_TAKEN',
    `id ${owner.id.toString(16)} is already taken by ${owner.address}; choose another port or host`,
  );
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

function uniqueRefs(list: readonly (NodeRef | null)[]): NodeRef[] {
  const seen = new Set<string>();
  const out: NodeRef[] = [];
  for (const n of list) if (n && !seen.has(n.address)) seen.add(n.address), out.push(n);
  return out;
}
