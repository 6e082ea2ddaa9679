/**
 * What a node keeps for the ring: values by key, each with its ring id, kind and role. Two
 * implementations share this interface: DiskBlobStore (durable, under a data directory) and
 * MemoryBlobStore (simulations).
 *
 * Invariants every implementation keeps:
 * - `get` returns exactly the bytes of the last completed `put` of the key, or null; never a
 *   partly written or corrupted value (the digest is checked, a bad entry is dropped);
 * - metadata calls (`meta`, `scan`, `counts`, `setRole`) are synchronous and see every put
 *   whose promise resolved;
 * - `scan` orders by (id, key): ids alone can collide on small rings;
 * - the stored bytes are a private copy: callers may reuse their buffers.
 */
import { createHash } from 'node:crypto';

export type EntryKind = 'manifest' | 'chunk' | 'value';
/** Held as the key's owner, or as one of the r-1 copies on its successors. */
export type Role = 'primary' | 'replica';

export interface EntryMeta {
  readonly key: string;
  /** hashId(key, bits): the key's place on the ring. */
  readonly id: bigint;
  readonly kind: EntryKind;
  readonly role: Role;
  readonly size: number;
  /** SHA-256 of the bytes, lowercase hex. */
  readonly digest: string;
}

export interface PutEntry {
  readonly key: string;
  readonly id: bigint;
  readonly kind: EntryKind;
  readonly role: Role;
  readonly bytes: Uint8Array;
}

/** A linear id range: ids in (after, upTo]; null bounds are open-ended. */
export interface IdRange {
  readonly after: bigint | null;
  readonly upTo: bigint | null;
}

/** Where a scan resumes: strictly after this (id, key). */
export interface ScanCursor {
  readonly id: bigint;
  readonly key: string;
}

export interface RoleCounts {
  readonly primary: number;
  readonly replica: number;
}

export interface BlobStore {
  /** Stores (or replaces) a value; resolves once it is durable. */
  put(entry: PutEntry): Promise<EntryMeta>;
  get(key: string): Promise<Uint8Array | null>;
  meta(key: string): EntryMeta | null;
  /** Changes an entry's role; false when the key is absent. */
  setRole(key: string, role: Role): boolean;
  /** Removes a key; with `digest`, only if the content still has that digest. */
  delete(key: string, digest?: string): Promise<boolean>;
  /** Up to `limit` entries in `range`, in (id, key) order, after `cursor`. */
  scan(range: IdRange, cursor: ScanCursor | null, limit: number): EntryMeta[];
  counts(): RoleCounts;
  close(): Promise<void>;
}

export function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** (id, key) order, the order of `scan`. */
export function compareEntries(a: ScanCursor, b: ScanCursor): number {
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function inRange(id: bigint, r: IdRange): boolean {
  return (r.after === null || id > r.after) && (r.upTo === null || id <= r.upTo);
}

/** The ring interval (from, to], wrapping past zero, as linear ranges; (a, a] is the whole ring. */
export function ringRanges(from: bigint, to: bigint): IdRange[] {
  if (from < to) return [{ after: from, upTo: to }];
  return [
    { after: from, upTo: null },
    { after: null, upTo: to },
  ];
}

/** Up to `limit` entries in the ring interval (from, to], in ring order from `from`, after `cursor`. */
export function scanRing(
  store: BlobStore,
  from: bigint,
  to: bigint,
  cursor: ScanCursor | null,
  limit: number,
): EntryMeta[] {
  const parts = ringRanges(from, to);
  const start = cursor ? parts.findIndex((p) => inRange(cursor.id, p)) : 0;
  if (start < 0) return [];
  const out: EntryMeta[] = [];
  for (let i = start; i < parts.length && out.length < limit; i++) {
    out.push(...store.scan(parts[i]!, i === start ? cursor : null, limit - out.length));
  }
  return out;
}

/** Pages of the ring interval (from, to]; each page is read when the previous one was handled. */
export function* ringPages(store: BlobStore, from: bigint, to: bigint, pageSize: number): Generator<EntryMeta[]> {
  let cursor: ScanCursor | null = null;
  for (;;) {
    const page = scanRing(store, from, to, cursor, pageSize);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    cursor = page[page.length - 1]!;
  }
}
