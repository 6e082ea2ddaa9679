/**
 * A whole ring in one process on the memory transport and a virtual clock: the same
 * ChordNode code as real peers. Used by the tests, the benchmark and `p2pterm sim`.
 */
import { VirtualClock } from '../core/virtual-clock.js';
import { seededRandom } from '../core/random.js';
import { ChordNode } from '../dht/chord-node.js';
import type { Routing } from '../core/chord-state.js';
import { MemoryNetwork } from '../transport/memory-transport.js';
import { convergeLoop } from './converge-loop.js';
import { checkRing, type RingHealth } from './ring-check.js';

export interface SimRingOptions {
  /** Called with every node started, before it joins (a recording watches it from then on). */
  readonly onSpawn?: (node: ChordNode) => void;
  /** Identifier width (default 160). */
  readonly bits?: number;
  readonly routing?: Routing;
  /** Successor-list length (default 8). */
  readonly successors?: number;
  /** Stabilization interval in virtual ms (default 500). */
  readonly stabilizeMs?: number;
  /** Interval stretch while quiet (see ChordNodeOptions.backoff; default 1, never). */
  readonly backoff?: number;
  /** One-way message latency in virtual ms (default 0). */
  readonly latencyMs?: number;
  readonly seed?: number;
  /** RPC timeout in virtual ms (default 2000). */
  readonly timeoutMs?: number;
}

export class SimRing {
  readonly clock = new VirtualClock();
  readonly network: MemoryNetwork;
  /** Every node started, including crashed and departed ones. */
  readonly nodes: ChordNode[] = [];
  readonly random: () => number;
  private counter = 0;

  constructor(readonly opts: SimRingOptions = {}) {
    this.random = seededRandom(opts.seed ?? 7);
    this.network = new MemoryNetwork({
      clock: this.clock,
      latencyMs: opts.latencyMs ?? 0,
      seed: opts.seed ?? 7,
      timeoutMs: opts.timeoutMs,
    });
  }

  /** Nodes that are up and part of the ring. */
  get live(): ChordNode[] {
    return this.nodes.filter((n) => n.member && this.network.isUp(n.self.address));
  }

  /** A random live node, without listing them all (cheap on 65,536-node rings). */
  pickLive(): ChordNode {
    for (let tries = 0; tries < 64; tries++) {
      const n = this.pick(this.nodes);
      if (n.member && this.network.isUp(n.self.address)) return n;
    }
    return this.pick(this.live);
  }

  /** Starts a node (alone) without joining. */
  async spawn(): Promise<ChordNode> {
    const address = `n${this.counter++}.sim:4000`;
    const node = new ChordNode({
      transport: (identity) => this.network.transport(address, identity),
      clock: this.clock,
      bits: this.opts.bits,
      routing: this.opts.routing,
      successors: this.opts.successors,
      stabilizeMs: this.opts.stabilizeMs,
      backoff: this.opts.backoff,
    });
    await node.start();
    this.opts.onSpawn?.(node);
    this.nodes.push(node);
    return node;
  }

  /** Adds a node that joins through a random live member (or starts the ring). */
  async add(): Promise<ChordNode> {
    const via = this.nodes.length > 0 ? this.pickLive() : null;
    const node = await this.spawn();
    if (via) await node.join(via.self.address);
    return node;
  }

  /** Adds `n` nodes one after another. */
  async addSequential(n: number): Promise<ChordNode[]> {
    const out: ChordNode[] = [];
    for (let i = 0; i < n; i++) out.push(await this.add());
    return out;
  }

  /** Starts `n` nodes and has them all join at the same moment through random members. */
  async addConcurrent(n: number): Promise<ChordNode[]> {
    const live = this.live;
    const fresh: ChordNode[] = [];
    for (let i = 0; i < n; i++) fresh.push(await this.spawn());
    await Promise.all(fresh.map((node) => node.join(this.pick(live).self.address)));
    return fresh;
  }

  /** Crashes a node: it stops answering at once and tells no one. */
  async crash(node: ChordNode): Promise<void> {
    this.network.crash(node.self.address);
    await node.stop();
  }

  async leave(node: ChordNode): Promise<void> {
    await node.leave();
    await node.stop();
  }

  health(opts?: { fingers?: boolean }): RingHealth {
    return checkRing(
      this.live.map((n) => n.snapshot({ fingers: opts?.fingers !== false })),
      opts,
    );
  }

  /** Advances virtual time until the ring is healthy (and fingers correct, if asked). Returns virtual ms used, or -1. */
  async converge(limitMs: number, opts: { fingers?: boolean; checkEveryMs?: number } = {}): Promise<number> {
    const ms = await convergeLoop({
      done: () => {
        const h = this.health({ fingers: !!opts.fingers });
        return h.healthy && (!opts.fingers || h.wrongFingers === 0);
      },
      now: () => this.clock.now(),
      advance: (ms) => this.clock.advance(ms),
      limitMs,
      everyMs: opts.checkEveryMs ?? this.opts.stabilizeMs ?? 500,
    });
    return ms ?? -1;
  }

  /** Waits for `p` while advancing virtual time (requests to dead nodes only time out as time passes). */
  async settle<T>(p: Promise<T>, stepMs = 50): Promise<T> {
    let done = false;
    const tracked = p.finally(() => (done = true));
    // The caller gets the rejection from `tracked`; this only keeps it from being unhandled meanwhile.
    tracked.catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    while (!done) await this.clock.advance(stepMs);
    return tracked;
  }

  /** Stops every node. */
  async stop(): Promise<void> {
    for (const n of this.nodes) await n.stop();
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }
}
