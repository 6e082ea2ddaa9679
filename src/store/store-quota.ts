/**
 * Bytes each remote peer may have stored on this node through `store_put`. The ledger keeps,
 * for every key a peer wrote, who wrote it and how many bytes: overwriting one's own key
 * charges only the difference, a key overwritten by another peer moves to that peer's account,
 * and a key dropped from the store is given back. Writes made by this node itself (its own
 * puts, key handoff on join and leave, repair) are not charged and leave the ledger alone.
 *
 * The ledger is in memory: after a restart every peer starts from zero again.
 *
 * Invariants:
 * - a peer's charge is the sum of its keys' bytes, and never exceeds the quota through a put;
 * - a refused put changes nothing (the value is not stored, earlier values stay).
 */
import { StoreError } from './store-error.js';

/**
 * Bytes one peer may store on a node by default (16 GiB): files shared through the ring put
 * their chunks on other nodes, so in a small ring one peer's share lands mostly on a few.
 */
export const DEFAULT_STORE_QUOTA_BYTES = 16 * 1024 * 1024 * 1024;

interface Written {
  readonly peer: string;
  readonly bytes: number;
}

export class StoreQuota {
  private readonly byKey = new Map<string, Written>();
  private readonly perPeer = new Map<string, number>();

  /** `bytesPerPeer` 0 or less: no quota (the ledger is still kept, for `charged`). */
  constructor(readonly bytesPerPeer = DEFAULT_STORE_QUOTA_BYTES) {}

  /**
   * Charges `peer` for storing `bytes` under `key`, before the value is written (so puts running
   * at once cannot all pass); throws QUOTA, charging nothing, when it would go over. Returns an
   * undo for a put that then fails.
   */
  charge(peer: string, key: string, bytes: number): () => void {
    const prior = this.byKey.get(key);
    const own = prior?.peer === peer ? prior.bytes : 0;
    const after = this.charged(peer) - own + bytes;
    if (this.bytesPerPeer > 0 && after > this.bytesPerPeer)
      throw new StoreError(
        'QUOTA',
        `storing ${bytes} bytes would take this peer to ${after} bytes here, over its quota of ${this.bytesPerPeer}`,
      );
    this.forget(key);
    const mine: Written = { peer, bytes };
    this.put(key, mine);
    return () => {
      if (this.byKey.get(key) !== mine) return; // rewritten meanwhile: the newer charge stands
      this.forget(key);
      if (prior) this.put(key, prior);
    };
  }

  /** `key` is no longer held here (dropped, or rewritten by this node itself). */
  forget(key: string): void {
    const prior = this.byKey.get(key);
    if (!prior) return;
    this.byKey.delete(key);
    const left = this.charged(prior.peer) - prior.bytes;
    if (left > 0) this.perPeer.set(prior.peer, left);
    else this.perPeer.delete(prior.peer);
  }

  private put(key: string, w: Written): void {
    this.byKey.set(key, w);
    this.perPeer.set(w.peer, this.charged(w.peer) + w.bytes);
  }

  /** Bytes `peer` has stored here now. */
  charged(peer: string): number {
    return this.perPeer.get(peer) ?? 0;
  }
}
