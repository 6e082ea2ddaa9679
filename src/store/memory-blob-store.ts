/**
 * A BlobStore in memory, for simulations and tests: the same contract as DiskBlobStore
 * without a disk. Scans keep a sorted index, rebuilt lazily after keys come or go.
 */
import {
  compareEntries,
  digestOf,
  inRange,
  type BlobStore,
  type EntryMeta,
  type IdRange,
  type PutEntry,
  type Role,
  type RoleCounts,
  type ScanCursor,
} from './blob-store.js';

interface Held {
  meta: EntryMeta;
  bytes: Uint8Array;
}

export class MemoryBlobStore implements BlobStore {
  private readonly entries = new Map<string, Held>();
  /** (id, key) of every entry in scan order; rebuilt lazily when keys come or go. */
  private sorted: ScanCursor[] | null = null;
  private primaries = 0;

  async put(e: PutEntry): Promise<EntryMeta> {
    const meta: EntryMeta = {
      key: e.key,
      id: e.id,
      kind: e.kind,
      role: e.role,
      size: e.bytes.byteLength,
      digest: digestOf(e.bytes),
    };
    const old = this.entries.get(e.key);
    if (old) this.forget(old);
    else this.sorted = null;
    this.entries.set(e.key, { meta, bytes: e.bytes.slice() });
    if (meta.role === 'primary') this.primaries++;
    return meta;
  }

  async get(key: string): Promise<Uint8Array | null> {
    const held = this.entries.get(key);
    return held ? held.bytes.slice() : null;
  }

  meta(key: string): EntryMeta | null {
    return this.entries.get(key)?.meta ?? null;
  }

  setRole(key: string, role: Role): boolean {
    const held = this.entries.get(key);
    if (!held) return false;
    if (held.meta.role !== role) {
      this.primaries += role === 'primary' ? 1 : -1;
      held.meta = { ...held.meta, role };
    }
    return true;
  }

  async delete(key: string, digest?: string): Promise<boolean> {
    const held = this.entries.get(key);
    if (!held || (digest !== undefined && held.meta.digest !== digest)) return false;
    this.forget(held);
    this.entries.delete(key);
    this.sorted = null;
    return true;
  }

  scan(range: IdRange, cursor: ScanCursor | null, limit: number): EntryMeta[] {
    const all = this.index();
    let i = Math.max(
      cursor ? upperBound(all, (m) => compareEntries(m, cursor) <= 0) : 0,
      range.after === null ? 0 : upperBound(all, (m) => m.id <= range.after!),
    );
    const out: EntryMeta[] = [];
    for (; i < all.length && out.length < limit; i++) {
      const c = all[i]!;
      if (range.upTo !== null && c.id > range.upTo) break;
      if (inRange(c.id, range)) out.push(this.entries.get(c.key)!.meta);
    }
    return out;
  }

  counts(): RoleCounts {
    return { primary: this.primaries, replica: this.entries.size - this.primaries };
  }

  async close(): Promise<void> {
    // Nothing to release: the entries live in this object and go with it.
  }

  private forget(held: Held): void {
    if (held.meta.role === 'primary') this.primaries--;
  }

  private index(): ScanCursor[] {
    if (!this.sorted)
      this.sorted = [...this.entries.values()].map((h) => ({ id: h.meta.id, key: h.meta.key })).sort(compareEntries);
    return this.sorted;
  }
}

/** First index where `notPast` stops holding (the list is sorted so that it holds on a prefix). */
function upperBound(list: readonly ScanCursor[], notPast: (m: ScanCursor) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (notPast(list[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
