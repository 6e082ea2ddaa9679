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
 * - a view's delete only stops it holding the key; the bytes go when no view holds them (a put
 *   of the key meanwhile waits for that removal, then writes the bytes again);
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
  /** Keys whose bytes are being removed from the shared store right now. */
  private readonly removing = new Map<string, Promise<unknown>>();

  constructor(readonly base: BlobStore) {}

  /** A view for one more virtual node (the first one adopts what the store holds already). */
  view(): BlobStore {
    const v = new BlobView(this.base, this);
    if (this.views.length === 0) v.adoptAll();
    this.views.push(v);
    return v;
  }

  /** @internal Whether a view other than `except` holds `key`. */
  heldElsewhere(key: string, except: BlobView): boolean {
    return this.views.some((o) => o !== except && o.holds(key));
  }

  /** @internal Removes `key`'s bytes; puts of the key wait for it (see `settled`). */
  async remove(key: string, digest: string | undefined): Promise<void> {
    const done = this.base.delete(key, digest);
    this.removing.set(key, done);
    try {
      await done;
    } finally {
      if (this.removing.get(key) === done) this.removing.delete(key);
    }
  }

  /** @internal Resolves once no removal of `key` is in progress. */
  async settled(key: string): Promise<void> {
    for (let p = this.removing.get(key); p; p = this.removing.get(key)) await p.catch(() => undefined); // the remover reports its own failure
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
    private readonly shared: SharedBlobStore,
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
    await this.shared.settled(e.key);
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
    if (!this.shared.heldElsewhere(key, this)) await this.shared.remove(key, digest);
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
