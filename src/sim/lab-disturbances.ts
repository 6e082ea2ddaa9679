/**
 * What the lab does to a ring to see how it copes: concurrent joins, crashes, graceful leaves,
 * a partition and its healing, latency and loss. One LabDisturbances per ring; every operation
 * reports itself as a disturbance (the lab then tracks the recovery) and a membership change.
 *
 * Invariants:
 * - operations act on whole hosts (all V virtual nodes of a process; with V = 1 a host is a
 *   node): a join adds hosts, a crash or leave takes every member of the hosts given, a
 *   fraction is a fraction of the hosts, a partition never splits a host;
 * - a host that fails to join is crashed again at once (no stray rings of one);
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

  /** Adds `n` hosts that all join at once, through random members; resolves to how many joined. */
  async addNodes(n: number): Promise<number> {
    const { ring, clock } = this.c;
    const live = ring.live;
    const into = ring.vnodes > 1 ? `${this.hosts(live).length} hosts` : `${live.length}`;
    this.c.disturbed('join', `${n} concurrent joins into ${into}`);
    const fresh: ChordNode[] = [];
    for (let i = 0; i < n; i++) fresh.push(await ring.spawn());
    const joins = fresh.map((node) => this.joinOrCrash(node, live[Math.floor(this.c.random() * live.length)]!));
    const ok = (await clock.settle(Promise.all(joins))).filter(Boolean).length;
    this.c.changed();
    return ok;
  }

  /** Crashes the hosts of `nodes` (each once); resolves to how many hosts. */
  async crash(nodes: readonly ChordNode[]): Promise<number> {
    const hosts = this.hosts(nodes);
    this.c.disturbed('crash', this.describe(hosts));
    for (const n of hosts) await this.c.ring.crash(n);
    this.c.changed();
    return hosts.length;
  }

  /** Graceful leaves of the hosts of `nodes`, one after another; a failed leave is logged and the next goes on. */
  async leave(nodes: readonly ChordNode[]): Promise<number> {
    const hosts = this.hosts(nodes);
    this.c.disturbed('leave', this.describe(hosts));
    for (const n of hosts)
      await this.c.clock
        .settle(this.c.ring.leave(n))
        .catch((e: Error) => this.c.log('warn', `leave ${n.self.address}: ${e.message}`));
    this.c.changed();
    return hosts.length;
  }

  /** A random fraction `p` of the live hosts (member 0 of each): at least one, never all of them. */
  pickFraction(p: number): ChordNode[] {
    const live = this.hosts(this.c.ring.live);
    const k = Math.min(live.length - 1, Math.max(1, Math.round(p * live.length)));
    return sample(live, Math.max(0, k), this.c.random);
  }

  /**
   * Splits the live hosts into `parts` groups that cannot reach each other: arcs by id, each
   * host counted at its member 0's id (all its members go with it). Returns the hosts per part.
   */
  partition(parts = 2): number[] {
    const net = this.memoryOnly('partition');
    const sorted = sortById(this.hosts(this.c.ring.live));
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

  /** Joins `node`'s host through `via`; a host that cannot join is crashed again. Resolves to whether it joined. */
  private joinOrCrash(node: ChordNode, via: ChordNode): Promise<boolean> {
    return this.c.ring.joinHost(node, via.self.address).then(
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

  /** Member 0 of each host of `nodes`, once each, in the order first met (`nodes` itself when V = 1). */
  private hosts(nodes: readonly ChordNode[]): ChordNode[] {
    if (this.c.ring.vnodes === 1) return [...new Set(nodes)];
    return [...new Set(nodes.map((n) => this.c.ring.members(n)[0]!))];
  }

  private describe(hosts: readonly ChordNode[]): string {
    const v = this.c.ring.vnodes;
    if (hosts.length === 1) return v > 1 ? `${hosts[0]!.self.address} ×${v}` : hosts[0]!.self.address;
    return v > 1 ? `${hosts.length} hosts × ${v}` : `${hosts.length} nodes`;
  }
}
