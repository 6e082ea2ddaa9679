/**
 * Per-peer retransmission-style timeouts, as TCP computes them (Jacobson/Karels, RFC 6298):
 * a smoothed round-trip time and its mean deviation from the measured answers of each peer;
 * the timeout is SRTT + 4·RTTVAR within a floor and a ceiling. A request that timed out
 * doubles the peer's timeout until an answer is measured again (RFC 6298 §5.5), so a peer on a
 * slow link is not declared dead and a dead peer on a fast one is noticed fast.
 *
 * Invariants:
 * - pure: the caller measures the samples (no clock reads here);
 * - `timeoutMs(peer)` is always within [floor, ceiling]; a peer never measured gets `initial`;
 * - at most `capacity` peers are remembered (the least recently used are forgotten).
 */

export interface RttOptions {
  /** Timeout for a peer not measured yet, in ms. */
  readonly initialMs: number;
  readonly floorMs: number;
  readonly ceilingMs: number;
  /** Peers remembered. */
  readonly capacity: number;
}

interface PeerRtt {
  /** NaN until the first answer is measured. */
  srtt: number;
  rttvar: number;
  /** Timeout in effect (grows on timeouts, recomputed on each sample). */
  rto: number;
}

/** Clock granularity G of RFC 6298 (ms): the deviation term never counts for less. */
const GRANULARITY_MS = 1;

export class RttEstimator {
  private readonly peers = new Map<string, PeerRtt>();

  constructor(private readonly opts: RttOptions) {}

  /** The timeout to use for the next request to `peer`, in ms. */
  timeoutMs(peer: string): number {
    return this.peers.get(peer)?.rto ?? this.clamp(this.opts.initialMs);
  }

  /** A measured round trip to `peer`, in ms. */
  sample(peer: string, rttMs: number): void {
    const r = Math.max(0, rttMs);
    const p = this.peers.get(peer);
    const next =
      p && !Number.isNaN(p.srtt)
        ? { rttvar: 0.75 * p.rttvar + 0.25 * Math.abs(p.srtt - r), srtt: 0.875 * p.srtt + 0.125 * r }
        : { srtt: r, rttvar: r / 2 };
    this.remember(peer, { ...next, rto: this.clamp(next.srtt + Math.max(GRANULARITY_MS, 4 * next.rttvar)) });
  }

  /** A request to `peer` had no answer in time: back off (double, up to the ceiling). */
  timedOut(peer: string): void {
    const p = this.peers.get(peer);
    const rto = this.clamp(2 * this.timeoutMs(peer));
    this.remember(peer, { srtt: p?.srtt ?? NaN, rttvar: p?.rttvar ?? NaN, rto });
  }

  /** The smoothed round-trip time of `peer` in ms, or undefined when not measured. */
  srttMs(peer: string): number | undefined {
    const srtt = this.peers.get(peer)?.srtt;
    return srtt === undefined || Number.isNaN(srtt) ? undefined : srtt;
  }

  private remember(peer: string, value: PeerRtt): void {
    this.peers.delete(peer); // re-inserted last: Map order is the recency order
    this.peers.set(peer, value);
    if (this.peers.size > this.opts.capacity) this.peers.delete(this.peers.keys().next().value!);
  }

  private clamp(ms: number): number {
    return Math.min(this.opts.ceilingMs, Math.max(this.opts.floorMs, Math.round(ms)));
  }
}
