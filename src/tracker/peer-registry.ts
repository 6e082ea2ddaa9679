/**
 * Which live connection speaks for which peer, on top of the persistent index.
 *
 * Invariants:
 * - a peer is online in the index exactly while some open session owns it;
 * - the latest session to claim a peer owns it (a reconnect takes over from a half-dead
 *   connection), and only the owner's departure marks the peer offline;
 * - claims already held are answered from memory, so repeated requests cost no database write.
 */
import { EventEmitter } from 'node:events';
import type { PeerKind, PeerRow, TrackerIndex } from './tracker-index.js';

/** Log sink: levels in increasing severity; never stdout. */
export type TrackerLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type TrackerLog = (level: TrackerLogLevel, msg: string) => void;
/** The default sink: drops every line (callers that want logs pass their own). */
export const silentTrackerLog: TrackerLog = () => undefined;

/** A connection that can own peers. */
export interface SessionRef {
  readonly label: string;
}

/** Payload of 'tracker:peer-online' and 'tracker:peer-offline'. */
export interface PeerEvent {
  readonly host: string;
  readonly port: number;
  readonly kind: PeerKind;
}

export interface PeerRegistryEvents {
  'tracker:peer-online': [PeerEvent];
  'tracker:peer-offline': [PeerEvent & { readonly reason: string }];
}

interface Claim {
  readonly peer: PeerRow;
  owner: SessionRef;
}

export class PeerRegistry extends EventEmitter<PeerRegistryEvents> {
  readonly #claims = new Map<string, Claim>();
  readonly #bySession = new Map<SessionRef, Set<string>>();
  #shut = false;

  constructor(
    readonly index: TrackerIndex,
    private readonly log: TrackerLog,
  ) {
    super();
  }

  /** Number of peers online right now. */
  get onlineCount(): number {
    return this.#claims.size;
  }

  /** Makes `session` the owner of peer (host, port), marking it online. Returns its row. */
  claim(session: SessionRef, host: string, port: number, kind: PeerKind): PeerRow {
    const key = peerKey(host, port);
    const held = this.#claims.get(key);
    if (held && held.owner === session && held.peer.kind === kind) return held.peer;
    const peer = this.index.upsertPeer(host, port, kind);
    if (held && held.owner !== session) this.#forget(held.owner, key);
    this.#claims.set(key, { peer, owner: session });
    this.#sessionKeys(session).add(key);
    if (!held) {
      this.log('info', `peer ${host}:${port} (${kind}) online via ${session.label}`);
      this.emit('tracker:peer-online', { host, port, kind });
    }
    return peer;
  }

  /**
   * Like `claim`, but never takes a peer away from a live native (p2pterm) session: a P2P-CI
   * request naming a p2pterm peer's address adds to that peer without becoming its owner.
   */
  attach(session: SessionRef, host: string, port: number): PeerRow {
    const held = this.#claims.get(peerKey(host, port));
    if (held && held.owner !== session && held.peer.kind === 'p2pterm') return held.peer;
    if (held && held.owner === session) return held.peer;
    return this.claim(session, host, port, 'p2pci');
  }

  /** True if `session` currently owns peer (host, port). */
  owns(session: SessionRef, host: string, port: number): boolean {
    return this.#claims.get(peerKey(host, port))?.owner === session;
  }

  /** The session left (closed, LEAVE, silent too long): its peers go offline, files are kept. */
  release(session: SessionRef, reason: string): void {
    const keys = this.#bySession.get(session);
    if (!keys || this.#shut) return;
    this.#bySession.delete(session);
    for (const key of keys) {
      const claim = this.#claims.get(key);
      if (!claim || claim.owner !== session) continue;
      this.#claims.delete(key);
      this.index.setPeerOnline(claim.peer.id, false);
      const { host, port, kind } = claim.peer;
      this.log('info', `peer ${host}:${port} offline (${reason})`);
      this.emit('tracker:peer-offline', { host, port, kind, reason });
    }
  }

  /** Tracker stopping: every peer goes offline now; later releases are no-ops. */
  shutdown(): void {
    if (this.#shut) return;
    this.#shut = true;
    this.index.markAllOffline();
    this.#claims.clear();
    this.#bySession.clear();
  }

  #sessionKeys(session: SessionRef): Set<string> {
    let keys = this.#bySession.get(session);
    if (!keys) this.#bySession.set(session, (keys = new Set()));
    return keys;
  }

  #forget(session: SessionRef, key: string): void {
    this.#bySession.get(session)?.delete(key);
  }
}

function peerKey(host: string, port: number): string {
  return `${host}\u0000${port}`;
}
