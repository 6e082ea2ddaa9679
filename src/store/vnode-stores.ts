/**
 * The ring stores of one process: one RingStore per ring member (`--vnodes`), all over one
 * BlobStore. With one member it is the plain RingStore on the blob store; with more, each
 * member gets a view of a SharedBlobStore (bytes kept once, each member holding its own keys).
 */
import type { ChordNode } from '../dht/chord-node.js';
import type { BlobStore } from './blob-store.js';
import { RingStore, type KeyListing, type RingStoreOptions } from './ring-store.js';
import { SharedBlobStore } from './shared-blob-store.js';

/** A key listing of every member of a process; `vnode` says whose entry it is (absent with one member). */
export type ProcessKeys = Omit<KeyListing, 'entries'> & {
  readonly entries: readonly (KeyListing['entries'][number] & { readonly vnode?: number })[];
};

export class VnodeStores {
  /** One per member, in member order (member 0's first). */
  readonly rings: RingStore[];

  constructor(nodes: readonly ChordNode[], blobs: BlobStore, opts: Omit<RingStoreOptions, 'store'> = {}) {
    const shared = nodes.length > 1 ? new SharedBlobStore(blobs) : null;
    this.rings = nodes.map((n) => new RingStore(n, { ...opts, store: shared ? shared.view() : blobs }));
  }

  /** Member 0's store: where the process's own puts and gets start. */
  get first(): RingStore {
    return this.rings[0]!;
  }

  /**
   * What the process holds, every member's keys in ring order (with the member's index when
   * there are several), counts summed: the `keys` command.
   */
  keys(limit = 10_000): ProcessKeys {
    if (this.rings.length === 1) return this.first.keys(limit);
    const all = this.rings.map((r, vnode) => ({ vnode, listing: r.keys(limit) }));
    const entries = all
      .flatMap(({ vnode, listing }) => listing.entries.map((e) => ({ ...e, vnode })))
      .sort((a, b) => (BigInt(`0x${a.id}`) < BigInt(`0x${b.id}`) ? -1 : 1));
    return {
      primary: all.reduce((n, x) => n + x.listing.primary, 0),
      replica: all.reduce((n, x) => n + x.listing.replica, 0),
      entries: entries.slice(0, limit),
      truncated: entries.length > limit || all.some((x) => x.listing.truncated),
    };
  }

  start(): void {
    for (const r of this.rings) r.start();
  }

  /** Stops every member's store (the blob store stays open: its owner closes it). */
  async stop(): Promise<void> {
    for (const r of this.rings) await r.stop();
  }
}
