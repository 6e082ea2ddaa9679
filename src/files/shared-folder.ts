/**
 * The user's shared/download folder: which files it holds (top level, regular files), their
 * manifests (built once per size+mtime, hashed off the event loop), and change events when
 * files appear, change or disappear, so the tracker and the console learn of them.
 */
import { EventEmitter } from 'node:events';
import { promises as fsp, watch, type FSWatcher } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { buildManifest, encodeManifest, manifestId, type Manifest } from '../transfer/manifest.js';
import type { HashPool } from '../transfer/hash-pool.js';
import { fileNameProblem, resolveInside } from '../transfer/safe-name.js';
import { silentLog, type LogFn } from '../core/log.js';
import { P2pError } from '../wire/errors.js';

export interface SharedFile {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface ManifestEntry {
  readonly manifest: Manifest;
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Names the folder never lists: dotfiles, and what a download keeps next to its target while
 * it runs (NAME.part, its resume state NAME.part.state, and that state's temporary copy).
 */
function isHidden(name: string): boolean {
  return name.startsWith('.') || /\.part(\.state(\.tmp)?)?$/.test(name);
}

/** How often a folder that cannot be watched is rescanned (ms). */
const RESCAN_MS = 3_000;
/**
 * How often a watched folder is rescanned anyway (ms): a safety net for events the watcher
 * missed, rare enough that an idle node does not wake for it (a rescan lists and stats
 * every file).
 */
const WATCHED_RESCAN_MS = 60_000;

export class SharedFolder extends EventEmitter<{ changed: [readonly SharedFile[]] }> {
  readonly dir: string;
  private files: SharedFile[] = [];
  private readonly manifests = new Map<string, ManifestEntry>();
  private readonly building = new Map<string, Promise<ManifestEntry>>();
  private timer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private scanning: Promise<readonly SharedFile[]> | null = null;

  constructor(
    dir: string,
    private readonly hashPool: HashPool,
    /** Where failed background rescans are reported (debug). Default: discard. */
    private readonly log: LogFn = silentLog,
  ) {
    super();
    this.dir = resolve(dir);
  }

  get list(): readonly SharedFile[] {
    return this.files;
  }

  async start(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    await this.rescan();
    this.rescanEvery(this.watch() ? WATCHED_RESCAN_MS : RESCAN_MS);
  }

  /** Watches the folder for changes; false when it cannot be watched. */
  private watch(): boolean {
    try {
      this.watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        // A download writing its part here fires an event per write: not worth a rescan.
        if (typeof name === 'string' && isHidden(name)) return;
        this.rescanInBackground('watch event');
      });
      this.watcher.on('error', (e) => {
        if (!this.watcher) return; // stopped meanwhile
        this.log('debug', 'files', `watching ${this.dir} failed (${e.message}); rescanning every ${RESCAN_MS} ms`);
        this.watcher?.close();
        this.watcher = null;
        this.rescanEvery(RESCAN_MS);
      });
      return true;
    } catch (e) {
      // Some file systems cannot be watched: the periodic rescan covers them.
      this.log(
        'debug',
        'files',
        `cannot watch ${this.dir} (${(e as Error).message}); rescanning every ${RESCAN_MS} ms`,
      );
      return false;
    }
  }

  private rescanEvery(ms: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.rescanInBackground('periodic'), ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.watcher?.close();
    this.timer = null;
    this.watcher = null;
  }

  /** Lists the folder again; emits `changed` when the listing differs. */
  rescan(): Promise<readonly SharedFile[]> {
    this.scanning ??= this.scan().finally(() => (this.scanning = null));
    return this.scanning;
  }

  /** A rescan nobody waits for: a failure is logged, and the next rescan tries again. */
  private rescanInBackground(why: string): void {
    this.rescan().catch((e: Error) => this.log('debug', 'files', `${why} rescan of ${this.dir} failed: ${e.message}`));
  }

  /** Puts a file into the folder (copied unless it is already there); returns its name. */
  async add(path: string): Promise<string> {
    const src = resolve(path);
    const name = basename(src);
    const problem = fileNameProblem(name);
    if (problem) throw new P2pError('BAD_NAME', `cannot share "${name}": ${problem}`);
    const dest = resolveInside(this.dir, name);
    const st = await fsp.stat(src).catch((e: Error) => {
      throw new P2pError('NOT_FOUND', `${src} is not a readable file: ${e.message}`);
    });
    if (!st.isFile()) throw new P2pError('NOT_FOUND', `${src} is not a readable file`);
    if (src !== dest) await fsp.copyFile(src, dest);
    await this.rescan();
    return name;
  }

  has(name: string): boolean {
    return this.files.some((f) => f.name === name);
  }

  pathOf(name: string): string {
    return resolveInside(this.dir, name);
  }

  /** The manifest of a shared file, rebuilt only when its size or mtime changed. */
  async manifest(name: string, chunkSize?: number): Promise<ManifestEntry> {
    const path = resolveInside(this.dir, name);
    const st = await fsp.stat(path).catch((e: Error) => {
      throw new P2pError('NOT_FOUND', `no shared file named ${name} (${e.message})`);
    });
    if (!st.isFile()) throw new P2pError('NOT_FOUND', `no shared file named ${name}`);
    const cached = this.manifests.get(name);
    if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return cached;
    const key = `${name}\0${st.size}\0${st.mtimeMs}`;
    let p = this.building.get(key);
    if (!p) {
      p = buildManifest(path, { name, chunkSize, hashPool: this.hashPool }).then((manifest) => {
        const entry = {
          manifest,
          id: manifestId(manifest),
          bytes: encodeManifest(manifest),
          size: st.size,
          mtimeMs: st.mtimeMs,
        };
        this.manifests.set(name, entry);
        return entry;
      });
      this.building.set(key, p);
      // The build's failure reaches every caller through `p`; this chain only forgets it.
      p.finally(() => this.building.delete(key)).catch(() => undefined);
    }
    return p;
  }

  private async scan(): Promise<readonly SharedFile[]> {
    const entries = await fsp.readdir(this.dir, { withFileTypes: true }).catch((e: Error) => {
      this.log('debug', 'files', `cannot list ${this.dir}, showing it empty: ${e.message}`);
      return [];
    });
    const out: SharedFile[] = [];
    for (const e of entries) {
      if (!e.isFile() || isHidden(e.name) || fileNameProblem(e.name)) continue;
      // Removed since the listing (or unreadable): it is simply not listed.
      const st = await fsp.stat(join(this.dir, e.name)).catch(() => null);
      if (st?.isFile()) out.push({ name: e.name, size: st.size, mtimeMs: st.mtimeMs });
    }
    out.sort((a, b) => a.name.localeCompare(b.name));
    const changed =
      out.length !== this.files.length ||
      out.some(
        (f, i) =>
          f.name !== this.files[i]!.name || f.size !== this.files[i]!.size || f.mtimeMs !== this.files[i]!.mtimeMs,
      );
    this.files = out;
    for (const name of this.manifests.keys()) if (!out.some((f) => f.name === name)) this.manifests.delete(name);
    if (changed) this.emit('changed', out);
    return out;
  }
}
