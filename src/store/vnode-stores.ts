/**
 * The ring stores of one process: one RingStore per ring member (`--vnodes`), all over one
 * BlobStore. With one member it is the plain RingStore on the blob store; with more, each
 * member gets a view of a SharedBlobStore (bytes kept once, each member holding its own keys).
 */
import type { ChordNode } from '../dht/chord-node.js';
import type { BlobStore } from './blob-store.js';
import { RingStore, type RingStoreOptions } from './ring-store.js';
import { SharedBlobStore } from './shared-blob-store.js';

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

  start(): void {
    for (const r of this.rings) r.start();
  }

  /** Stops every member's store (the blob store stays open: its owner closes it). */
  async stop(): Promise<void> {
    for (const r of this.rings) await r.stop();
  }
}
