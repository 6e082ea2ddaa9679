/**
 * The transfer engine's ChunkSource over the ring store. Each chunk of a file lives under
 * its own key (`chunk:<sha256 hex>`) on its own holders, so a "source" here is a holder rank:
 * source k fetches every chunk from that chunk's k-th holder. r sources give a download r
 * independent paths; a source whose holder lacks a chunk or is gone reads that chunk from
 * any holder that has it (right after a crash the k-th holder may be dead and the live copy
 * beyond the first r nodes of a stale successor list).
 *
 * Invariants:
 * - bytes are passed on unverified: the download session checks each chunk against its
 *   manifest hash, and drops a source that sent a bad one;
 * - holders are looked up once per chunk key (one route), shared by all sources.
 */
import type { ChunkSource } from '../transfer/download-session.js';
import type { RingStore } from './ring-store.js';
import type { NodeRefJson } from '../core/node-ref.js';

/** The ring key of a chunk with this SHA-256 (lowercase hex). */
export function chunkKey(sha256Hex: string): string {
  return `chunk:${sha256Hex}`;
}

/** One source per holder rank (r of them) for the chunks with these hashes, in file order. */
export function ringChunkSources(store: RingStore, chunkHashes: readonly string[]): ChunkSource[] {
  const holders = new Map<number, Promise<NodeRefJson[]>>();
  const holdersOf = (i: number) => {
    let p = holders.get(i);
    if (!p) {
      p = store.holders(chunkKey(chunkHashes[i]!));
      p.catch(() => holders.delete(i)); // look again next time
      holders.set(i, p);
    }
    return p;
  };
  return Array.from({ length: store.replicas }, (_, rank) => new RingRankSource(store, chunkHashes, rank, holdersOf));
}

class RingRankSource implements ChunkSource {
  readonly id: string;

  constructor(
    private readonly store: RingStore,
    private readonly hashes: readonly string[],
    private readonly rank: number,
    private readonly holdersOf: (i: number) => Promise<NodeRefJson[]>,
  ) {
    this.id = `ring:holder-${rank}`;
  }

  has(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.hashes.length;
  }

  async fetch(index: number, signal: AbortSignal): Promise<Uint8Array> {
    const key = chunkKey(this.hashes[index]!);
    const list = await this.holdersOf(index);
    // A ring smaller than r has fewer holders: the extra ranks read through any holder.
    const holder = list[this.rank];
    if (!holder) return this.store.get(key, { signal });
    try {
      return await this.store.fetchFrom(holder.address, key, { signal });
    } catch (e) {
      if (signal.aborted) throw e;
      // This rank's holder is gone or lacks the chunk (a crash the ring has not repaired
      // yet): read it from whichever holder has it, walking past the dead ones.
      return this.store.get(key, { signal });
    }
  }
}
