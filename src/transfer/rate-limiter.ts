/**
 * A token bucket in bytes per second, shared by every transfer (global) or owned by one.
 *
 * Invariants:
 * - rate 0 means unlimited: take() resolves at once and costs nothing.
 * - tokens never exceed `burst`; they may go negative (debt): a take larger than the bucket is
 *   allowed and its cost is paid by waiting, so callers queue in arrival order without a queue.
 * - an aborted take refunds its tokens and rejects with the signal's reason.
 * - time comes only from the injected clock (tests use a virtual one).
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { realClock } from '../io/real-clock.js';
import { abortError } from './transfer-error.js';

export interface RateLimiterOptions {
  /** Bytes per second; 0 = unlimited (default 0). */
  readonly rateBps?: number;
  /** Bucket size in bytes (default: a quarter second of rate, at least 64 KiB). */
  readonly burstBytes?: number;
  /** Time source (default: the real clock). */
  readonly clock?: Clock;
}

interface Waiter {
  readonly timer: TimerHandle;
  readonly release: () => void;
}

export class RateLimiter {
  private readonly clock: Clock;
  private rate = 0;
  private burst = 0;
  private tokens = 0;
  private last: number;
  private readonly waiters = new Set<Waiter>();

  constructor(opts: RateLimiterOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.last = this.clock.now();
    this.setRate(opts.rateBps ?? 0, opts.burstBytes);
    this.tokens = this.burst;
  }

  /** Current rate in bytes per second (0 = unlimited). */
  get rateBps(): number {
    return this.rate;
  }

  /** Changes the rate; going unlimited releases every waiter at once. */
  setRate(rateBps: number, burstBytes?: number): void {
    this.refill();
    this.rate = Math.max(0, rateBps);
    this.burst = burstBytes ?? Math.max(64 * 1024, this.rate / 4);
    this.tokens = Math.min(this.tokens, this.burst);
    if (this.rate === 0) for (const w of [...this.waiters]) w.release();
  }

  /** Waits until `n` bytes may pass. */
  take(n: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.rate === 0 || n <= 0) return Promise.resolve();
    this.refill();
    this.tokens -= n;
    if (this.tokens >= 0) return Promise.resolve();
    return this.wait(n, Math.ceil((-this.tokens / this.rate) * 1000), signal);
  }

  private wait(n: number, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.waiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        this.clock.clearTimeout(waiter.timer);
        done();
        this.tokens += n;
        reject(abortError(signal!));
      };
      const waiter: Waiter = {
        timer: this.clock.setTimeout(() => (done(), resolve()), ms),
        release: () => (this.clock.clearTimeout(waiter.timer), done(), resolve()),
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private refill(): void {
    const now = this.clock.now();
    if (this.rate > 0) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }
}
