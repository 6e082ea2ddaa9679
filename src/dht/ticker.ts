/**
 * One ticker per node drives stabilize, fix-fingers and check-predecessor. It can be paused,
 * single-stepped and re-timed (the console's stabilization controls); rounds never overlap.
 *
 * Backing off: a round that changed nothing (the round function returns true for "quiet")
 * doubles the wait before the next one, up to `backoff` times the interval; any change, here
 * or reported through wake(), brings the interval straight back. A settled ring then costs a
 * fraction of the messages, and a changing one is stabilized at full speed. backoff 1 never
 * backs off.
 */
import type { Clock, TimerHandle } from '../core/clock.js';

export class Ticker {
  private timer: TimerHandle | null = null;
  private dueAt = 0;
  private running = false;
  private busy: Promise<void> | null = null;
  /** The wait before the next round: intervalMs, or more while rounds are quiet. */
  private currentMs: number;
  paused = false;

  constructor(
    private readonly clock: Clock,
    public intervalMs: number,
    private readonly round: () => Promise<boolean>,
    private readonly backoff = 1,
  ) {
    this.currentMs = intervalMs;
  }

  /** The wait before the next round now (the interval, or longer while the ring is quiet). */
  get effectiveMs(): number {
    return this.currentMs;
  }

  start(firstDelayMs = this.intervalMs): void {
    this.running = true;
    this.schedule(firstDelayMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  setInterval(ms: number): void {
    this.intervalMs = Math.max(1, ms);
    this.currentMs = this.intervalMs;
    this.reschedule(this.intervalMs);
  }

  /** Something changed: back to the full rate, and the next round no later than one interval. */
  wake(): void {
    if (this.currentMs === this.intervalMs) return;
    this.currentMs = this.intervalMs;
    if (this.timer && this.dueAt - this.clock.now() > this.intervalMs) this.reschedule(this.intervalMs);
  }

  /** Runs one round now (also while paused); waits for a round already in progress first. */
  async step(): Promise<void> {
    while (this.busy) await this.busy;
    this.busy = this.round()
      .then((quiet) => {
        this.currentMs = quiet ? Math.min(this.currentMs * 2, this.intervalMs * this.backoff) : this.intervalMs;
      })
      .finally(() => (this.busy = null));
    await this.busy;
  }

  private reschedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.schedule(ms);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.dueAt = this.clock.now() + ms;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.paused || this.busy) return this.schedule(this.currentMs);
      this.step().finally(() => this.schedule(this.currentMs));
    }, ms);
  }
}
