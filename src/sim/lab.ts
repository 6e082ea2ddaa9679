/**
 * The ring lab behind `p2pterm sim`: a whole ring in one process (memory transport and
 * virtual time, or loopback TCP), the operations people try on it (lab-disturbances.ts),
 * clock controls, and what it reports on its bus: health, storms, disturbances and the time
 * to recover from each (convergence-tracker.ts). This file owns the ring's lifecycle: build,
 * replace with a fresh one, start the clock, close.
 *
 * Invariants:
 * - every node the lab starts either joins or is crashed at once (no stray rings of one);
 * - health runs at most every `healthEveryMs` of wall time while the clock runs, and costs
 *   O(N) plus a bounded finger sample (lab-health.ts);
 * - `members()` is recomputed only after a membership change (`lab:ring`);
 * - with `vnodes: V` > 1 the ring is made of hosts of V virtual nodes each: `nodes` counts
 *   hosts, and every operation (build, join, crash, leave, partition) acts on whole hosts.
 */
import { EventBus } from '../bus/event-bus.js';
import type { Convergence, Disturbance, LabHealth, LabRingInfo, LabTransport, StormResult } from '../bus/lab-events.js';
import type { Routing } from '../core/chord-state.js';
import type { LogLevel } from '../core/log.js';
import { seededRandom } from '../core/random.js';
import type { ChordNode } from '../dht/chord-node.js';
import { convergeLoop } from './converge-loop.js';
import { ConvergenceTracker } from './convergence-tracker.js';
import { LabClock } from './lab-clock.js';
import { LabDisturbances } from './lab-disturbances.js';
import { labHealth, sortById } from './lab-health.js';
import { lookupStorm } from './lab-storm.js';
import { SimRing } from './sim-ring.js';
import { TcpRing, type LabRing } from './tcp-ring.js';

export interface LabOptions {
  /** Ring size to build, in hosts (default 32). */
  readonly nodes?: number;
  /** Virtual nodes per host (default 1: a host is one node). Memory transport only. */
  readonly vnodes?: number;
  /** Identifier width m (default 32). */
  readonly bits?: number;
  readonly routing?: Routing;
  readonly transport?: LabTransport;
  readonly seed?: number;
  /** Successor-list length (default 8). */
  readonly successors?: number;
  /** Stabilization interval in ms (default 500). */
  readonly stabilizeMs?: number;
  /** Wall ms between health checks while the clock runs (default 250). */
  readonly healthEveryMs?: number;
  /** Finger entries checked per health check at most (default lab-health's FINGER_BUDGET). */
  readonly fingerBudget?: number;
  /** Called with every node started (memory transport), before it joins: `sim --record` watches it. */
  readonly onNode?: (node: ChordNode) => void;
}

/** The live ring in id order; `version` changes with every membership change. */
export interface LabMembers {
  readonly version: number;
  readonly nodes: readonly ChordNode[];
  /** Live hosts (processes): `nodes.length` / V. */
  readonly hosts: number;
}

export class Lab {
  readonly bus = new EventBus();
  readonly random: () => number;
  ring!: LabRing;
  clock!: LabClock;
  routing: Routing;
  lastHealth: LabHealth | null = null;
  lastStorm: StormResult | null = null;
  private readonly recovery = new ConvergenceTracker(this.bus, (level, message) => this.log(level, message));
  private disturb!: LabDisturbances;
  private building: LabRingInfo['building'] = null;
  private version = 0;
  private members_: LabMembers | null = null;
  private lastHealthWall = 0;

  constructor(readonly opts: LabOptions = {}) {
    this.random = seededRandom((opts.seed ?? 7) + 1);
    this.routing = opts.routing ?? 'chord';
  }

  /** A lab with a built, converged ring of `opts.nodes` nodes. */
  /** Wall-clock ms the last ring took to build (joins and first fingers). */
  buildWallMs = 0;

  static async create<T extends Lab>(this: new (opts?: LabOptions) => T, opts: LabOptions = {}): Promise<T> {
    const lab = new this(opts);
    await lab.fresh();
    return lab;
  }

  get bits(): number {
    return this.opts.bits ?? 32;
  }

  get transport(): LabTransport {
    return this.opts.transport ?? 'memory';
  }

  /** Virtual nodes per host. */
  get vnodes(): number {
    return this.opts.vnodes ?? 1;
  }

  get stabilizeMs(): number {
    return this.opts.stabilizeMs ?? 500;
  }

  get sim(): SimRing | null {
    return this.ring instanceof SimRing ? this.ring : null;
  }

  get live(): ChordNode[] {
    return this.ring.live;
  }

  /** The last recoveries, oldest first (lab-events' Convergence). */
  get convergences(): readonly Convergence[] {
    return this.recovery.convergences;
  }

  /** The disturbance still being recovered from, if any. */
  get recovering(): Disturbance | null {
    return this.recovery.recovering;
  }

  // ---- ring lifecycle ----------------------------------------------------------------

  /** Replaces the ring with a fresh one (same size unless given), chord or naive. */
  async fresh(o: { routing?: Routing; nodes?: number } = {}): Promise<void> {
    const wasRunning = this.clock?.isRunning ?? false;
    this.clock?.stop();
    await this.ring?.stop();
    this.routing = o.routing ?? this.routing;
    const common = {
      bits: this.bits,
      routing: this.routing,
      successors: this.opts.successors,
      stabilizeMs: this.stabilizeMs,
      seed: this.opts.seed,
    };
    if (this.transport === 'tcp' && this.vnodes > 1) throw new Error('virtual nodes need the memory transport');
    this.ring =
      this.transport === 'tcp'
        ? new TcpRing(common)
        : new SimRing({ ...common, vnodes: this.vnodes, onSpawn: this.opts.onNode });
    const log = (level: LogLevel, message: string) => this.log(level, message);
    this.clock = new LabClock(this.sim?.clock ?? null, () => this.ring.live, this.stabilizeMs, log);
    this.disturb = this.disturbances(log);
    this.changed();
    if (wasRunning) this.start();
    await this.build(o.nodes ?? this.opts.nodes ?? 32);
  }

  /** Starts the real-time clock (the console); headless runs advance time themselves. */
  start(): void {
    this.clock.start(() => this.tick());
  }

  async close(): Promise<void> {
    this.clock.stop();
    await this.ring.stop();
  }

  private disturbances(log: (level: LogLevel, message: string) => void): LabDisturbances {
    return new LabDisturbances({
      ring: this.ring,
      clock: this.clock,
      network: this.sim?.network ?? null,
      transport: this.transport,
      random: this.random,
      disturbed: (kind, detail) => this.recovery.disturbed(kind, detail, this.clock.now()),
      changed: () => this.changed(),
      log,
    });
  }

  private async build(n: number): Promise<void> {
    this.recovery.disturbed(
      'build',
      `${this.sizeText(n)}, ${this.routing}, ${this.bits}-bit, ${this.transport}`,
      this.clock.now(),
    );
    this.building = { done: 0, of: n };
    const w0 = performance.now();
    for (let i = 0; i < n; i++) {
      const via = this.ring.live.length ? this.ring.pickLive() : null;
      await this.joinNew(via);
      this.building = { done: i + 1, of: n };
      // Yield now and then so the screen shows progress on big rings.
      if (i % 64 === 63) this.changed(), await new Promise((r) => setImmediate(r));
    }
    for (const node of this.ring.live) await this.clock.settle(this.refreshFingers(node));
    this.buildWallMs = Math.round(performance.now() - w0);
    this.building = null;
    this.changed();
    this.log('info', `built a ring of ${this.sizeText(this.members().hosts)}`);
  }

  /** "N nodes", or "N hosts × V virtual nodes" when hosts run more than one. */
  sizeText(hosts: number): string {
    return this.vnodes > 1 ? `${hosts} hosts × ${this.vnodes} virtual nodes` : `${hosts} nodes`;
  }

  /** Starts a host and joins it through `via`; a host that fails to join is crashed again. */
  private async joinNew(via: ChordNode | null): Promise<ChordNode | null> {
    const node = await this.ring.spawn();
    if (!via && this.vnodes === 1) return node;
    try {
      await this.clock.settle(this.ring.joinHost(node, via?.self.address ?? null));
      if (!this.clock.isVirtual && this.clock.paused) node.stabilization.pause();
      return node;
    } catch (e) {
      this.log('warn', `${node.self.address} could not join: ${(e as Error).message}`);
      await this.ring.crash(node);
      return null;
    }
  }

  /** Fills a new node's fingers at once; if that fails, its ticker fills them in due time. */
  private refreshFingers(node: ChordNode): Promise<number> {
    return node.refreshFingers().catch((e: Error) => {
      this.log('debug', `refreshing the fingers of ${node.self.address}: ${e.message}`);
      return 0;
    });
  }

  // ---- disturbances (lab-disturbances.ts) --------------------------------------------

  /** Adds `n` hosts that all join at once, through random members; resolves to how many joined. */
  addNodes(n: number): Promise<number> {
    return this.disturb.addNodes(n);
  }

  crash(nodes: readonly ChordNode[]): Promise<number> {
    return this.disturb.crash(nodes);
  }

  /** Crashes a random fraction `p` of the live hosts (at least one, never all). */
  crashFraction(p: number): Promise<number> {
    return this.crash(this.disturb.pickFraction(p));
  }

  /** Graceful leaves, one after another. */
  leave(nodes: readonly ChordNode[]): Promise<number> {
    return this.disturb.leave(nodes);
  }

  leaveFraction(p: number): Promise<number> {
    return this.leave(this.disturb.pickFraction(p));
  }

  /** Splits the live hosts into `parts` groups by id that cannot reach each other (memory transport). */
  partition(parts = 2): number[] {
    return this.disturb.partition(parts);
  }

  /** Heals a partition; the rings that formed apart merge by themselves (the recovery is timed). */
  heal(): void {
    this.disturb.heal(this.disturb.partitions ? this.checkHealth().rings : 0);
  }

  setLatency(ms: number): void {
    this.disturb.setLatency(ms);
  }

  setLoss(p: number): void {
    this.disturb.setLoss(p);
  }

  /** K lookups of random keys from random live nodes. */
  async storm(k = 1000): Promise<StormResult> {
    const r = await lookupStorm(k, {
      live: () => this.ring.live,
      random: this.random,
      settle: (p) => this.clock.settle(p),
      now: () => this.clock.now(),
    });
    this.lastStorm = r;
    this.bus.emit('lab:storm', r);
    this.log(
      r.failed || r.wrongOwner ? 'warn' : 'info',
      `storm: ${r.lookups} lookups, mean ${r.meanHops} hops (${r.expectedLabel} = ${r.expectedHops}), ${r.failed} failed, ${r.wrongOwner} wrong owner`,
    );
    return r;
  }

  // ---- clock -------------------------------------------------------------------------

  togglePause(): boolean {
    if (this.clock.paused) this.clock.resume();
    else this.clock.pause();
    this.emitClock();
    return this.clock.paused;
  }

  async step(ms?: number): Promise<void> {
    await this.clock.step(ms);
    this.checkHealth();
    this.emitClock();
  }

  setSpeed(x: number): number {
    const s = this.clock.setSpeed(x);
    this.emitClock();
    return s;
  }

  // ---- health and convergence --------------------------------------------------------

  /** Checks the ring now, publishes the result and updates the recovery in progress. */
  checkHealth(): LabHealth {
    const h = labHealth(this.ring.live, {
      at: this.clock.now(),
      random: this.random,
      fingerBudget: this.opts.fingerBudget,
    });
    this.lastHealthWall = performance.now();
    this.lastHealth = h;
    this.bus.emit('lab:health', h);
    if (!this.building) this.recovery.observe(h);
    return h;
  }

  /**
   * Advances lab time until the ring is healthy (and its fingers right, unless
   * `fingers: false`), checking every `checkEveryMs`. Returns the lab and wall ms taken, or null.
   */
  async converge(
    limitMs: number,
    o: { fingers?: boolean; checkEveryMs?: number } = {},
  ): Promise<{ ms: number; wallMs: number } | null> {
    const w0 = performance.now();
    const ms = await convergeLoop({
      done: () => {
        const h = this.checkHealth();
        return o.fingers === false ? h.healthy : h.correct;
      },
      now: () => this.clock.now(),
      advance: (step) => this.clock.advance(step),
      limitMs,
      everyMs: o.checkEveryMs ?? Math.max(10, this.stabilizeMs / 5),
    });
    return ms === null ? null : { ms, wallMs: Math.round(performance.now() - w0) };
  }

  private tick(): void {
    this.emitClock();
    // At most every healthEveryMs, and never more than a tenth of the time on big rings.
    const every = Math.max(this.opts.healthEveryMs ?? 250, 10 * (this.lastHealth?.checkMs ?? 0));
    if (performance.now() - this.lastHealthWall >= every) this.checkHealth();
  }

  // ---- what the lab publishes --------------------------------------------------------

  /** Live nodes sorted by id; cached until membership changes. */
  members(): LabMembers {
    if (this.members_?.version === this.version) return this.members_;
    const nodes = sortById(this.ring.live);
    const hosts = this.vnodes > 1 ? new Set(nodes.map((n) => this.ring.members(n)[0])).size : nodes.length;
    this.members_ = { version: this.version, nodes, hosts };
    return this.members_;
  }

  info(): LabRingInfo {
    const net = this.sim?.network;
    const m = this.members();
    return {
      nodes: m.nodes.length,
      hosts: m.hosts,
      vnodes: this.vnodes,
      routing: this.routing,
      bits: this.bits,
      transport: this.transport,
      latencyMs: net?.latencyMs ?? 0,
      loss: net?.loss ?? 0,
      partitioned: this.disturb?.partitions ?? 0,
      building: this.building,
    };
  }

  log(level: LogLevel, message: string): void {
    this.bus.emit('log:line', { at: this.clock?.now() ?? 0, level, topic: 'lab', message });
  }

  private changed(): void {
    this.version++;
    this.bus.emit('lab:ring', this.info());
  }

  private emitClock(): void {
    this.bus.emit('lab:clock', {
      now: this.clock.now(),
      speed: this.clock.speed,
      paused: this.clock.paused,
      virtual: this.clock.isVirtual,
    });
  }
}
