/**
 * A token bucket: `rate` tokens a second, holding at most `burst`. Pure: the caller passes the
 * time (ms), so it runs the same on the real clock and a virtual one.
 *
 * Invariants:
 * - the tokens never exceed `burst` and never go below zero;
 * - a take that does not fit takes nothing.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    /** Tokens added per second (0 or less: no limit, every take succeeds). */
    readonly rate: number,
    /** The most tokens held at once: the burst allowed after a quiet spell. */
    readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes `n` tokens at time `now`; false (nothing taken) when there are not enough. */
  take(now: number, n = 1): boolean {
    if (this.rate <= 0) return true;
    this.refill(now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Whether the bucket is full at `now` (a full bucket can be forgotten and made anew). */
  isFull(now: number): boolean {
    if (this.rate <= 0) return true;
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
  }
}
