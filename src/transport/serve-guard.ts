/**
 * The per-peer request limits as a connection applies them: admission against the peer's
 * ledger (see peer-ledger.ts), under the peer's identity (see peerKey), and a log line for a
 * refusal at most once per peer and limit a minute.
 */
import type { LimitLog } from '../core/limit-log.js';
import { type LimitKind, PeerLedger, type RequestLimits } from './peer-ledger.js';
import { peerKey, type PeerInfo } from './transport.js';

export class ServeGuard {
  readonly ledger: PeerLedger;

  constructor(
    limits: RequestLimits,
    private readonly limitLog: LimitLog,
    /** Milliseconds, for the token buckets (monotonic). */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.ledger = new PeerLedger(limits);
  }

  /** Admits a request of `bytes` from `peer`, or returns which limit refused it and why (the BUSY reply's message). */
  admit(peer: PeerInfo, bytes: number): { kind: LimitKind; why: string } | null {
    const key = peerKey(peer);
    const kind = this.ledger.admit(key, bytes, this.now());
    if (!kind) return null;
    const why = this.describe(kind);
    this.limitLog.note(key, kind, `answering ${key} BUSY: ${why}`, 'warn', 'tcp');
    return { kind, why };
  }

  addBytes(peer: PeerInfo, bytes: number): void {
    this.ledger.addBytes(peerKey(peer), bytes);
  }

  finish(peer: PeerInfo, bytes: number): void {
    this.ledger.finish(peerKey(peer), bytes);
  }

  private describe(kind: LimitKind): string {
    const l = this.ledger;
    if (kind === 'rate') return `more than ${l.rate} requests a second from this peer`;
    if (kind === 'outstanding') return `more than ${l.maxOutstanding} requests of this peer in service`;
    return `more than ${l.maxBytes} bytes of this peer's requests and replies in flight`;
  }
}
