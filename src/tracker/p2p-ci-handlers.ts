/**
 * What the index server answers to each P2P-CI/1.0 request (ADD, LOOKUP, LIST ALL, leaving).
 *
 * Invariants:
 * - ADD is committed to the index before its echo is returned;
 * - LOOKUP and LIST ALL offer online peers only; LOOKUP with no online source is 404;
 * - a request carrying Host and Port marks that peer online for this connection (a P2P-CI
 *   client that comes back under the same address gets its old records offered again).
 */
import { formatServerResponse, type P2pCiRecord, type P2pCiRequest } from './p2p-ci-codec.js';
import type { FileRecord } from './tracker-index.js';
import { nameOfRfc } from './tracker-index.js';
import type { PeerRegistry, SessionRef } from './peer-registry.js';

export interface P2pCiReply {
  /** Bytes to send, as one write. */
  readonly text: string;
  /** Close the connection after sending. */
  readonly close: boolean;
}

export function handleP2pCiRequest(req: P2pCiRequest, session: SessionRef, registry: PeerRegistry): P2pCiReply {
  switch (req.method) {
    case 'ADD':
      return reply(handleAdd(req, session, registry));
    case 'LOOKUP':
      claimIfAddressed(req, session, registry);
      return reply(handleLookup(req.rfc, registry));
    case 'LIST':
      claimIfAddressed(req, session, registry);
      return reply(formatServerResponse(200, registry.index.listRfcs().map(toRecord)));
    case 'LEAVE':
      registry.release(session, `${req.verb.toLowerCase()} request`);
      return { text: formatServerResponse(200), close: true };
    case 'GET':
      // GET goes to a peer's upload server, not to the index.
      return reply(formatServerResponse(400));
  }
}

function handleAdd(req: Extract<P2pCiRequest, { method: 'ADD' }>, session: SessionRef, registry: PeerRegistry): string {
  const peer = registry.attach(session, req.host, req.port);
  registry.index.addFile(peer.id, { name: nameOfRfc(req.rfc), rfc: req.rfc, title: req.title });
  return formatServerResponse(200, [{ rfc: req.rfc, title: req.title, host: req.host, port: req.port }]);
}

function handleLookup(rfc: number, registry: PeerRegistry): string {
  const records = registry.index.lookupRfcRecords(rfc);
  return records.length === 0 ? formatServerResponse(404) : formatServerResponse(200, records);
}

function claimIfAddressed(req: { host?: string; port?: number }, session: SessionRef, registry: PeerRegistry): void {
  if (req.host !== undefined && req.port !== undefined) registry.attach(session, req.host, req.port);
}

function toRecord(f: FileRecord): P2pCiRecord {
  return { rfc: f.rfc ?? 0, title: f.title, host: f.host, port: f.port };
}

function reply(text: string): P2pCiReply {
  return { text, close: false };
}
