/** Schema and prepared statements of the tracker index (see tracker-index.ts for invariants). */
import type Database from 'better-sqlite3';

export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS peers (
  id        INTEGER PRIMARY KEY,
  host      TEXT    NOT NULL,
  port      INTEGER NOT NULL,
  kind      TEXT    NOT NULL CHECK (kind IN ('p2pterm', 'p2pci')),
  online    INTEGER NOT NULL DEFAULT 0,
  last_seen INTEGER NOT NULL,
  UNIQUE (host, port)
);
CREATE TABLE IF NOT EXISTS files (
  id       INTEGER PRIMARY KEY,
  peer_id  INTEGER NOT NULL REFERENCES peers(id) ON DELETE CASCADE,
  rfc      INTEGER,
  name     TEXT    NOT NULL,
  title    TEXT    NOT NULL,
  size     INTEGER,
  sha256   TEXT,
  added_at INTEGER NOT NULL,
  UNIQUE (peer_id, name)
);
CREATE INDEX IF NOT EXISTS files_rfc ON files (rfc) WHERE rfc IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_name ON files (name);
CREATE INDEX IF NOT EXISTS peers_online ON peers (online);
`;

const RECORD_COLUMNS = 'f.name, f.rfc, f.title, f.size, f.sha256, p.host, p.port, p.kind, p.online';
const RECORD_FROM = 'FROM files f JOIN peers p ON p.id = f.peer_id';

export interface Statements {
  readonly upsertPeer: Database.Statement;
  readonly getPeer: Database.Statement;
  readonly setOnline: Database.Statement;
  readonly allOffline: Database.Statement;
  readonly upsertFile: Database.Statement;
  readonly removeFile: Database.Statement;
  readonly removePeerFiles: Database.Statement;
  readonly peerFileNames: Database.Statement;
  readonly lookupRfc: Database.Statement;
  readonly lookupRfcRecords: Database.Statement;
  readonly listRfcs: Database.Statement;
  readonly search: Database.Statement;
  readonly findByName: Database.Statement;
  readonly listAll: Database.Statement;
  readonly peers: Database.Statement;
  readonly stats: Database.Statement;
}

export function prepareStatements(db: Database.Database): Statements {
  return {
    upsertPeer: db.prepare(
      `INSERT INTO peers (host, port, kind, online, last_seen) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (host, port) DO UPDATE SET kind = excluded.kind, online = 1, last_seen = excluded.last_seen
       RETURNING id, host, port, kind, online, last_seen`,
    ),
    getPeer: db.prepare('SELECT id, host, port, kind, online, last_seen FROM peers WHERE host = ? AND port = ?'),
    setOnline: db.prepare('UPDATE peers SET online = ?, last_seen = ? WHERE id = ?'),
    allOffline: db.prepare('UPDATE peers SET online = 0 WHERE online = 1'),
    upsertFile: db.prepare(
      `INSERT INTO files (peer_id, rfc, name, title, size, sha256, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (peer_id, name) DO UPDATE SET rfc = excluded.rfc, title = excluded.title,
         size = excluded.size, sha256 = excluded.sha256`,
    ),
    removeFile: db.prepare('DELETE FROM files WHERE peer_id = ? AND name = ?'),
    removePeerFiles: db.prepare('DELETE FROM files WHERE peer_id = ?'),
    peerFileNames: db.prepare('SELECT name FROM files WHERE peer_id = ?'),
    lookupRfc: db.prepare(`SELECT ${RECORD_COLUMNS} ${RECORD_FROM} WHERE f.rfc = ? AND p.online = 1 ORDER BY f.id`),
    lookupRfcRecords: db.prepare(
      `SELECT f.rfc, f.title, p.host, p.port ${RECORD_FROM} WHERE f.rfc = ? AND p.online = 1 ORDER BY f.id`,
    ),
    listRfcs: db.prepare(
      `SELECT ${RECORD_COLUMNS} ${RECORD_FROM} WHERE f.rfc IS NOT NULL AND p.online = 1 ORDER BY f.rfc, f.id`,
    ),
    search: db.prepare(
      `SELECT ${RECORD_COLUMNS} ${RECORD_FROM} WHERE f.name LIKE ? ESCAPE '\\' OR f.title LIKE ? ESCAPE '\\'
       ORDER BY f.name, p.online DESC, f.id LIMIT ?`,
    ),
    findByName: db.prepare(`SELECT ${RECORD_COLUMNS} ${RECORD_FROM} WHERE f.name = ? ORDER BY p.online DESC, f.id`),
    listAll: db.prepare(`SELECT ${RECORD_COLUMNS} ${RECORD_FROM} ORDER BY f.name, f.id LIMIT ?`),
    peers: db.prepare('SELECT id, host, port, kind, online, last_seen FROM peers ORDER BY host, port'),
    stats: db.prepare(
      `SELECT (SELECT COUNT(*) FROM peers) AS peers, (SELECT SUM(online) FROM peers) AS online,
              (SELECT COUNT(*) FROM files) AS files`,
    ),
  };
}
