/**
 * A whole ring of real TCP nodes on loopback in one process (each on its own port, picked by
 * the OS), on the real clock: what `p2pterm sim --transport tcp` runs. Same shape as SimRing
 * where the lab needs it; there is no virtual time, latency, loss or partition here.
 */
import type { Routing } from '../core/chord-state.js';
import { seededRandom } from '../core/random.js';
import type { ChordNode } from '../dht/chord-node.js';
import { createTcpNode } from '../dht/create-tcp-node.js';

/** What the lab needs from a ring, whichever transport it runs on. */
export interface LabRing {
  /** Every node started, including crashed and departed ones. */
  readonly nodes: ChordNode[];
  readonly live: ChordNode[];
  /** Virtual nodes per host (a host is one process: crashes and leaves take all its members). */
  readonly vnodes: number;
  pickLive(): ChordNode;
  /** Starts a host, its members alone; resolves to member 0. */
  spawn(): Promise<ChordNode>;
  /** Every member of `node`'s host, member 0 first. */
  members(node: ChordNode): readonly ChordNode[];
  /** Joins every member of `node`'s host through `via` (null: the host forms a ring of its own). */
  joinHost(node: ChordNode, via: string | null): Promise<void>;
  /** Crashes `node`'s whole host. */
  crash(node: ChordNode): Promise<void>;
  /** Every member of `node`'s host leaves gracefully, then the host stops. */
  leave(node: ChordNode): Promise<void>;
  stop(): Promise<void>;
}

export interface TcpRingOptions {
  readonly bits?: number;
  readonly routing?: Routing;
  readonly successors?: number;
  readonly stabilizeMs?: number;
  readonly seed?: number;
  /** RPC timeout in ms (default 2000). */
  readonly timeoutMs?: number;
}

export class TcpRing implements LabRing {
  readonly nodes: ChordNode[] = [];
  /** One node per process here. */
  readonly vnodes = 1;
  private readonly random: () => number;
  private readonly down = new Set<ChordNode>();

  constructor(readonly opts: TcpRingOptions = {}) {
    this.random = seededRandom(opts.seed ?? 7);
  }

  get live(): ChordNode[] {
    return this.nodes.filter((n) => n.member && !this.down.has(n));
  }

  pickLive(): ChordNode {
    const live = this.live;
    return live[Math.floor(this.random() * live.length)]!;
  }

  /** Starts a node on 127.0.0.1 and a free port (alone until it joins). */
  async spawn(): Promise<ChordNode> {
    const node = await createTcpNode({
      host: '127.0.0.1',
      port: 0,
      bits: this.opts.bits,
      routing: this.opts.routing,
      successors: this.opts.successors,
      stabilizeMs: this.opts.stabilizeMs,
      rpcTimeoutMs: this.opts.timeoutMs,
    });
    this.nodes.push(node);
    return node;
  }

  members(node: ChordNode): readonly ChordNode[] {
    return [node];
  }

  async joinHost(node: ChordNode, via: string | null): Promise<void> {
    if (via) await node.join(via);
  }

  /** Closes the node's port without a word to anyone. */
  async crash(node: ChordNode): Promise<void> {
    this.down.add(node);
    await node.stop();
  }

  async leave(node: ChordNode): Promise<void> {
    await node.leave();
    this.down.add(node);
    await node.stop();
  }

  async stop(): Promise<void> {
    // Shutting down: a node whose port fails to close has nothing left to do, and the rest must still stop.
    await Promise.all(this.nodes.map((n) => n.stop().catch(() => undefined)));
  }
}
