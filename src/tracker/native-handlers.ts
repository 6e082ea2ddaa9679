/**
 * What the tracker answers to each native (p2pterm) request. See native-protocol.ts.
 *
 * Invariants:
 * - announce/unannounce need a prior register on the same connection;
 * - `announce` with `replace: true` makes the list the peer's whole file set, so files that
 *   vanished from its shared folder are forgotten (the design document's "deleted files");
 * - search and list show offline sources too, flagged `online: false`, online ones first.
 */
import type { NativeRequest, NativeResults, SearchMatch } from './native-protocol.js';
import type { PeerRegistry, SessionRef } from './peer-registry.js';
import type { FileRecord, PeerRow } from './tracker-index.js';
import { MAX_SEARCH_RESULTS } from './tracker-constants.js';

/** A native connection's state that handlers read and update. */
export interface NativePeerState extends SessionRef {
  peer: PeerRow | undefined;
}

export interface NativeContext {
  readonly registry: PeerRegistry;
  readonly heartbeatMs: number;
}

/** A request the client got wrong (answered with `ok: false`). */
export class NativeRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function handleNativeRequest(
  req: NativeRequest,
  state: NativePeerState,
  ctx: NativeContext,
): NativeResults[NativeRequest['type']] {
  const index = ctx.registry.index;
  switch (req.type) {
    case 'register':
      state.peer = ctx.registry.claim(state, req.host, req.port, 'p2pterm');
      return { host: req.host, port: req.port, heartbeatMs: ctx.heartbeatMs };
    case 'announce': {
      const peer = registered(state);
      const files = req.files.map((f) => ({ name: f.name, size: f.size ?? null, sha256: f.sha256 ?? null }));
      if (req.replace) return { added: files.length, removed: index.replaceFiles(peer.id, files) };
      index.addFiles(peer.id, files);
      return { added: files.length, removed: 0 };
    }
    case 'unannounce':
      return { removed: index.removeFile(registered(state).id, req.name) };
    case 'heartbeat':
      return {};
    case 'search':
      return { matches: groupMatches(index.search(req.text)) };
    case 'list':
      return { matches: groupMatches(index.listAll()) };
  }
}

function registered(state: NativePeerState): PeerRow {
  if (!state.peer) throw new NativeRequestError('NOT_REGISTERED', 'send register before announcing files');
  return state.peer;
}

/** Groups records by (name, content hash), online sources first, at most MAX_SEARCH_RESULTS groups. */
export function groupMatches(records: readonly FileRecord[]): SearchMatch[] {
  const groups = new Map<string, SearchMatch & { sources: SearchMatch['sources'][number][] }>();
  for (const r of records) {
    const key = `${r.name}\u0000${r.sha256 ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      if (groups.size >= MAX_SEARCH_RESULTS) continue;
      g = { name: r.name, rfc: r.rfc, title: r.title, size: r.size, sha256: r.sha256, sources: [] };
      groups.set(key, g);
    }
    g.sources.push({ host: r.host, port: r.port, online: r.online, kind: r.kind });
  }
  for (const g of groups.values()) g.sources.sort((a, b) => Number(b.online) - Number(a.online));
  return [...groups.values()];
}
