/**
 * What the lab's console shows: the selected node (every pane shows it, and operations given
 * no node act on it) and where each live node sits on the drawn ring. Console state: the lab
 * itself does not know which node is on screen.
 *
 * Invariants:
 * - `selected` is a live member whenever the ring has one (a crashed or departed selection, or
 *   one from a ring since replaced, moves to the first node in id order);
 * - positions and hosts are recomputed only when the lab's membership version changes.
 */
import type { ChordNode } from '../dht/chord-node.js';
import type { LabRing } from '../sim/tcp-ring.js';
import type { Lab } from '../sim/lab.js';
import { hostOf } from '../wire/address.js';

/** A node by address, hex id or "#index" in id order; a node itself; or one relative to the selected one. */
export type NodeChoice = string | ChordNode | { readonly delta: number };

/** Which host each live node belongs to, in id order (as `lab.members().nodes`). */
export interface HostMarks {
  /** Host number of each node: hosts numbered in the order their first point comes by id. */
  readonly index: Uint32Array;
  /** Whether each node is its host's member 0 (the one that carries the host's label). */
  readonly first: readonly boolean[];
  /** Each host's short name ("n3" for "n3.sim:4000"), by host number. */
  readonly names: readonly string[];
  /** Host number by host address ("n3.sim:4000"). */
  readonly numbers: ReadonlyMap<string, number>;
}

/** Bits of an id kept when placing it on the drawn circle (plenty for any screen). */
const POSITION_BITS = 24n;

export class LabViewState {
  private selectedNode: ChordNode | null = null;
  private selectedIn: LabRing | null = null;
  private positions_: { readonly version: number; readonly frac: Float64Array } | null = null;
  private hosts_: { readonly version: number; readonly marks: HostMarks } | null = null;

  constructor(private readonly lab: Lab) {}

  /** The node the console shows. */
  get selected(): ChordNode {
    const s = this.selectedIn === this.lab.ring ? this.selectedNode : null;
    if (s?.member) return s;
    return this.remember(this.lab.members().nodes[0] ?? this.lab.ring.nodes[0]!);
  }

  /** Selects a node by address, hex id, index in id order ("#12"), or relative to the current one. */
  select(which: NodeChoice): ChordNode {
    const node = this.find(which);
    if (!node) throw new Error(`no live node ${String(typeof which === 'string' ? which : '')}`);
    this.remember(node);
    this.lab.bus.emit('lab:selected', { address: node.self.address });
    return node;
  }

  /** Each live node's place on the ring in [0, 1), in id order (as `lab.members().nodes`). */
  positions(): Float64Array {
    const m = this.lab.members();
    if (this.positions_?.version === m.version) return this.positions_.frac;
    const frac = new Float64Array(m.nodes.length);
    const shift = BigInt(this.lab.bits);
    for (let i = 0; i < m.nodes.length; i++)
      frac[i] = Number((m.nodes[i]!.self.id << POSITION_BITS) >> shift) / 2 ** Number(POSITION_BITS);
    this.positions_ = { version: m.version, frac };
    return frac;
  }

  /** Each live node's host, in id order (as `positions()`). */
  hosts(): HostMarks {
    const m = this.lab.members();
    if (this.hosts_?.version === m.version) return this.hosts_.marks;
    const numbers = new Map<string, number>();
    const names: string[] = [];
    const index = new Uint32Array(m.nodes.length);
    const first: boolean[] = [];
    for (const [i, n] of m.nodes.entries()) {
      const host = hostOf(n.self.address);
      let h = numbers.get(host);
      if (h === undefined) numbers.set(host, (h = names.push(host.replace(/:\d+$/, '').replace(/\.sim$/, '')) - 1));
      index[i] = h;
      first.push(host === n.self.address);
    }
    this.hosts_ = { version: m.version, marks: { index, first, names, numbers } };
    return this.hosts_.marks;
  }

  private find(which: NodeChoice): ChordNode | undefined {
    const nodes = this.lab.members().nodes;
    if (typeof which === 'string')
      return which.startsWith('#')
        ? nodes[Number(which.slice(1))]
        : nodes.find((n) => n.self.address === which || n.self.id.toString(16) === which);
    if ('delta' in which) {
      const here = Math.max(0, nodes.indexOf(this.selected));
      return nodes[(here + which.delta + nodes.length * 1024) % nodes.length];
    }
    return which;
  }

  private remember(node: ChordNode): ChordNode {
    this.selectedNode = node;
    this.selectedIn = this.lab.ring;
    return node;
  }
}
