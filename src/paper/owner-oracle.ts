/**
 * The ground truth a lookup is checked against: the live members sorted by id. A key's true
 * owner is the first member whose id is at or after the key (wrapping); its holders under
 * r-fold replication are the owner and the r-1 members after it (the ring store's placement).
 */
import type { ChordNode } from '../dht/chord-node.js';
import { successorIndex } from '../sim/ring-check.js';

export class OwnerOracle {
  private readonly ids: bigint[];
  private readonly addresses: string[];

  constructor(members: Iterable<ChordNode>) {
    const sorted = [...members].map((n) => n.self).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.ids = sorted.map((n) => n.id);
    this.addresses = sorted.map((n) => n.address);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Address of the member responsible for `key`. */
  ownerOf(key: bigint): string {
    return this.addresses[successorIndex(this.ids, key)]!;
  }

  /** Addresses of the r members holding `key`: its owner, then the owner's successors. */
  holdersOf(key: bigint, r: number): string[] {
    const first = successorIndex(this.ids, key);
    const out: string[] = [];
    for (let k = 0; k < Math.min(r, this.ids.length); k++) out.push(this.addresses[(first + k) % this.ids.length]!);
    return out;
  }
}
