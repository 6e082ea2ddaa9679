/**
 * The ring lab behind `p2pterm sim`: a whole ring in one process (memory transport and
 * virtual time, or loopback TCP), the operations people try on it (add nodes, crash, leave,
 * partition and heal, latency and loss, lookup storms, a fresh chord or naive ring), and what
 * it reports on its bus: health, storms, disturbances and the time to recover from each.
 *
 * Invariants:
 * - every node the lab starts either joins or is crashed at once (no stray rings of one);
 * - one disturbance is tracked at a time; a new one marks the previous as superseded;
 * - health runs at most every `healthEveryMs` of wall time while the clock runs, and costs
 *   O(N) plus a bounded finger sample (lab-health.ts).
 */
import { EventBus } from '../bus/event-bus.js';
import type { Routing } from '../core/chord-state.js';
import { seededRandom } from '../core/random.js';
import type { ChordNode } from '../dht/chord-node.js';
import type { LogLevel } from '../core/log.js';
import { LabClock } from './lab-clock.js';
import { labHealth, sortById } from './lab-health.js';
import { lookupStorm } from './lab-storm.js';
import type {
  Convergence,
  Disturbance,
  DisturbanceKind,
  LabHealth,
  LabRingInfo,
  LabTransport,
  StormResult,
} from '../bus/lab-events.js';
import { SimRing } from './sim-ring.js';
import { TcpRing, type LabRing } from './tcp-ring.js';

export interface LabOptions {
  /** Ring size to build (default 32). */
  readonly nodes?: number;
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
}

/** The sorted live ring for drawing: positions in [0, 1) by id. */
export interface LabMembers {
  readonly version: number;
  readonly nodes: readonly ChordNode[];
  readonly frac: Float64Array;
}

interface Pending {
  readonly d: Disturbance;
  ringMs: number | null;
  ringWallMs: number | null;
}

export class RingLab {
  readonly bus = new EventBus();
  readonly random: () => number;
  ring!: LabRing;
  clock!: LabClock;
  routing: Routing;
  lastHealth: LabHealth | null = null;
  lastStorm: StormResult | null = null;
  readonly convergences: Convergence[] = [];
  private pending: Pending | null = null;
  private selectedNode: ChordNode | null = null;
  private building: LabRingInfo['building'] = null;
  private partitions = 0;
  private version = 0;
  private members_: LabMembers | null = null;
  private lastHealthWall = 0;

  constructor(readonly opts: LabOptions = {}) {
    this.random = seededRandom((opts.seed ?? 7) + 1);
    this.routing = opts.routing ?? 'chord';
  }

  /** A lab with a built, converged ring of `opts.nodes` nodes. */
  static async create(opts: LabOptions = {}): Promise<RingLab> {
    const lab = new RingLab(opts);
    await lab.fresh();
    return lab;
  }

  get bits(): number {
    return this.opts.bits ?? 32;
  }

  get transport(): LabTransport {
    return this.opts.transport ?? 'memory';
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

  /** The node the console shows. */
  get selected(): ChordNode {
    const s = this.selectedNode;
    if (s && s.member) return s;
    const m = this.members();
    return (this.selectedNode = m.nodes[0] ?? this.ring.nodes[0]!);
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
    this.ring = this.transport === 'tcp' ? new TcpRing(common) : new SimRing(common);
    this.clock = new LabClock(this.sim?.clock ?? null, () => this.ring.live, this.stabilizeMs);
    this.partitions = 0;
    this.selectedNode = null;
    this.changed();
    if (wasRunning) this.start();
    await this.build(o.nodes ?? this.opts.nodes ?? 32);
  }

  private async build(n: number): Promise<void> {
    this.disturbed('build', `${n} nodes, ${this.routing}, ${this.bits}-bit, ${this.transport}`);
    this.building = { done: 0, of: n };
    for (let i = 0; i < n; i++) {
      const via = this.ring.live.length ? this.ring.pickLive() : null;
      await this.joinNew(via);
      this.building = { done: i + 1, of: n };
      // Yield now and then so the screen shows progress on big rings.
      if (i % 64 === 63) this.changed(), await new Promise((r) => setImmediate(r));
    }
    for (const node of this.ring.live) await this.clock.settle(node.refreshFingers().catch(() => 0));
    this.building = null;
    this.changed();
    this.log('info', `built a ring of ${this.ring.live.length} nodes`);
  }

  /** Starts a node and joins it through `via`; a node that fails to join is crashed again. */
  private async joinNew(via: ChordNode | null): Promise<ChordNode | null> {
    const node = await this.ring.spawn();
    if (!via) return node;
    try {
      await this.clock.settle(node.join(via.self.address));
      if (!this.clock.isVirtual && this.clock.paused) node.stabilization.pause();
      return node;
    } catch (e) {
      this.log('warn', `${node.self.address} could not join: ${(e as Error).message}`);
      await this.ring.crash(node);
      return null;
    }
  }

  /** Starts the real-time clock (the console); headless runs advance time themselves. */
  start(): void {
    this.clock.start(() => this.tick());
  }

  async close(): Promise<void> {
    this.clock.stop();
    await this.ring.stop();
  }

  // ---- operations --------------------------------------------------------------------

  /** Adds `n` nodes that all join at once, through random members. */
  async addNodes(n: number): Promise<number> {
    const live = this.ring.live;
    this.disturbed('join', `${n} concurrent joins into ${live.length}`);
    const fresh: ChordNode[] = [];
    for (let i = 0; i < n; i++) fresh.push(await this.ring.spawn());
    const joins = fresh.map((node) =>
      node.join(live[Math.floor(this.random() * live.length)]!.self.address).then(
        () => true,
        async (e: Error) => {
          this.log('warn', `${node.self.address} could not join: ${e.message}`);
          await this.ring.crash(node);
          return false;
        },
      ),
    );
    const ok = (await this.clock.settle(Promise.all(joins))).filter(Boolean).length;
    this.changed();
    return ok;
  }

  /** Crashes the given nodes (default: the selected one). */
  async crash(nodes: readonly ChordNode[] = [this.selected]): Promise<number> {
    this.disturbed('crash', nodes.length === 1 ? nodes[0]!.self.address : `${nodes.length} nodes`);
    for (const n of nodes) await this.ring.crash(n);
    this.changed();
    return nodes.length;
  }

  async crashFraction(p: number): Promise<number> {
    return this.crash(this.pickFraction(p));
  }

  /** Graceful leaves, one after another (default: the selected node). */
  async leave(nodes: readonly ChordNode[] = [this.selected]): Promise<number> {
    this.disturbed('leave', nodes.length === 1 ? nodes[0]!.self.address : `${nodes.length} nodes`);
    for (const n of nodes)
      await this.clock
        .settle(this.ring.leave(n))
        .catch((e: Error) => this.log('warn', `leave ${n.self.address}: ${e.message}`));
    this.changed();
    return nodes.length;
  }

  async leaveFraction(p: number): Promise<number> {
    return this.leave(this.pickFraction(p));
  }

  /** Splits the live ring into `parts` arcs by id that cannot reach each other. */
  partition(parts = 2): number[] {
    const net = this.memoryOnly('partition');
    const sorted = sortById(this.ring.live);
    const k = Math.max(2, Math.min(parts, sorted.length));
    const groups = Array.from({ length: k }, (_, g) =>
      sorted
        .slice(Math.floor((g * sorted.length) / k), Math.floor(((g + 1) * sorted.length) / k))
        .map((n) => n.self.address),
    );
    net.partition(groups);
    this.partitions = k;
    this.disturbed('partition', `${k} parts of ${groups.map((g) => g.length).join('/')}`);
    this.changed();
    return groups.map((g) => g.length);
  }

  heal(): void {
    this.memoryOnly('heal').heal();
    this.partitions = 0;
    this.disturbed('heal', 'network whole again');
    this.changed();
  }

  setLatency(ms: number): void {
    this.memoryOnly('latency').latencyMs = Math.max(0, ms);
    this.disturbed('latency', `${ms} ms one way`);
    this.changed();
  }

  setLoss(p: number): void {
    this.memoryOnly('loss').loss = Math.min(1, Math.max(0, p));
    this.disturbed('loss', `${p}`);
    this.changed();
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

  /** Selects a node by address, by index in id order ("#12"), or relative to the current one. */
  select(which: string | ChordNode | { delta: number }): ChordNode {
    const m = this.members();
    let node: ChordNode | undefined;
    if (typeof which === 'string')
      node = which.startsWith('#')
        ? m.nodes[Number(which.slice(1))]
        : m.nodes.find((n) => n.self.address === which || n.self.id.toString(16) === which);
    else if ('delta' in which)
      node =
        m.nodes[(Math.max(0, m.nodes.indexOf(this.selected)) + which.delta + m.nodes.length * 1024) % m.nodes.length];
    else node = which;
    if (!node) throw new Error(`no live node ${String(typeof which === 'string' ? which : '')}`);
    this.selectedNode = node;
    this.bus.emit('lab:selected', { address: node.self.address });
    return node;
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

  /** Checks the ring now, publishes the result and updates the pending convergence. */
  checkHealth(): LabHealth {
    const h = labHealth(this.ring.live, {
      at: this.clock.now(),
      random: this.random,
      fingerBudget: this.opts.fingerBudget,
    });
    this.lastHealthWall = performance.now();
    this.lastHealth = h;
    this.bus.emit('lab:health', h);
    this.trackConvergence(h);
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
    const every = o.checkEveryMs ?? Math.max(10, this.stabilizeMs / 5);
    const [t0, w0] = [this.clock.now(), performance.now()];
    for (;;) {
      const h = this.checkHealth();
      if (o.fingers === false ? h.healthy : h.correct)
        return { ms: this.clock.now() - t0, wallMs: Math.round(performance.now() - w0) };
      if (this.clock.now() - t0 >= limitMs) return null;
      await this.clock.advance(every);
    }
  }

  /** The disturbance still being recovered from, if any. */
  get recovering(): Disturbance | null {
    return this.pending?.d ?? null;
  }

  private tick(): void {
    this.emitClock();
    // At most every healthEveryMs, and never more than a tenth of the time on big rings.
    const every = Math.max(this.opts.healthEveryMs ?? 250, 10 * (this.lastHealth?.checkMs ?? 0));
    if (performance.now() - this.lastHealthWall >= every) this.checkHealth();
  }

  private trackConvergence(h: LabHealth): void {
    const p = this.pending;
    if (!p || this.building) return;
    if (h.healthy && p.ringMs === null)
      [p.ringMs, p.ringWallMs] = [h.at - p.d.at, Math.round(performance.now() - p.d.wallAt)];
    if (h.correct && p.ringMs !== null)
      this.finish(p, h.at - p.d.at, Math.round(performance.now() - p.d.wallAt), false);
  }

  private finish(p: Pending, fullMs: number | null, fullWallMs: number | null, superseded: boolean): void {
    const c: Convergence = {
      kind: p.d.kind,
      detail: p.d.detail,
      ringMs: p.ringMs,
      ringWallMs: p.ringWallMs,
      fullMs,
      fullWallMs,
      superseded,
    };
    this.pending = null;
    this.convergences.push(c);
    if (this.convergences.length > 50) this.convergences.shift();
    this.bus.emit('lab:converged', c);
    if (!superseded)
      this.log(
        'info',
        `recovered from ${c.kind} (${c.detail}): ring after ${c.ringMs} ms, fingers after ${c.fullMs} ms (wall ${c.ringWallMs}/${c.fullWallMs} ms)`,
      );
  }

  private disturbed(kind: DisturbanceKind, detail: string): void {
    if (this.pending) this.finish(this.pending, null, null, true);
    const d: Disturbance = { kind, detail, at: this.clock?.now() ?? 0, wallAt: performance.now() };
    this.pending = { d, ringMs: null, ringWallMs: null };
    this.bus.emit('lab:disturbed', d);
    this.log('info', `${kind}: ${detail}`);
  }

  // ---- views -------------------------------------------------------------------------

  /** Live nodes sorted by id with their positions on the ring; cached until membership changes. */
  members(): LabMembers {
    if (this.members_?.version === this.version) return this.members_;
    const nodes = sortById(this.ring.live);
    const frac = new Float64Array(nodes.length);
    const shift = BigInt(this.bits);
    nodes.forEach((n, i) => (frac[i] = Number((n.self.id << 24n) >> shift) / 2 ** 24));
    return (this.members_ = { version: this.version, nodes, frac });
  }

  info(): LabRingInfo {
    const net = this.sim?.network;
    return {
      nodes: this.members().nodes.length,
      routing: this.routing,
      bits: this.bits,
      transport: this.transport,
      latencyMs: net?.latencyMs ?? 0,
      loss: net?.loss ?? 0,
      partitioned: this.partitions,
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

  private pickFraction(p: number): ChordNode[] {
    const live = [...this.ring.live];
    const k = Math.min(live.length - 1, Math.max(1, Math.round(p * live.length)));
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.random() * (live.length - i));
      [live[i], live[j]] = [live[j]!, live[i]!];
    }
    return live.slice(0, Math.max(0, k));
  }

  private memoryOnly(what: string) {
    const net = this.sim?.network;
    if (!net) throw new Error(`${what} needs the memory transport (this lab runs on ${this.transport})`);
    return net;
  }
}
