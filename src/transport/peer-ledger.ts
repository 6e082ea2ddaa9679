/**
 * Per-peer request limits: requests per second (a token bucket), requests outstanding, and
 * bytes in flight (request bodies being served plus response bytes not yet handed to the
 * socket). A request over any of them is answered BUSY at once. Pure bookkeeping: the caller
 * passes the time, so a unit test drives it on a virtual clock.
 *
 * Invariants:
 * - a refused request reserves nothing;
 * - every admitted request is finished exactly once, giving back what it took;
 * - memory is bounded by the peers with work outstanding plus at most `MAX_IDLE_PEERS` others
 *   (a peer with nothing outstanding and a full bucket is forgotten: it would be made anew the same).
 */
import { TokenBucket } from '../core/token-bucket.js';

/** Per-peer request limits; 0 turns one off. */
export interface RequestLimits {
  /** Requests a second one peer may send, as a token bucket of BURST_MS's worth, at least MIN_BURST (default 5000). */
  readonly requestsPerSecond?: number;
  /** Requests of one peer in service at once, over all its connections (default 256). */
  readonly maxOutstanding?: number;
  /** Request plus response bytes of one peer not yet finished (default 64 MiB). */
  readonly maxBytesInFlight?: number;
}

export const DEFAULT_REQUESTS_PER_SECOND = 5000;
export const DEFAULT_MAX_OUTSTANDING = 256;
export const DEFAULT_MAX_BYTES_IN_FLIGHT = 64 * 1024 * 1024;
/**
 * The burst a quiet peer may send at once, as this much time's worth of its rate (ms). Short,
 * so a flood is held to the rate from its first tenth of a second on (a second's worth let a
 * flooder take half as much again as its rate for seconds); a peer over it is not read for as
 * long (see TcpConnection), which refills the bucket.
 */
export const BURST_MS = 100;
/**
 * The smallest burst: a peer limited to a low rate still gets this many at once, so a node's
 * own bursts (a lookup and a stabilization round together) are not refused.
 */
export const MIN_BURST = 100;
/** Peers with nothing outstanding kept before the forgettable ones are swept. */
const MAX_IDLE_PEERS = 1024;

/** Which limit refused a request. */
export type LimitKind = 'rate' | 'outstanding' | 'bytes';

interface PeerUse {
  readonly bucket: TokenBucket;
  outstanding: number;
  bytes: number;
}

export class PeerLedger {
  private readonly peers = new Map<string, PeerUse>();
  readonly rate: number;
  readonly maxOutstanding: number;
  readonly maxBytes: number;

  constructor(limits: RequestLimits = {}) {
    this.rate = limits.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
    this.maxOutstanding = limits.maxOutstanding ?? DEFAULT_MAX_OUTSTANDING;
    this.maxBytes = limits.maxBytesInFlight ?? DEFAULT_MAX_BYTES_IN_FLIGHT;
  }

  /**
   * Admits one request of `bytes` from `peer` at `now`, or says which limit it is over. A lone
   * request larger than the byte bound still passes (so no request is refused forever).
   */
  admit(peer: string, bytes: number, now: number): LimitKind | null {
    const use = this.use(peer, now);
    if (this.maxOutstanding > 0 && use.outstanding >= this.maxOutstanding) return 'outstanding';
    if (this.maxBytes > 0 && use.outstanding > 0 && use.bytes + bytes > this.maxBytes) return 'bytes';
    if (!use.bucket.take(now)) return 'rate';
    use.outstanding++;
    use.bytes += bytes;
    return null;
  }

  /** Adds the response's bytes to an admitted request's share (given back by `finish`). */
  addBytes(peer: string, bytes: number): void {
    const use = this.peers.get(peer);
    if (use) use.bytes += bytes;
  }

  /** An admitted request is done: its response is out of our hands (or it failed). */
  finish(peer: string, bytes: number): void {
    const use = this.peers.get(peer);
    if (!use) return;
    use.outstanding = Math.max(0, use.outstanding - 1);
    use.bytes = Math.max(0, use.bytes - bytes);
  }

  /** What `peer` has outstanding now. */
  usage(peer: string): { readonly outstanding: number; readonly bytes: number } {
    const use = this.peers.get(peer);
    return { outstanding: use?.outstanding ?? 0, bytes: use?.bytes ?? 0 };
  }

  /** Peers remembered (for tests of the memory bound). */
  get size(): number {
    return this.peers.size;
  }

  private use(peer: string, now: number): PeerUse {
    let use = this.peers.get(peer);
    if (use) return use;
    if (this.peers.size >= MAX_IDLE_PEERS) this.sweep(now);
    const burst = Math.max(Math.min(MIN_BURST, this.rate), Math.round((this.rate * BURST_MS) / 1000));
    use = { bucket: new TokenBucket(this.rate, burst, now), outstanding: 0, bytes: 0 };
    this.peers.set(peer, use);
    return use;
  }

  /** Forgets the peers that would be made anew the same: nothing outstanding, bucket full. */
  private sweep(now: number): void {
    for (const [peer, use] of this.peers)
      if (use.outstanding === 0 && use.bytes === 0 && use.bucket.isFull(now)) this.peers.delete(peer);
  }
}
