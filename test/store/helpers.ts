/** A SimRing whose nodes each run a RingStore on a MemoryBlobStore. */
import { hashId, inHalfOpen } from '../../src/core/ring-math.js';
import { ChordNode } from '../../src/dht/chord-node.js';
import { SimRing, type SimRingOptions } from '../../src/sim/sim-ring.js';
import { RingStore } from '../../src/store/ring-store.js';

export class StoreRing {
  readonly ring: SimRing;
  readonly stores = new Map<ChordNode, RingStore>();

  constructor(
    opts: SimRingOptions = {},
    readonly replicas = 3,
  ) {
    this.ring = new SimRing(opts);
  }

  /** Live nodes' stores. */
  get live(): RingStore[] {
    return this.ring.live.map((n) => this.stores.get(n)!);
  }

  /** Starts a node with its store attached, then joins it through `via` (default: a random live node). */
  async add(via: ChordNode | null = this.ring.nodes.length > 0 ? this.ring.pickLive() : null): Promise<RingStore> {
    const node = await this.ring.spawn();
    return this.attach(node, via);
  }

  /** Starts (without joining) a node whose id is `id`, found by trying addresses. */
  async spawnWithId(id: bigint): Promise<ChordNode> {
    const bits = this.ring.opts.bits ?? 160;
    let address = '';
    for (let i = 0; !address; i++) if (hashId(`p${i}.sim:4000`, bits) === id) address = `p${i}.sim:4000`;
    const o = this.ring.opts;
    const node = new ChordNode({
      transport: (me) => this.ring.network.transport(address, me),
      clock: this.ring.clock,
      bits,
      successors: o.successors,
      stabilizeMs: o.stabilizeMs,
    });
    await node.start();
    this.ring.nodes.push(node);
    return node;
  }

  async attach(node: ChordNode, via: ChordNode | null): Promise<RingStore> {
    const store = new RingStore(node, { replicas: this.replicas });
    store.start();
    this.stores.set(node, store);
    if (via) await this.ring.settle(node.join(via.self.address));
    return store;
  }

  async addSequential(n: number): Promise<RingStore[]> {
    const out: RingStore[] = [];
    for (let i = 0; i < n; i++) out.push(await this.add());
    return out;
  }

  /** Kills a node like SIGKILL: it stops answering mid-flight and its store goes with it. */
  async crash(node: ChordNode): Promise<void> {
    await this.ring.crash(node);
    await this.stores.get(node)!.stop();
  }

  async leave(node: ChordNode): Promise<void> {
    await this.ring.settle(this.ring.leave(node));
    await this.stores.get(node)!.stop();
  }

  /** Live nodes holding a copy of `key`. */
  copies(key: string): ChordNode[] {
    return this.ring.live.filter((n) => this.stores.get(n)!.holds(key) !== null);
  }

  /**
   * Lets the ring converge and the successor lists fill (the ring check looks at successors
   * and predecessors only; lists take a few more rounds to learn of late joiners).
   */
  async ready(): Promise<void> {
    if ((await this.ring.converge(60_000)) < 0) throw new Error('ring did not converge');
    await this.ring.clock.advance(10 * (this.ring.opts.stabilizeMs ?? 500));
  }

  /** Lets the ring converge, then runs maintenance passes on every node until nothing moves. */
  async heal(maxRounds = 6): Promise<void> {
    await this.ready();
    for (let round = 0; round < maxRounds; round++) {
      let moved = 0;
      for (const s of this.live) {
        const r = await this.ring.settle(s.maintain());
        moved += r.pushed + r.dropped + r.failed;
      }
      if (moved === 0) return;
    }
  }

  /** Where `key` belongs on the live ring: its owner, then the next r-1 nodes, by id. */
  expectedHolders(key: string): ChordNode[] {
    const nodes = [...this.ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
    const id = hashId(key, this.ring.opts.bits ?? 160);
    const at = Math.max(
      0,
      nodes.findIndex((n, i) => inHalfOpen(id, nodes[(i + nodes.length - 1) % nodes.length]!.self.id, n.self.id)),
    );
    return Array.from({ length: Math.min(this.replicas, nodes.length) }, (_, k) => nodes[(at + k) % nodes.length]!);
  }

  /** The first `n` keys named `${prefix}${i}` (i = 0, 1, …) that `owner` owns on the live ring. */
  keysOwnedBy(owner: ChordNode, n: number, prefix: string): string[] {
    const keys: string[] = [];
    for (let i = 0; keys.length < n && i < 100 * n * this.ring.live.length; i++)
      if (this.expectedHolders(`${prefix}${i}`)[0] === owner) keys.push(`${prefix}${i}`);
    return keys;
  }

  /** Keys not on exactly their expected holders (by address lists). */
  misplaced(keys: readonly string[]): string[] {
    const names = (list: ChordNode[]) =>
      list
        .map((n) => n.self.address)
        .sort()
        .join(',');
    return keys.filter((k) => names(this.copies(k)) !== names(this.expectedHolders(k)));
  }

  async stop(): Promise<void> {
    for (const s of this.stores.values()) await s.stop();
    await this.ring.stop();
  }
}

export const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
export const textOf = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
