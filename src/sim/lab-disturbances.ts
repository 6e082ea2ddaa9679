/**
 * What the lab does to a ring to see how it copes: concurrent joins, crashes, graceful leaves,
 * a partition and its healing, latency and loss. One LabDisturbances per ring; every operation
 * reports itself as a disturbance (the lab then tracks the recovery) and a membership change.
 *
 * Invariants:
 * - a node that fails to join is crashed again at once (no stray rings of one);
 * - partition, heal, latency and loss need the memory transport and throw on TCP.
 */
import type { DisturbanceKind, LabTransport } from '../bus/lab-events.js';
import type { LogLevel } from '../core/log.js';
import type { ChordNode } from '../dht/chord-node.js';
import type { MemoryNetwork } from '../transport/memory-transport.js';
import type { LabClock } from './lab-clock.js';
import { sample, sortById } from './lab-health.js';
import type { LabRing } from './tcp-ring.js';

/** What the operations act on and whom they tell. */
export interface DisturbanceContext {
  readonly ring: LabRing;
  readonly clock: LabClock;
  /** The memory transport's network, or null on TCP. */
  readonly network: MemoryNetwork | null;
  readonly transport: LabTransport;
  readonly random: () => number;
  /** Called before the operation acts. */
  readonly disturbed: (kind: DisturbanceKind, detail: string) => void;
  /** Called once the ring's membership or network changed. */
  readonly changed: () => void;
  readonly log: (level: LogLevel, message: string) => void;
}

export class LabDisturbances {
  /** Parts the ring is split into now (0 when whole). */
  partitions = 0;

  constructor(private readonly c: DisturbanceContext) {}

  /** Adds `n` nodes that all join at once, through random members; resolves to how many joined. */
  async addNodes(n: number): Promise<number> {
    const { ring, clock } = this.c;
    const live = ring.live;
    this.c.disturbed('join', `${n} concurrent joins into ${live.length}`);
    const fresh: ChordNode[] = [];
    for (let i = 0; i < n; i++) fresh.push(await ring.spawn());
    const joins = fresh.map((node) => this.joinOrCrash(node, live[Math.floor(this.c.random() * live.length)]!));
    const ok = (await clock.settle(Promise.all(joins))).filter(Boolean).length;
    this.c.changed();
    return ok;
  }

  async crash(nodes: readonly ChordNode[]): Promise<number> {
    this.c.disturbed('crash', describe(nodes));
    for (const n of nodes) await this.c.ring.crash(n);
    this.c.changed();
    return nodes.length;
  }

  /** Graceful leaves, one after another; a failed leave is logged and the next one goes on. */
  async leave(nodes: readonly ChordNode[]): Promise<number> {
    this.c.disturbed('leave', describe(nodes));
    for (const n of nodes)
      await this.c.clock
        .settle(this.c.ring.leave(n))
        .catch((e: Error) => this.c.log('warn', `leave ${n.self.address}: ${e.message}`));
    this.c.changed();
    return nodes.length;
  }

  /** A random fraction `p` of the live nodes: at least one, never all of them. */
  pickFraction(p: number): ChordNode[] {
    const live = this.c.ring.live;
    const k = Math.min(live.length - 1, Math.max(1, Math.round(p * live.length)));
    return sample(live, Math.max(0, k), this.c.random);
  }

  /** Splits the live ring into `parts` arcs by id that cannot reach each other; returns their sizes. */
  partition(parts = 2): number[] {
    const net = this.memoryOnly('partition');
    const sorted = sortById(this.c.ring.live);
    const k = Math.max(2, Math.min(parts, sorted.length));
    const groups = Array.from({ length: k }, (_, g) =>
      sorted
        .slice(Math.floor((g * sorted.length) / k), Math.floor(((g + 1) * sorted.length) / k))
        .map((n) => n.self.address),
    );
    net.partition(groups);
    this.partitions = k;
    this.c.disturbed('partition', `${k} parts of ${groups.map((g) => g.length).join('/')}`);
    this.c.changed();
    return groups.map((g) => g.length);
  }

  /** Heals the network; `rings` is how many rings formed apart (they merge by themselves). */
  heal(rings = 0): void {
    this.memoryOnly('heal').heal();
    this.partitions = 0;
    this.c.disturbed('heal', rings > 1 ? `${rings} rings to merge` : 'network whole again');
    this.c.changed();
  }

  setLatency(ms: number): void {
    this.memoryOnly('latency').latencyMs = Math.max(0, ms);
    this.c.disturbed('latency', `${ms} ms one way`);
    this.c.changed();
  }

  setLoss(p: number): void {
    this.memoryOnly('loss').loss = Math.min(1, Math.max(0, p));
    this.c.disturbed('loss', `${p}`);
    this.c.changed();
  }

  /** Joins `node` through `via`; a node that cannot join is crashed again. Resolves to whether it joined. */
  private joinOrCrash(node: ChordNode, via: ChordNode): Promise<boolean> {
    return node.join(via.self.address).then(
      () => true,
      async (e: Error) => {
        this.c.log('warn', `${node.self.address} could not join: ${e.message}`);
        await this.c.ring.crash(node);
        return false;
      },
    );
  }

  private memoryOnly(what: string): MemoryNetwork {
    const net = this.c.network;
    if (!net) throw new Error(`${what} needs the memory transport (this lab runs on ${this.c.transport})`);
    return net;
  }
}

function describe(nodes: readonly ChordNode[]): string {
  return nodes.length === 1 ? nodes[0]!.self.address : `${nodes.length} nodes`;
}
