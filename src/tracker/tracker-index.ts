/**
 * The tracker's index: which peers exist, whether they are online, and which files each shares,
 * in SQLite (better-sqlite3, WAL).
 *
 * Invariants:
 * - every mutating method is one transaction, committed before it returns: once a request is
 *   acknowledged its effect survives a SIGKILL of the process (WAL + synchronous=NORMAL makes
 *   each commit durable against a process crash; `synchronous: 'FULL'` also against power loss);
 * - a peer is identified by (host, port) exactly as sent; going offline keeps its files;
 * - source queries for P2P-CI (`lookupRfc`, `listRfcs`) return online peers only; `search`
 *   returns offline ones too, flagged, for display;
 * - a file named `rfcN.txt` (any case) is RFC N; an RFC N added over P2P-CI is named `rfcN.txt`.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { P2pCiRecord } from './p2p-ci-format.js';
import { SCHEMA_SQL, SCHEMA_VERSION, prepareStatements, type Statements } from './tracker-index-sql.js';

export type PeerKind = 'p2pterm' | 'p2pci';

export interface PeerRow {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly kind: PeerKind;
  readonly online: boolean;
  readonly lastSeen: number;
}

/** A file as a peer announces it. `rfc` and `title` default from the name. */
export interface FileInput {
  readonly name: string;
  readonly size?: number | null;
  readonly sha256?: string | null;
  readonly rfc?: number | null;
  readonly title?: string;
}

/** One (file, peer) record with the peer's address and state. */
export interface FileRecord {
  readonly name: string;
  readonly rfc: number | null;
  readonly title: string;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly host: string;
  readonly port: number;
  readonly kind: PeerKind;
  readonly online: boolean;
}

export interface IndexStats {
  readonly peers: number;
  readonly onlinePeers: number;
  readonly files: number;
}

/** Options for TrackerIndex. */
export interface TrackerIndexOptions {
  /** 'NORMAL' (default) survives a process kill; 'FULL' also survives power loss, slower. */
  readonly synchronous?: 'NORMAL' | 'FULL';
}

const RFC_NAME = /^rfc(\d{1,9})\.txt$/i;

/** RFC number of a file named `rfcN.txt`, or null. */
export function rfcOfName(name: string): number | null {
  const m = RFC_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/** File name p2pterm peers see for RFC n. */
export function nameOfRfc(rfc: number): string {
  return `rfc${rfc}.txt`;
}

export class TrackerIndex {
  readonly #db: Database.Database;
  readonly #st: Statements;
  readonly #replace: (peerId: number, files: readonly FileInput[], now: number) => number;
  readonly #addMany: (peerId: number, files: readonly FileInput[], now: number) => void;

  constructor(
    readonly dbPath: string,
    opts: TrackerIndexOptions = {},
  ) {
    if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true });
    this.#db = new Database(dbPath);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#migrate();
    this.#st = prepareStatements(this.#db);
    this.#replace = this.#db.transaction((peerId, files, now) => this.#replaceFiles(peerId, files, now));
    this.#addMany = this.#db.transaction((peerId, files, now) => {
      for (const f of files) this.#upsertFile(peerId, f, now);
    });
  }

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION)
      throw new Error(`tracker database ${this.dbPath} has schema ${version}, newer than ${SCHEMA_VERSION}`);
    this.#db.exec(SCHEMA_SQL);
    this.#db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }

  /** Creates or updates the peer (host, port) and marks it online. */
  upsertPeer(host: string, port: number, kind: PeerKind, now = Date.now()): PeerRow {
    return toPeer(this.#st.upsertPeer.get(host, port, kind, now));
  }

  getPeer(host: string, port: number): PeerRow | undefined {
    const row = this.#st.getPeer.get(host, port);
    return row ? toPeer(row) : undefined;
  }

  setPeerOnline(peerId: number, online: boolean, now = Date.now()): void {
    this.#st.setOnline.run(online ? 1 : 0, now, peerId);
  }

  /** At startup no peer is connected yet: all are offline until they come back. */
  markAllOffline(): number {
    return this.#st.allOffline.run().changes;
  }

  /** Adds (or updates) one file of a peer. */
  addFile(peerId: number, file: FileInput, now = Date.now()): void {
    this.#upsertFile(peerId, file, now);
  }

  /** Adds (or updates) several files of a peer in one transaction. */
  addFiles(peerId: number, files: readonly FileInput[], now = Date.now()): void {
    this.#addMany(peerId, files, now);
  }

  /** Makes `files` the peer's whole file set (deletions included); returns how many were removed. */
  replaceFiles(peerId: number, files: readonly FileInput[], now = Date.now()): number {
    return this.#replace(peerId, files, now);
  }

  removeFile(peerId: number, name: string): boolean {
    return this.#st.removeFile.run(peerId, name).changes > 0;
  }

  removePeerFiles(peerId: number): number {
    return this.#st.removePeerFiles.run(peerId).changes;
  }

  /** Online sources of RFC n, in the order they were added. */
  lookupRfc(rfc: number): FileRecord[] {
    return this.#st.lookupRfc.all(rfc).map(toFile);
  }

  /** Online sources of RFC n as P2P-CI records only (the hot path of LOOKUP). */
  lookupRfcRecords(rfc: number): P2pCiRecord[] {
    return this.#st.lookupRfcRecords.all(rfc) as P2pCiRecord[];
  }

  /** Every RFC record of online peers. */
  listRfcs(): FileRecord[] {
    return this.#st.listRfcs.all().map(toFile);
  }

  /** Records whose name or title contains `text` (case-insensitive), offline ones included. */
  search(text: string, limit = 5000): FileRecord[] {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.#st.search.all(pattern, pattern, limit).map(toFile);
  }

  /** Records of one exact file name, offline ones included. */
  findByName(name: string): FileRecord[] {
    return this.#st.findByName.all(name).map(toFile);
  }

  /** Every record, offline ones included (up to `limit`). */
  listAll(limit = 100_000): FileRecord[] {
    return this.#st.listAll.all(limit).map(toFile);
  }

  peers(): PeerRow[] {
    return this.#st.peers.all().map(toPeer);
  }

  stats(): IndexStats {
    const r = this.#st.stats.get() as { peers: number; online: number | null; files: number };
    return { peers: r.peers, onlinePeers: r.online ?? 0, files: r.files };
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #upsertFile(peerId: number, f: FileInput, now: number): void {
    const rfc = f.rfc ?? rfcOfName(f.name);
    this.#st.upsertFile.run(peerId, rfc, f.name, f.title ?? f.name, f.size ?? null, f.sha256 ?? null, now);
  }

  #replaceFiles(peerId: number, files: readonly FileInput[], now: number): number {
    const keep = new Set(files.map((f) => f.name));
    let removed = 0;
    for (const { name } of this.#st.peerFileNames.all(peerId) as { name: string }[]) {
      if (!keep.has(name)) removed += this.#st.removeFile.run(peerId, name).changes;
    }
    for (const f of files) this.#upsertFile(peerId, f, now);
    return removed;
  }
}

function toPeer(row: unknown): PeerRow {
  const r = row as { id: number; host: string; port: number; kind: PeerKind; online: number; last_seen: number };
  return { id: r.id, host: r.host, port: r.port, kind: r.kind, online: r.online === 1, lastSeen: r.last_seen };
}

function toFile(row: unknown): FileRecord {
  const r = row as Omit<FileRecord, 'online'> & { online: number };
  return {
    name: r.name,
    rfc: r.rfc,
    title: r.title,
    size: r.size,
    sha256: r.sha256,
    host: r.host,
    port: r.port,
    kind: r.kind,
    online: r.online === 1,
  };
}
