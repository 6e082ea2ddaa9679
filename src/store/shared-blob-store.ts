/**
 * One BlobStore for the V virtual nodes of a process: each virtual node's ring store gets a
 * view of it (`view()`), a BlobStore that sees only the keys that virtual node holds, with
 * that virtual node's role for each. The bytes are kept once, in the shared store.
 *
 * Invariants:
 * - a view's `meta`, `scan`, `counts` and `get` see only the keys the view holds;
 * - a put of bytes the shared store already has under that key (same digest) writes nothing:
 *   the view just starts holding it (a key handed from one virtual node to a sibling stays
 *   where it is on disk);
 * - a view's delete only stops it holding the key; the bytes go when no view holds them;
 * - entries already in the shared store when it is opened (a restart) are held by the first
 *   view, whose maintenance passes then hand them to their holders.
 */
import {
  digestOf,
  type BlobStore,
  type EntryMeta,
  type IdRange,
  type PutEntry,
  type Role,
  type RoleCounts,
  type ScanCursor,
} from './blob-store.js';

/** Entries read from the shared store per step of a view's scan. */
const SCAN_STEP = 256;

export class SharedBlobStore {
  private readonly views: BlobView[] = [];

  constructor(readonly base: BlobStore) {}

  /** A view for one more virtual node (the first one adopts what the store holds already). */
  view(): BlobStore {
    const v = new BlobView(this.base, (key, except) => this.views.some((o) => o !== except && o.holds(key)));
    if (this.views.length === 0) v.adoptAll();
    this.views.push(v);
    return v;
  }

  /** Closes the shared store (views never close it). */
  close(): Promise<void> {
    return this.base.close();
  }
}

class BlobView implements BlobStore {
  private readonly roles = new Map<string, Role>();
  private primaries = 0;

  constructor(
    private readonly base: BlobStore,
    private readonly heldElsewhere: (key: string, except: BlobView) => boolean,
  ) {}

  holds(key: string): boolean {
    return this.roles.has(key);
  }

  adoptAll(): void {
    let cursor: ScanCursor | null = null;
    for (;;) {
      const page = this.base.scan({ after: null, upTo: null }, cursor, SCAN_STEP);
      for (const m of page) this.hold(m.key, m.role);
      if (page.length < SCAN_STEP) return;
      cursor = page[page.length - 1]!;
    }
  }

  async put(e: PutEntry): Promise<EntryMeta> {
    const old = this.base.meta(e.key);
    const meta = old && old.digest === digestOf(e.bytes) ? old : await this.base.put(e);
    this.hold(e.key, e.role);
    return { ...meta, role: e.role };
  }

  get(key: string): Promise<Uint8Array | null> {
    return this.roles.has(key) ? this.base.get(key) : Promise.resolve(null);
  }

  meta(key: string): EntryMeta | null {
    const role = this.roles.get(key);
    const m = role ? this.base.meta(key) : null;
    return m && role ? { ...m, role } : null;
  }

  setRole(key: string, role: Role): boolean {
    if (!this.roles.has(key)) return false;
    this.hold(key, role);
    return true;
  }

  async delete(key: string, digest?: string): Promise<boolean> {
    const m = this.meta(key);
    if (!m || (digest !== undefined && m.digest !== digest)) return false;
    this.release(key);
    if (!this.heldElsewhere(key, this)) await this.base.delete(key, digest);
    return true;
  }

  scan(range: IdRange, cursor: ScanCursor | null, limit: number): EntryMeta[] {
    const out: EntryMeta[] = [];
    let at = cursor;
    while (out.length < limit) {
      const page = this.base.scan(range, at, Math.max(limit, SCAN_STEP));
      for (const m of page) {
        const role = this.roles.get(m.key);
        if (role && out.length < limit) out.push({ ...m, role });
      }
      if (page.length < Math.max(limit, SCAN_STEP)) break;
      at = page[page.length - 1]!;
    }
    return out;
  }

  counts(): RoleCounts {
    return { primary: this.primaries, replica: this.roles.size - this.primaries };
  }

  /** A view does not close the shared store (SharedBlobStore.close does). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private hold(key: string, role: Role): void {
    this.release(key);
    this.roles.set(key, role);
    if (role === 'primary') this.primaries++;
  }

  private release(key: string): void {
    const role = this.roles.get(key);
    if (role === undefined) return;
    this.roles.delete(key);
    if (role === 'primary') this.primaries--;
  }
}
