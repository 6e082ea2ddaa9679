/**
 * A whole ring in one process on the memory transport and a virtual clock: the same
 * ChordNode code as real peers. Used by the tests, the benchmark and `p2pterm sim`.
 *
 * A host is one process: one memory endpoint ("nK.sim:4000") and, with `vnodes: V` > 1, V ring
 * members on it (vnode-group.ts, "nK.sim:4000/i"). Crashes and leaves act on the whole host of
 * the node given; with V = 1 a host is a node, as it always was.
 */
import { VirtualClock } from '../core/virtual-clock.js';
import { seededRandom } from '../core/random.js';
import { ChordNode } from '../dht/chord-node.js';
import { formOwnRing, joinVnodes, leaveVnodes, newVnodes, startVnodes, stopVnodes } from '../dht/vnode-group.js';
import type { Routing } from '../core/chord-state.js';
import { MemoryNetwork } from '../transport/memory-transport.js';
import type { LocalIdentity } from '../transport/transport.js';
import { hostOf } from '../wire/address.js';
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
  /** Virtual nodes per host (default 1: a host is one node). */
  readonly vnodes?: number;
}

export class SimRing {
  readonly clock = new VirtualClock();
  readonly network: MemoryNetwork;
  /** Every node started, including crashed and departed ones. */
  readonly nodes: ChordNode[] = [];
  readonly random: () => number;
  private counter = 0;
  /** Every host's members by host address ("nK.sim:4000"), member 0 first. */
  private readonly hosts = new Map<string, readonly ChordNode[]>();

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

  /** Virtual nodes per host. */
  get vnodes(): number {
    return this.opts.vnodes ?? 1;
  }

  /** Starts a node (alone) without joining: member 0 of a new host (the host's other members: `members`). */
  async spawn(): Promise<ChordNode> {
    return (await this.spawnHost())[0]!;
  }

  /** Starts a host of `vnodes` members, none of them in a ring yet (member 0 first). */
  async spawnHost(): Promise<ChordNode[]> {
    const address = `n${this.counter++}.sim:4000`;
    const opts = {
      transport: (identity: () => LocalIdentity) => this.network.transport(address, identity),
      clock: this.clock,
      bits: this.opts.bits,
      routing: this.opts.routing,
      successors: this.opts.successors,
      stabilizeMs: this.opts.stabilizeMs,
      backoff: this.opts.backoff,
    };
    const nodes = this.vnodes > 1 ? newVnodes({ ...opts, count: this.vnodes }) : [new ChordNode(opts)];
    await startVnodes(nodes);
    for (const n of nodes) this.opts.onSpawn?.(n);
    this.nodes.push(...nodes);
    this.hosts.set(address, nodes);
    return nodes;
  }

  /** Every member of `node`'s host, member 0 first (just `node` when a host is one node). */
  members(node: ChordNode): readonly ChordNode[] {
    return this.hosts.get(hostOf(node.self.address)) ?? [node];
  }

  /**
   * Joins every member of `node`'s host to the ring `via` belongs to (with no `via`, the host
   * forms a ring of its own members).
   */
  async joinHost(node: ChordNode, via: string | null): Promise<void> {
    const members = this.members(node);
    if (via) await joinVnodes(members, via);
    else await formOwnRing(members);
  }

  /** Adds a host that joins through a random live member (or starts the ring); returns its member 0. */
  async add(): Promise<ChordNode> {
    const via = this.nodes.length > 0 ? this.pickLive() : null;
    const node = await this.spawn();
    await this.joinHost(node, via?.self.address ?? null);
    return node;
  }

  /** Adds `n` nodes one after another. */
  async addSequential(n: number): Promise<ChordNode[]> {
    const out: ChordNode[] = [];
    for (let i = 0; i < n; i++) out.push(await this.add());
    return out;
  }

  /**
   * Starts `n` hosts and has them all join at the same moment through random members. The clock
   * runs until every join returned: a joiner that no node points at yet waits for a round.
   */
  async addConcurrent(n: number): Promise<ChordNode[]> {
    const live = this.live;
    const fresh: ChordNode[] = [];
    for (let i = 0; i < n; i++) fresh.push(await this.spawn());
    await this.settle(Promise.all(fresh.map((node) => this.joinHost(node, this.pick(live).self.address))), 10);
    return fresh;
  }

  /** Crashes `node`'s host: all its members stop answering at once and tell no one. */
  async crash(node: ChordNode): Promise<void> {
    this.network.crash(node.self.address);
    await stopVnodes(this.members(node));
  }

  /** Every member of `node`'s host leaves gracefully (the last one first), then the host stops. */
  async leave(node: ChordNode): Promise<void> {
    const members = this.members(node);
    if (members.length === 1) await node.leave();
    else await leaveVnodes(members);
    await stopVnodes(members);
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
